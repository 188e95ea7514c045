import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config';
import { parseQuarter, type Quarter, quarterPeriod } from '../../src/core/quarter';
import type { ExportSetReader } from '../../src/core/readers/export-set-reader';
import { readExportSet } from '../../src/core/readers/simple/read-export-set';
import {
  DistributedRunError,
  planRun,
  planShuffle,
  readerFromPartials,
  type ShuffleSizing,
} from '../../src/use-cases/distributed-run';
import { measurePart, PartMeasureError } from '../../src/use-cases/measure-part';
import { measureQuarter } from '../../src/use-cases/measure-quarter';
import { resolveRange } from '../../src/use-cases/resolve-range';
import { runQuarter } from '../../src/use-cases/run-quarter';
import { shuffleIn } from '../../src/wiring/shuffle';
import { runDistributedSteps } from '../support/distributed-steps';
import { MemoryExportStore } from '../support/memory-store';
import { messyExportSet } from '../support/messy-exports';
import { readingSummary } from '../support/reading-summary';
import { repeatingExportSet } from '../support/repeating-exports';

const config = parseConfig({ rejectLimitPercent: 100, distributedAboveMiB: 0.000001 });
const quarter = parseQuarter('2026-Q3') as Quarter;
const period = quarterPeriod(quarter, 1);

/** Every step, the maps' items backwards (a Distributed Map runs them in any order). */
function mapAllParts(store: MemoryExportStore, runId: string, sizing?: ShuffleSizing): Promise<void> {
  return runDistributedSteps({ store, config, quarter: '2026-Q3', runId, sizing, backwards: true });
}

const measured = (store: MemoryExportStore, reader: ExportSetReader) =>
  readingSummary(store, period, config, reader);

const reducer = (store: MemoryExportStore, runId: string) =>
  readerFromPartials({ runId, shuffle: shuffleIn(store) });

const interactionsHeader = 'interaction_id,client_id,occurred_at,channel';

function noClaims() {
  return {
    length: 0,
    hashHigh: new Int32Array(0),
    hashLow: new Int32Array(0),
    client: new Int32Array(0),
    flags: new Uint8Array(0),
    value: new Int32Array(0),
    position: new Float64Array(0),
    idStart: new Int32Array(0),
    idEnd: new Int32Array(0),
    idBytes: new Uint8Array(0),
  };
}

/**
 * Every step (in either order, with any number of ranges and claims per piece) reads the
 * export set as one pass of the simple reader does: measures, rejections, provenance, counts.
 */
function sameAsOnePass(exportSets: fc.Arbitrary<{ readonly files: Record<string, string> }>) {
  return fc.asyncProperty(
    exportSets,
    fc.record({ ranges: fc.integer({ min: 1, max: 5 }), pieceClaims: fc.integer({ min: 1, max: 9 }) }),
    fc.boolean(),
    async ({ files }, sizing, backwards) => {
      const store = new MemoryExportStore(7);
      for (const [name, text] of Object.entries(files)) store.put(`exports/2026-Q3/${name}`, text);
      const expected = await measured(store, readExportSet);
      await runDistributedSteps({ store, config, quarter: '2026-Q3', runId: 'run-1', sizing, backwards });
      expect(await measured(store, reducer(store, 'run-1'))).toEqual(expected);
    },
  );
}

/** The map step of run 'r' on one part. */
function mapPart(store: MemoryExportStore, key: string, attempt: string) {
  const task = { quarter: '2026-Q3', runId: 'r', key };
  return measurePart({ store, config, shuffle: shuffleIn(store), task, attempt });
}

/** What the reduce of run 'r' finds wrong. */
async function reducedProblems(store: MemoryExportStore): Promise<string[]> {
  return (await measureQuarter({ store, period, config, reader: reducer(store, 'r') })).reading.problems;
}

