/**
 * `deliverEachOnce` case by case, on a real local data root with a mailer that records what
 * it is given: the heartbeat, settling an uncertain claim from SES's events, waiting for
 * another run, and the tags each message carries. (The interleavings and crashes are the
 * model check's, in delivery-protocol.property.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import type { Mailer, OutgoingMessage } from '../../src/core/ports';
import { type DeliveryOutcome, deliverEachOnce } from '../../src/use-cases/deliver-once';
import type { RunPresence } from '../../src/use-cases/delivery-claims';
import { type ClaimAttempt, DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { recipientHash } from '../../src/use-cases/recipient-key';
import { createDataRoot, readReport, removeDataRoots, writeReport } from '../support/export-fixtures';
import { sampleOutgoingMessage } from '../support/sample-outgoing-message';

const Q = '2026-Q3';
const CEO = 'ceo@example.com';

afterEach(async () => {
  await removeDataRoots();
});

const alive: RunPresence = { self: { host: 'test', pid: 1 }, hasStopped: () => false };

/** A mailer that takes `delayMs` per message and remembers each. */
function recordingMailer(delayMs = 0) {
  const sent: OutgoingMessage[] = [];
  const mailer: Mailer = {
    description: 'recording',
    send: async (message) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      sent.push(message);
      return { messageId: `m-${sent.length}` };
    },
  };
  return { mailer, sent };
}

/** A message to `to`; its content does not matter here. */
function message(to: string): OutgoingMessage {
  return sampleOutgoingMessage({ to });
}

async function deliver(ledger: DeliveryLedger, mailer: Mailer, runId: string, recipients = [CEO]) {
  const outcomes: DeliveryOutcome[] = [];
  await deliverEachOnce(
    recipients.map(message),
    { ledger, mailer, runId, resend: false, waitForOtherRuns: { pauseMs: 50, maxWaitMs: 5_000 } },
    (outcome) => outcomes.push(outcome),
  );
  return outcomes;
}

function claimed(attempt: ClaimAttempt) {
  if (attempt.kind !== 'claimed') throw new Error('expected a claim');
  return attempt;
}

