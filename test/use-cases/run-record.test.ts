/**
 * Run-level idempotency: the attempt files of a run, on a real disk store (exclusive
 * create), and the protocol under every interleaving of concurrent requests (fast-check's
 * scheduler over an in-memory store).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import type { ExportStore } from '../../src/core/ports';
import type { RunStatus } from '../../src/use-cases/report-run';
import {
  type BeginRunRequest,
  RunRecordError,
  RunRecords,
  type RunStep,
} from '../../src/use-cases/run-record';
import { createDataRoot, removeDataRoots } from '../support/export-fixtures';
import { MemoryExportStore } from '../support/memory-store';

const NOW = new Date('2026-10-05T06:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
const LEASE_MS = 10 * 60_000;

afterEach(async () => {
  await removeDataRoots();
});

function request(overrides: Partial<BeginRunRequest> = {}): BeginRunRequest {
  return {
    quarter: '2026-Q3',
    runId: 'schedule-2026-10-05T06:00:00Z',
    owner: 'request-1',
    requestedBy: 'schedule',
    dryRun: false,
    now: NOW,
    leaseMs: LEASE_MS,
    stage: 'run',
    ...overrides,
  };
}

function status(state: 'succeeded' | 'partial' | 'failed', at = later(60_000)): RunStatus {
  return {
    quarter: '2026-Q3',
    runId: 'schedule-2026-10-05T06:00:00Z',
    requestedBy: 'schedule',
    dryRun: false,
    status: state,
    updatedAt: at.toISOString(),
  };
}

async function diskRecords() {
  const store = new LocalExportStore(await createDataRoot());
  return { store, records: new RunRecords(store) };
}

/** Starts attempt 1 and ends it in `state`. */
async function finishedRun(records: RunRecords, state: 'succeeded' | 'partial' | 'failed') {
  const first = await records.begin(request());
  if (first.step !== 'start') throw new Error('the first request must start the run');
  await first.attempt.finish(status(state));
  return first.attempt;
}

describe('run records', () => {
  it('start attempt 1 for a run never requested, in the run folder under reports/runs/', async () => {
    const { store, records } = await diskRecords();

    const begun = await records.begin(request());

    expect(begun.step).toBe('start');
    const keys: string[] = [];
    for await (const object of store.list('reports/')) keys.push(object.key);
    expect(keys).toEqual(['reports/runs/2026-Q3/schedule-2026-10-05T06_00_00Z/attempt-0001.json']);
    expect(await records.latest('2026-Q3', 'schedule-2026-10-05T06:00:00Z')).toMatchObject({
      attempt: 1,
      owner: 'request-1',
      stage: 'run',
      state: 'running',
      leaseUntil: later(LEASE_MS).toISOString(),
    });
  });

  it('answer a request for a run that succeeded with its recorded status, writing nothing', async () => {
    const { store, records } = await diskRecords();
    await finishedRun(records, 'succeeded');
    const writes = countWrites(store);

    const again = await new RunRecords(writes.store).begin(
      request({ owner: 'request-2', now: later(3_600_000) }),
    );

    expect(again).toMatchObject({
      step: 'done',
      latest: { state: 'succeeded', status: status('succeeded') },
    });
    expect(writes.count).toBe(0);
  });

  it('let exactly one of ten concurrent deliveries of one request start the run', async () => {
    const { records } = await diskRecords();

    const steps = await Promise.all(
      Array.from({ length: 10 }, (_, index) => records.begin(request({ owner: `request-${index}` }))),
    );

    expect(steps.filter((begun) => begun.step === 'start')).toHaveLength(1);
    expect(steps.filter((begun) => begun.step === 'in-progress')).toHaveLength(9);
  });

  it("answer in progress while another owner's attempt holds a live lease", async () => {
    const { records } = await diskRecords();
    await records.begin(request());

    const second = await records.begin(request({ owner: 'request-2', now: later(LEASE_MS - 1) }));

    expect(second).toMatchObject({ step: 'in-progress', latest: { owner: 'request-1', attempt: 1 } });
  });

  it('let a retry of the same invocation (same owner) take over its attempt at once, as attempt 2', async () => {
    const { records } = await diskRecords();
    await records.begin(request());

    const retry = await records.begin(request({ now: later(60_000) }));

    expect(retry.step).toBe('start');
    expect(retry.step === 'start' && retry.attempt.record.attempt).toBe(2);
    expect(retry.step === 'start' && retry.previous?.state).toBe('running');
  });

  it('let anyone take over an attempt whose lease has run out', async () => {
    const { records } = await diskRecords();
    await records.begin(request());

    const late = await records.begin(request({ owner: 'request-2', now: later(LEASE_MS) }));

    expect(late.step).toBe('start');
  });

  it.each(['failed', 'partial'] as const)('start the next attempt after a %s one', async (state) => {
    const { records } = await diskRecords();
    await finishedRun(records, state);

    const retry = await records.begin(request({ owner: 'request-2', now: later(120_000) }));

    expect(retry.step === 'start' && retry.attempt.record.attempt).toBe(2);
  });

  it('leave a handed-over run to the state machine, whose reduce step continues it', async () => {
    const { records } = await diskRecords();
    const first = await records.begin(request());
    if (first.step !== 'start') throw new Error('the first request must start the run');
    await first.attempt.handOver(later(1_000));

    const repeated = await records.begin(request({ owner: 'request-2', now: later(2_000) }));
    const reduce = await records.begin(
      request({ owner: 'execution-1', stage: 'reduce', now: later(60_000) }),
    );

    expect(repeated.step).toBe('handed-over');
    expect(reduce.step === 'start' && reduce.attempt.record).toMatchObject({ attempt: 2, stage: 'reduce' });
  });

  it('let the reduce step continue a run whose run function died while handing over', async () => {
    const { records } = await diskRecords();
    await records.begin(request());

    const reduce = await records.begin(
      request({ owner: 'execution-1', stage: 'reduce', now: later(30_000) }),
    );

    expect(reduce.step).toBe('start');
  });

  it('refuse an attempt file that is not a run record, naming it and the fix', async () => {
    const { store, records } = await diskRecords();
    await store.write(
      'reports/runs/2026-Q3/schedule-2026-10-05T06_00_00Z/attempt-0001.json',
      '{"state":"done"}',
      'application/json',
    );

    await expect(records.begin(request())).rejects.toThrow(RunRecordError);
    await expect(records.begin(request())).rejects.toThrow(
      /attempt-0001\.json is not a run record \(.*state.*\); delete it to let the run be requested again/,
    );
  });
});

