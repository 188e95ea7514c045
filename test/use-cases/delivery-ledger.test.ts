/**
 * The delivery ledger's store operations, on a real local data root: claims, their lease
 * and takeover, records, the conditional-write probe, and files that are not the ledger's.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import type { ExportStore } from '../../src/core/ports';
import type { RunPresence } from '../../src/use-cases/delivery-claims';
import { type ClaimAttempt, DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { LedgerFileError, StoreCannotExcludeError } from '../../src/use-cases/delivery-ledger-errors';
import { recipientHash } from '../../src/use-cases/recipient-key';
import { createDataRoot, readReport, removeDataRoots, writeReport } from '../support/export-fixtures';
import { MemoryExportStore } from '../support/memory-store';

const NOW = new Date('2026-10-05T06:00:00.000Z');
const LEASE_MS = 60_000;
const Q = '2026-Q3';
const CEO = 'ceo@example.com';

afterEach(async () => {
  await removeDataRoots();
});

/** A clock the test moves. */
function clock() {
  let at = NOW.getTime();
  return { now: () => new Date(at), advance: (ms: number) => (at += ms) };
}

const alive: RunPresence = { self: { host: 'test', pid: 1 }, hasStopped: () => false };

async function localLedger(options: { presence?: RunPresence } = {}) {
  const root = await createDataRoot();
  const time = clock();
  const store = new LocalExportStore(root);
  const ledger = new DeliveryLedger(store, {
    leaseMs: LEASE_MS,
    now: time.now,
    presence: options.presence ?? alive,
  });
  return { root, store, ledger, time };
}

function claimed(attempt: ClaimAttempt) {
  if (attempt.kind !== 'claimed') throw new Error(`expected a claim, got ${JSON.stringify(attempt)}`);
  return attempt;
}

describe('claiming a recipient', () => {
  it('lets exactly one of ten concurrent runs claim a recipient', async () => {
    // Arrange
    const { ledger } = await localLedger();

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, run) => ledger.claim(Q, CEO, `run-${run}`, `attempt-${run}`)),
    );

    // Assert
    expect(results.filter((result) => result.kind === 'claimed')).toHaveLength(1);
  });

  it('leaves a live claim of another run alone, naming that run', async () => {
    // Arrange
    const { ledger, time } = await localLedger();
    await ledger.claim(Q, CEO, 'run-1', 'a1');
    time.advance(LEASE_MS - 1);

    // Act
    const second = await ledger.claim(Q, CEO, 'run-2', 'a2');

    // Assert
    expect(second).toEqual({
      kind: 'held',
      heldBy: expect.objectContaining({
        runId: 'run-1',
        attempt: 'a1',
        state: 'claimed',
        claimedAt: NOW.toISOString(),
      }),
    });
  });

  it('does not treat a second claim of the same run id as its own (a repeated event)', async () => {
    // Arrange
    const { ledger } = await localLedger();
    await ledger.claim(Q, CEO, 'schedule-2026-10-05', 'a1');

    // Act
    const again = await ledger.claim(Q, CEO, 'schedule-2026-10-05', 'a2');

    // Assert
    expect(again.kind).toBe('held');
  });

  it('takes over a claim whose lease ran out, saying which claim it replaced', async () => {
    // Arrange
    const { ledger, time } = await localLedger();
    const first = claimed(await ledger.claim(Q, CEO, 'run-1', 'a1'));
    await first.handle.markSending();
    time.advance(LEASE_MS + 1);

    // Act
    const second = claimed(await ledger.claim(Q, CEO, 'run-2', 'a2'));

    // Assert
    expect(second.tookOver).toBe(true);
    expect(second.replaced).toMatchObject({ runId: 'run-1', attempt: 'a1', state: 'sending' });
    expect(second.handle.claim).toMatchObject({
      runId: 'run-2',
      tookOverFrom: { runId: 'run-1', attempt: 'a1', state: 'sending', since: NOW.toISOString() },
    });
  });

  it('takes over at once a claim whose process is known to have stopped', async () => {
    // Arrange: the holder's pid 41 is gone on this machine.
    const root = await createDataRoot();
    const time = clock();
    const store = new LocalExportStore(root);
    const killed = new DeliveryLedger(store, {
      now: time.now,
      presence: { self: { host: 'h', pid: 41 }, hasStopped: () => false },
    });
    await killed.claim(Q, CEO, 'run-1', 'a1');
    const rerun = new DeliveryLedger(store, {
      now: time.now,
      presence: { self: { host: 'h', pid: 42 }, hasStopped: (holder) => holder.pid === 41 },
    });

    // Act
    const second = claimed(await rerun.claim(Q, CEO, 'run-2', 'a2'));

    // Assert
    expect(second.tookOver).toBe(true);
  });

  it('claims a released recipient at once, and that is no takeover', async () => {
    // Arrange
    const { ledger, time } = await localLedger();
    const first = claimed(await ledger.claim(Q, CEO, 'run-1', 'a1'));
    await first.handle.release();
    time.advance(1000);

    // Act
    const second = claimed(await ledger.claim(Q, CEO, 'run-2', 'a2'));

    // Assert
    expect(second.tookOver).toBe(false);
    expect(second.replaced).toMatchObject({ runId: 'run-1', state: 'released' });
  });

  it('keeps a renewed claim alive past its first lease', async () => {
    // Arrange
    const { ledger, time } = await localLedger();
    const first = claimed(await ledger.claim(Q, CEO, 'run-1', 'a1'));
    time.advance(LEASE_MS - 1000);
    expect(await first.handle.renew()).toBe(true);
    time.advance(LEASE_MS - 1000);

    // Act
    const second = await ledger.claim(Q, CEO, 'run-2', 'a2');

    // Assert
    expect(second.kind).toBe('held');
  });

  it('lets a run that lost its claim change nothing any more', async () => {
    // Arrange: run-1 stalls past its lease and run-2 takes over.
    const { ledger, time } = await localLedger();
    const first = claimed(await ledger.claim(Q, CEO, 'run-1', 'a1'));
    time.advance(LEASE_MS + 1);
    const second = claimed(await ledger.claim(Q, CEO, 'run-2', 'a2'));

    // Act
    const renewed = await first.handle.renew();
    const released = await first.handle.release();

    // Assert
    expect([renewed, released, first.handle.lost]).toEqual([false, false, true]);
    expect(second.handle.claim.state).toBe('claimed');
    expect((await ledger.claim(Q, CEO, 'run-3', 'a3')).kind).toBe('held');
  });
});