describe('deliverEachOnce', () => {
  it('tags each message with the quarter, the run, the claim attempt and the recipient hash', async () => {
    // Arrange
    const ledger = new DeliveryLedger(new LocalExportStore(await createDataRoot()), { presence: alive });
    const { mailer, sent } = recordingMailer();

    // Act
    await deliver(ledger, mailer, 'schedule-2026-10-05T06:00:00Z');

    // Assert
    expect(sent[0]?.tags).toEqual({
      'kpi-quarter': '2026-Q3',
      'kpi-run': 'schedule-2026-10-05T06_00_00Z',
      'kpi-attempt': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'kpi-recipient': recipientHash(CEO),
    });
  });

  it('renews its claim while SES is slow, so a second run waits instead of taking it over', async () => {
    // Arrange: a lease of 300 ms and a send that takes 1.2 s.
    const store = new LocalExportStore(await createDataRoot());
    const slow = recordingMailer(1_200);
    const quick = recordingMailer();
    const first = deliver(new DeliveryLedger(store, { leaseMs: 300, presence: alive }), slow.mailer, 'run-1');
    await new Promise((resolve) => setTimeout(resolve, 600));

    // Act: the second run starts after two leases have passed.
    const second = await deliver(
      new DeliveryLedger(store, { leaseMs: 300, presence: alive }),
      quick.mailer,
      'run-2',
    );

    // Assert
    expect(await first).toEqual([expect.objectContaining({ status: 'sent' })]);
    expect(second).toEqual([expect.objectContaining({ status: 'already-sent', messageId: 'm-1' })]);
    expect(quick.sent).toEqual([]);
  });

  it('waits for a recipient another run is sending to, then leaves them to it', async () => {
    // Arrange: run-1 holds the claim and records 300 ms later.
    const store = new LocalExportStore(await createDataRoot());
    const holder = new DeliveryLedger(store, { presence: alive });
    const claim = claimed(await holder.claim(Q, CEO, 'run-1', 'a1'));
    // Kept, and awaited below: run-1's release may still be writing when run-2 is done, and
    // must not outlive the test (its data root is removed after it).
    const holderDone = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        holder
          .record({
            recipient: CEO,
            quarter: Q,
            sentAt: '2026-10-05T06:00:00Z',
            messageId: 'theirs',
            runId: 'run-1',
            attempt: 'a1',
          })
          .then(() => claim.handle.release())
          .then(() => resolve(), reject);
      }, 300);
    });
    const { mailer, sent } = recordingMailer();

    // Act
    const outcomes = await deliver(new DeliveryLedger(store, { presence: alive }), mailer, 'run-2');
    await holderDone;

    // Assert
    expect(outcomes).toEqual([{ recipient: CEO, status: 'already-sent', messageId: 'theirs' }]);
    expect(sent).toEqual([]);
  });

  it("settles a stopped run's uncertain send from SES's recorded events instead of sending again", async () => {
    // Arrange: run-1 was killed while sending; SES's Send event for its attempt was recorded.
    const root = await createDataRoot();
    const store = new LocalExportStore(root);
    const killed = claimed(await new DeliveryLedger(store, { presence: alive }).claim(Q, CEO, 'run-1', 'a1'));
    await killed.handle.markSending();
    await writeReport(root, Q, `deliveries/events/${recipientHash(CEO)}/a1.send.0100-ses-id.json`, '{}');
    const rerun = new DeliveryLedger(store, { presence: { ...alive, hasStopped: () => true } });
    const { mailer, sent } = recordingMailer();

    // Act
    const outcomes = await deliver(rerun, mailer, 'run-2');

    // Assert
    expect(outcomes).toEqual([
      { recipient: CEO, status: 'already-sent', messageId: '0100-ses-id', settledBy: 'ses-event' },
    ]);
    expect(sent).toEqual([]);
    expect(await readReport(root, Q, 'deliveries/ceo@example.com.json')).toMatchObject({
      messageId: '0100-ses-id',
      runId: 'run-1',
      attempt: 'a1',
      settledBy: 'ses-event',
    });
  });

  it('sends again, reported uncertain, when no event says SES took the stopped run’s message', async () => {
    // Arrange
    const root = await createDataRoot();
    const store = new LocalExportStore(root);
    const killed = claimed(await new DeliveryLedger(store, { presence: alive }).claim(Q, CEO, 'run-1', 'a1'));
    await killed.handle.markSending();
    const rerun = new DeliveryLedger(store, { presence: { ...alive, hasStopped: () => true } });
    const { mailer, sent } = recordingMailer();

    // Act
    const outcomes = await deliver(rerun, mailer, 'run-2');
    const later = await deliver(rerun, mailer, 'run-3');

    // Assert
    expect(sent).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      status: 'sent',
      uncertain: {
        earlierRunId: 'run-1',
        reason: expect.stringContaining('run run-1 stopped while sending'),
      },
    });
    // The record keeps the doubt, so a later run still reports it.
    expect(later[0]).toMatchObject({ status: 'already-sent', uncertain: { earlierRunId: 'run-1' } });
  });

  it('claims and sends without doubt after a run released the claim having failed cleanly', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());
    const ledger = new DeliveryLedger(store, { presence: alive });
    const rejected = claimed(await ledger.claim(Q, CEO, 'run-1', 'a1'));
    await rejected.handle.markSending();
    await rejected.handle.release();
    const { mailer } = recordingMailer();

    // Act
    const outcomes = await deliver(ledger, mailer, 'run-2');

    // Assert
    expect(outcomes).toEqual([{ recipient: CEO, status: 'sent', messageId: 'm-1' }]);
  });
});