/** The store with its writes counted. */
function countWrites(inner: ExportStore) {
  const counter = { count: 0, store: inner };
  counter.store = {
    location: inner.location,
    list: (prefix) => inner.list(prefix),
    read: (key) => inner.read(key),
    readExportFile: (file, options) => inner.readExportFile(file, options),
    readText: (key) => inner.readText(key),
    write: async (key, body, type) => {
      counter.count += 1;
      await inner.write(key, body, type);
    },
    createIfAbsent: async (key, body, type) => {
      counter.count += 1;
      return inner.createIfAbsent(key, body, type);
    },
  };
  return counter;
}

/** The store with every operation's answer released by fast-check's scheduler, in any order. */
function scheduledStore(inner: MemoryExportStore, s: fc.Scheduler): ExportStore {
  return {
    location: inner.location,
    list: (prefix) =>
      (async function* () {
        yield* await s.schedule(collect(inner.list(prefix)));
      })(),
    read: (key) => inner.read(key),
    readExportFile: (file, options) => inner.readExportFile(file, options),
    readText: (key) => s.schedule(inner.readText(key)),
    write: (key, body) => s.schedule(inner.write(key, body)),
    // Atomic in the store, like S3's If-None-Match; only its answer is delayed.
    createIfAbsent: (key, body) => s.schedule(inner.createIfAbsent(key, body)),
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const latestStates = ['none', 'running', 'handed-over', 'succeeded', 'partial', 'failed'] as const;

describe('run records under concurrent requests (property)', () => {
  it('never let two concurrent requests of one stage both start, and never restart a succeeded run', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.constantFrom(...latestStates),
        fc.constantFrom<'run' | 'reduce'>('run', 'reduce'),
        fc.boolean(),
        fc.array(
          fc.record({
            owner: fc.constantFrom('request-1', 'request-2', 'request-3', 'execution-1'),
            stage: fc.constantFrom<'run' | 'reduce'>('run', 'reduce'),
            // Concurrent: within half a lease of each other, so no new attempt's lease runs out.
            afterMs: fc.integer({ min: 0, max: LEASE_MS / 2 }),
          }),
          { minLength: 2, maxLength: 6 },
        ),
        async (s, latestState, latestStage, leaseRunOut, requests) => {
          // Arrange: the run's latest attempt, as an earlier request left it.
          const memory = new MemoryExportStore();
          const setup = new RunRecords(memory);
          if (latestState !== 'none') {
            const first = await setup.begin(
              request({ owner: 'request-1', stage: latestStage, leaseMs: leaseRunOut ? 0 : 4 * LEASE_MS }),
            );
            if (first.step !== 'start') throw new Error('setup must start');
            if (latestState === 'handed-over') await first.attempt.handOver(NOW);
            else if (latestState !== 'running') await first.attempt.finish(status(latestState));
          }
          const records = new RunRecords(scheduledStore(memory, s));

          // Act: every request at once, their store calls answered in any order.
          const steps: { stage: string; step: RunStep }[] = await s.waitFor(
            Promise.all(
              requests.map(async (one) => ({
                stage: one.stage,
                step: (
                  await records.begin(
                    request({ owner: one.owner, stage: one.stage, now: later(one.afterMs) }),
                  )
                ).step,
              })),
            ),
          );

          // Assert
          for (const stage of ['run', 'reduce']) {
            expect(
              steps.filter((one) => one.stage === stage && one.step === 'start').length,
            ).toBeLessThanOrEqual(1);
          }
          if (latestState === 'succeeded') expect(steps.every((one) => one.step === 'done')).toBe(true);
          const numbers = [...memory.objects.keys()].map((key) => Number(/attempt-(\d+)/.exec(key)?.[1]));
          expect(numbers.sort((a, b) => a - b)).toEqual(numbers.map((_, index) => index + 1));
        },
      ),
      { numRuns: 300 },
    );
  });
});