describe('records', () => {
  const record = {
    recipient: CEO,
    quarter: Q,
    sentAt: NOW.toISOString(),
    messageId: 'm1',
    runId: 'run-1',
  };

  it('keeps the first record of a send, and replaces it only for a deliberate resend', async () => {
    // Arrange
    const { root, ledger } = await localLedger();

    // Act
    const first = await ledger.record(record);
    const second = await ledger.record({ ...record, messageId: 'm2', runId: 'run-2' });
    const kept = await ledger.sent(Q, 'CEO@example.com');
    const resent = await ledger.record({ ...record, messageId: 'm3', resentAt: NOW.toISOString() });

    // Assert
    expect([first, second, resent]).toEqual([true, false, true]);
    expect(kept).toEqual(record);
    expect(await readReport(root, Q, 'deliveries/ceo@example.com.json')).toMatchObject({ messageId: 'm3' });
  });

  it("keeps o'neil@ and o_neil@ apart, and does not take an older ledger's record of one for the other", async () => {
    // Arrange: an older ledger wrote o'neil@'s record under the slug both addresses share.
    const { root, ledger } = await localLedger();
    await writeReport(
      root,
      Q,
      'deliveries/o_neil@example.com.json',
      JSON.stringify({ ...record, recipient: "o'neil@example.com" }),
    );

    // Act
    const underscore = await ledger.sent(Q, 'o_neil@example.com');
    await ledger.record({ ...record, recipient: "o'neil@example.com" });
    const apostrophe = await ledger.sent(Q, "o'neil@example.com");

    // Assert
    expect(underscore).toBeUndefined();
    expect(apostrophe?.recipient).toBe("o'neil@example.com");
  });

  it('fails naming the file and the fix when a claim is not a ledger file', async () => {
    // Arrange
    const { root, ledger } = await localLedger();
    await writeReport(root, Q, 'deliveries/ceo@example.com.claim.json', '{"runId": 7}');

    // Act
    const claiming = ledger.claim(Q, CEO, 'run-1', 'a1');

    // Assert
    await expect(claiming).rejects.toBeInstanceOf(LedgerFileError);
    await expect(claiming).rejects.toThrow(
      /deliveries\/ceo@example\.com\.claim\.json is not a delivery ledger file \(recipientHash: .*\); move it away and run again/,
    );
  });

  it("finds the message id of an earlier attempt's send in the recorded SES events", async () => {
    // Arrange: what the deployed event recorder writes for attempt a1.
    const { root, ledger } = await localLedger();
    await writeReport(root, Q, `deliveries/events/${recipientHash(CEO)}/a1.send.0100018f-abc.json`, '{}');

    // Act
    const found = await ledger.sesSendEvent(Q, CEO, 'a1');
    const other = await ledger.sesSendEvent(Q, CEO, 'a2');

    // Assert
    expect([found, other]).toEqual(['0100018f-abc', undefined]);
  });
});

