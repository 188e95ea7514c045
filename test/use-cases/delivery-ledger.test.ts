import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { createDataRoot, readReport, removeDataRoots } from '../support/export-fixtures';

const NOW = new Date('2026-10-05T06:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

afterEach(async () => {
  await removeDataRoots();
});

async function ledger(claimTimeoutMs = 60_000) {
  const root = await createDataRoot();
  return { root, ledger: new DeliveryLedger(new LocalExportStore(root), { claimTimeoutMs }) };
}

describe('the delivery ledger', () => {
  it('lets exactly one of several concurrent runs claim a recipient', async () => {
    const { ledger: shared } = await ledger();

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, run) => shared.claim('2026-Q3', 'ceo@example.com', `run-${run}`, NOW)),
    );

    expect(results.filter((result) => result.claimed)).toHaveLength(1);
  });

  it('refuses a live claim of another run, naming it', async () => {
    const { ledger: shared } = await ledger();
    await shared.claim('2026-Q3', 'ceo@example.com', 'run-1', NOW);

    const second = await shared.claim('2026-Q3', 'ceo@example.com', 'run-2', later(59_000));

    expect(second).toEqual({ claimed: false, heldBy: { runId: 'run-1', claimedAt: NOW.toISOString() } });
  });

  it('takes over a claim older than the timeout, saying so', async () => {
    const { ledger: shared } = await ledger();
    await shared.claim('2026-Q3', 'ceo@example.com', 'run-1', NOW);

    const second = await shared.claim('2026-Q3', 'ceo@example.com', 'run-2', later(61_000));

    expect(second).toEqual({ claimed: true, tookOverFrom: { runId: 'run-1', claimedAt: NOW.toISOString() } });
  });

  it('lets the next run claim at once after a release', async () => {
    const { ledger: shared } = await ledger();
    await shared.claim('2026-Q3', 'ceo@example.com', 'run-1', NOW);
    await shared.release('2026-Q3', 'ceo@example.com', 'run-1', NOW);

    const second = await shared.claim('2026-Q3', 'ceo@example.com', 'run-2', later(1_000));

    expect(second).toEqual({ claimed: true });
  });

  it('does not release a claim another run holds', async () => {
    const { ledger: shared } = await ledger();
    await shared.claim('2026-Q3', 'ceo@example.com', 'run-1', NOW);
    await shared.release('2026-Q3', 'ceo@example.com', 'run-2', NOW);

    const third = await shared.claim('2026-Q3', 'ceo@example.com', 'run-3', later(1_000));

    expect(third.claimed).toBe(false);
  });

  it('keeps the first record of a send, and replaces it only for a deliberate resend', async () => {
    const { root, ledger: shared } = await ledger();
    const first = {
      recipient: 'ceo@example.com',
      quarter: '2026-Q3',
      sentAt: NOW.toISOString(),
      messageId: 'm1',
      runId: 'run-1',
    };
    await shared.record(first);
    await shared.record({ ...first, messageId: 'm2', runId: 'run-2' });
    expect(await shared.sent('2026-Q3', 'CEO@example.com')).toEqual(first);

    await shared.record({ ...first, messageId: 'm3', runId: 'run-3', resentAt: later(5).toISOString() });

    expect(await readReport(root, '2026-Q3', 'deliveries/ceo@example.com.json')).toMatchObject({
      messageId: 'm3',
    });
  });
});