/** Clients C1, C2 and two parts of interactions. */
function twoParts(): MemoryExportStore {
  const store = new MemoryExportStore();
  store.put('exports/2026-Q3/clients.csv', 'client_id,customer_since\nC1,2025-01-01\nC2,2025-01-01\n');
  store.put('exports/2026-Q3/interactions/part-1.csv', `${interactionsHeader}\nI1,C1,2026-07-02,assisted\n`);
  store.put('exports/2026-Q3/interactions/part-2.csv', `${interactionsHeader}\nI2,C1,2026-07-02,assisted\n`);
  return store;
}

describe('the distributed run (map and reduce run in process)', () => {
  it('gives the same measures, rejections and provenance as one pass of the simple reader, for any ranges and pieces', async () => {
    await fc.assert(
      sameAsOnePass(
        messyExportSet.filter(({ files }) =>
          Object.keys(files).some((name) => name.startsWith('interactions/')),
        ),
      ),
      { numRuns: 100 },
    );
  });

  it('keeps the first row of an id repeated within a part, across parts and across the quarter, as one pass does', async () => {
    await fc.assert(sameAsOnePass(repeatingExportSet), { numRuns: 100 });
  });

  it('keeps the first row of an id repeated within a part and across parts, in and out of the quarter (hand-computed)', async () => {
    // Arrange: I1 in Q, repeated in part 1 (line 3) and part 2 (line 2); I2 out of Q first,
    // then in Q in part 2 (a repeat: not counted); I3 in Q in part 2, repeated out of Q.
    const store = new MemoryExportStore();
    store.put('exports/2026-Q3/clients.csv', 'client_id,customer_since\nC1,2025-01-01\nC2,2025-01-01\n');
    store.put(
      'exports/2026-Q3/interactions/part-1.csv',
      `${interactionsHeader}\nI1,C1,2026-07-02,self_service\nI2,C1,2026-05-02,assisted\nI1,C2,2026-07-03,assisted\n`,
    );
    store.put(
      'exports/2026-Q3/interactions/part-2.csv.gz',
      `${interactionsHeader}\nI1,C2,2026-07-04,assisted\nI2,C2,2026-08-01,self_service\nI3,C2,2026-09-01,assisted\nI3,C1,2026-10-02,assisted\n`,
    );

    // Act: three ranges, pieces of one claim, so every claim travels alone.
    await mapAllParts(store, 'r', { ranges: 3, pieceClaims: 1 });
    const { reading } = await measureQuarter({ store, period, config, reader: reducer(store, 'r') });

    // Assert: kept are I1 (C1, self-service), I2 (out of Q) and I3 (C2, assisted).
    expect([...reading.activity.selfService]).toEqual([1, 0]);
    expect([...reading.activity.assisted]).toEqual([0, 1]);
    const repeat = (id: string) => `interaction_id '${id}' repeats an earlier row; the first is kept`;
    expect(reading.dataQuality.interactions).toMatchObject({
      rows: 7,
      rejected: 4,
      examples: [
        { file: 'interactions/part-1.csv', line: 4, reason: repeat('I1') },
        { file: 'interactions/part-2.csv.gz', line: 2, reason: repeat('I1') },
        { file: 'interactions/part-2.csv.gz', line: 3, reason: repeat('I2') },
        { file: 'interactions/part-2.csv.gz', line: 5, reason: repeat('I3') },
      ],
    });
  });

  it('writes a kpis.json identical to the single-process run', async () => {
    const store = new MemoryExportStore();
    store.put(
      'exports/2026-Q3/clients.csv',
      'client_id,customer_since,region\nC1,2025-01-01,EMEA\nC2,2026-08-01,NA\nC3,2024-05-01,NA\n',
    );
    store.put(
      'exports/2026-Q3/interactions/part-1.csv.gz',
      'interaction_id,client_id,occurred_at,channel\nI1,C1,2026-07-02,self_service\nI2,C2,2026-08-03T10:00:00Z,assisted\n',
    );
    store.put(
      'exports/2026-Q3/interactions/part-2.csv',
      'interaction_id,client_id,occurred_at,channel\nI2,C1,2026-08-04,self_service\nI3,C3,2026-09-30T23:30:00-05:00,self_service\n',
    );
    const now = new Date('2026-10-05T06:00:00Z');
    const single = (await runQuarter({ store, config, quarter, now })).snapshot;
    await mapAllParts(store, 'schedule-1');
    const reduced = (await runQuarter({ store, config, quarter, now, reader: reducer(store, 'schedule-1') }))
      .snapshot;
    expect(reduced).toEqual(single);
    // The repeat of I2 across parts is found by the reducer, in part order.
    expect(reduced.dataQuality.interactions.examples).toEqual([
      {
        file: 'interactions/part-2.csv',
        line: 2,
        reason: "interaction_id 'I2' repeats an earlier row; the first is kept",
      },
    ]);
  });

  it('fails the reduce when a part has no partial', async () => {
    const store = twoParts();
    const shuffle = shuffleIn(store);
    await planShuffle({ store, shuffle, quarter: '2026-Q3', runId: 'r' });
    await mapPart(store, 'exports/2026-Q3/interactions/part-1.csv', 'a');
    expect(await reducedProblems(store)).toEqual([
      'interactions/part-2.csv has no partial aggregate from the map step; run the quarter again',
    ]);
  });

  it('fails the range step until every part is mapped, and the reduce until every range is resolved', async () => {
    const store = twoParts();
    const shuffle = shuffleIn(store);
    await planShuffle({ store, shuffle, quarter: '2026-Q3', runId: 'r', sizing: { ranges: 2 } });
    const resolve = (range: number) =>
      resolveRange({ shuffle, task: { quarter: '2026-Q3', runId: 'r', range } });

    await mapPart(store, 'exports/2026-Q3/interactions/part-1.csv', 'a');
    await expect(resolve(0)).rejects.toThrow(DistributedRunError);
    await expect(resolve(0)).rejects.toThrow(/part-2\.csv was not mapped for this run/);
    await mapPart(store, 'exports/2026-Q3/interactions/part-2.csv', 'a');
    await resolve(1);
    await expect(resolve(2)).rejects.toThrow(DistributedRunError);
    await expect(resolve(2)).rejects.toThrow(/range 2 is not one of the run's 2 hash ranges/);
    expect(await reducedProblems(store)).toEqual([
      'the interaction ids of hash range 1 of 2 were not checked for repeats; run the quarter again',
    ]);
  });

  it('refuses to map a part the run did not plan, and to reduce parts that changed since the plan', async () => {
    const store = twoParts();
    await mapAllParts(store, 'r');
    const added = 'exports/2026-Q3/interactions/part-3.csv';
    store.put(added, `${interactionsHeader}\nI9,C1,2026-07-02,assisted\n`);

    await expect(mapPart(store, added, 'a')).rejects.toThrow(DistributedRunError);
    await expect(mapPart(store, added, 'a')).rejects.toThrow(/is not one of the 2 parts the run planned/);
    expect(await reducedProblems(store)).toEqual([
      'the interactions parts changed (2 planned, 3 listed now) since the distributed run was planned; run the quarter again',
    ]);
  });

  it("fails a part that cannot be read naming the part, and a write that fails with the store's own error", async () => {
    // Arrange: part 2 is a gzip stream cut short; the store refuses to write claims.
    const store = twoParts();
    const rows = Array.from({ length: 2_000 }, (_, i) => `I${i},C1,2026-07-02,assisted`).join('\n');
    const gzipped = gzipSync(`${interactionsHeader}\n${rows}\n`);
    store.objects.set('exports/2026-Q3/interactions/part-2.csv.gz', gzipped.subarray(0, gzipped.length - 40));
    store.objects.delete('exports/2026-Q3/interactions/part-2.csv');
    store.put('exports/2026-Q3/interactions/part-1.csv', `${interactionsHeader}\n${rows}\n`);
    // Pieces of one claim: writes fail while the part is being read.
    await planShuffle({
      store,
      shuffle: shuffleIn(store),
      quarter: '2026-Q3',
      runId: 'r',
      sizing: { pieceClaims: 1 },
    });
    const refusing = Object.assign(Object.create(store) as MemoryExportStore, {
      write: async (key: string, body: string | Uint8Array) => {
        if (key.endsWith('.claims')) throw new Error('SlowDown: reduce your request rate');
        return store.write(key, body);
      },
    });

    // Act / Assert
    const cut = mapPart(store, 'exports/2026-Q3/interactions/part-2.csv.gz', 'a');
    await expect(cut).rejects.toThrow(PartMeasureError);
    await expect(cut).rejects.toThrow(/^exports\/2026-Q3\/interactions\/part-2\.csv\.gz could not be read: /);
    await expect(mapPart(refusing, 'exports/2026-Q3/interactions/part-1.csv', 'a')).rejects.toThrow(
      /^SlowDown: reduce your request rate$/,
    );
  });

  it('refuses to reduce when clients.csv changed after the map steps read it', async () => {
    const store = twoParts();
    await mapAllParts(store, 'r');
    store.put('exports/2026-Q3/clients.csv', 'client_id,customer_since\nC0,2025-01-01\nC1,2025-01-01\n');

    expect(await reducedProblems(store)).toEqual([
      'clients.csv changed after the map step read interactions/part-1.csv (client numbers would not match); run the quarter again',
    ]);
  });

  it('reads what the last attempt at a part wrote, even when an earlier attempt writes after it', async () => {
    // Arrange: every step once (part 1's attempt is 'attempt-1'), then a retry of part 1.
    const store = twoParts();
    const shuffle = shuffleIn(store);
    await mapAllParts(store, 'r', { ranges: 1, pieceClaims: 1 });
    const expected = await measured(store, readExportSet);
    await mapPart(store, 'exports/2026-Q3/interactions/part-1.csv', 'retry');

    // Act: the first attempt, still running (a timed-out invocation), overwrites its piece
    // with other claims; then the range step runs again.
    await shuffle('2026-Q3', 'r').writePiece(0, 'attempt-1', 0, 0, noClaims());
    await resolveRange({ shuffle, task: { quarter: '2026-Q3', runId: 'r', range: 0 } });

    // Assert
    expect(await measured(store, reducer(store, 'r'))).toEqual(expected);
  });

  it('plans one hash range per 2 GiB of interactions text, gzip counted five times', async () => {
    const store = new MemoryExportStore();
    const shuffle = shuffleIn(store);
    store.put('exports/2026-Q3/interactions/part-1.csv', 'interaction_id\n');
    store.put('exports/2026-Q3/interactions/part-2.csv.gz', 'interaction_id\n');
    const gzipped = (store.objects.get('exports/2026-Q3/interactions/part-2.csv.gz') as Uint8Array).length;

    const planned = await planShuffle({ store, shuffle, quarter: '2026-Q3', runId: 'r' });
    const plan = await shuffle('2026-Q3', 'r').readPlan();

    expect(planned).toEqual({ ranges: 1, parts: 2 });
    expect(plan).toMatchObject({
      quarter: '2026-Q3',
      ranges: 1,
      pieceClaims: 131_072,
      parts: [
        { key: 'exports/2026-Q3/interactions/part-1.csv', size: 15 },
        { key: 'exports/2026-Q3/interactions/part-2.csv.gz', size: gzipped },
      ],
    });
  });

  it('plans a distributed run only for a dataset in parts above the threshold', async () => {
    const store = new MemoryExportStore();
    store.put('exports/2026-Q3/interactions/part-1.csv', 'interaction_id\n');
    store.put('exports/2026-Q3/interactions/part-2.csv', 'interaction_id\n');
    expect(await planRun({ store, config, quarter: '2026-Q3' })).toMatchObject({
      mode: 'distributed',
      parts: ['exports/2026-Q3/interactions/part-1.csv', 'exports/2026-Q3/interactions/part-2.csv'],
    });
    const small = parseConfig({});
    expect(await planRun({ store, config: small, quarter: '2026-Q3' })).toMatchObject({ mode: 'single' });
    const oneFile = new MemoryExportStore();
    oneFile.put('exports/2026-Q3/interactions.csv', 'interaction_id\n');
    expect((await planRun({ store: oneFile, config, quarter: '2026-Q3' })).reason).toMatch(
      /upload it as parts/,
    );
  });
});