/** A memory store's plain operations, under `location`: what the stores below build on. */
function plainStore(memory: MemoryExportStore, location: string): ExportStore {
  return {
    location,
    list: (prefix) => memory.list(prefix),
    read: (key) => memory.read(key),
    readExportFile: (file, options) => memory.readExportFile(file, options),
    readText: (key) => memory.readText(key),
    write: (key, body) => memory.write(key, body),
    createIfAbsent: (key, body) => memory.createIfAbsent(key, body),
  };
}

/** Writes `body` whatever the condition, as s3rver and fauxqs do. */
function unconditionally(memory: MemoryExportStore) {
  return async (key: string, body: string | Uint8Array) => {
    await memory.write(key, body);
    return true;
  };
}

/** A store that ignores both conditions. */
function ignoringConditions(memory: MemoryExportStore): ExportStore {
  return {
    ...plainStore(memory, 'memory:unconditional'),
    createIfAbsent: unconditionally(memory),
    readVersioned: (key) => memory.readVersioned(key),
    replaceIfUnchanged: unconditionally(memory),
  };
}

describe('checkExclusion', () => {
  it('passes on a local directory, again and again, and by two runs at once', async () => {
    // Arrange
    const { ledger } = await localLedger();

    // Act
    const probes = Promise.all([
      ledger.checkExclusion(Q),
      ledger.checkExclusion(Q),
      ledger.checkExclusion(Q),
    ]);

    // Assert
    await expect(probes).resolves.toBeDefined();
  });

  it('refuses a store that lets a second create through, naming it and the way out', async () => {
    // Arrange
    const ledger = new DeliveryLedger(ignoringConditions(new MemoryExportStore()));

    // Act
    const probe = ledger.checkExclusion(Q);

    // Assert
    await expect(probe).rejects.toBeInstanceOf(StoreCannotExcludeError);
    await expect(probe).rejects.toThrow(
      /will not send from memory:unconditional: a second create of reports\/2026-Q3\/deliveries\/conditional-write-probe\.json succeeded.*run without --send/,
    );
  });

  it('refuses a store that honours If-None-Match but ignores If-Match', async () => {
    // Arrange
    const memory = new MemoryExportStore();
    const halfway: ExportStore = {
      ...plainStore(memory, 'memory:half'),
      readVersioned: (key) => memory.readVersioned(key),
      replaceIfUnchanged: unconditionally(memory),
    };

    // Act
    const probe = new DeliveryLedger(halfway).checkExclusion(Q);

    // Assert
    await expect(probe).rejects.toThrow(
      /a replace of .*conditional-write-probe\.json at a version already replaced succeeded/,
    );
  });

  it('refuses a store without a conditional replace at all', async () => {
    // Arrange
    const store = plainStore(new MemoryExportStore(), 'memory:old');

    // Act
    const probe = new DeliveryLedger(store).checkExclusion(Q);

    // Assert
    await expect(probe).rejects.toThrow(/the store offers no conditional replace/);
  });

  it('leaves only the probe file behind', async () => {
    // Arrange
    const { root, ledger } = await localLedger();

    // Act
    await ledger.checkExclusion(Q);

    // Assert
    expect(await readdir(path.join(root, 'reports', Q, 'deliveries'))).toEqual([
      'conditional-write-probe.json',
    ]);
  });
});
