import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config';
import type { ExportSetReader } from '../../src/core/ingest/export-set-reader';
import { readExportSet } from '../../src/core/ingest/read-export-set';
import { parseQuarter, type Quarter, quarterPeriod } from '../../src/core/quarter';
import { measurePart, planRun, readerFromPartials } from '../../src/use-cases/distributed-run';
import { measureQuarter } from '../../src/use-cases/measure-quarter';
import { runQuarter } from '../../src/use-cases/run-quarter';
import { MemoryExportStore } from '../support/memory-store';
import { messyExportSet } from '../support/messy-exports';
import { readingSummary } from '../support/reading-summary';

const config = parseConfig({ rejectLimitPercent: 100, distributedAboveMiB: 0.000001 });
const quarter = parseQuarter('2026-Q3') as Quarter;
const period = quarterPeriod(quarter, 1);

async function mapAllParts(store: MemoryExportStore, runId: string): Promise<void> {
  const keys = [...store.objects.keys()].filter((key) => key.startsWith('exports/2026-Q3/interactions/'));
  // The map runs its items in any order: do it backwards.
  for (const key of keys.reverse())
    await measurePart({ store, config, task: { quarter: '2026-Q3', runId, key } });
}

const measured = (store: MemoryExportStore, reader: ExportSetReader) =>
  readingSummary(store, period, config, reader);

describe('the distributed mode (map and reduce run in process)', () => {
  it('gives the same measures, rejections and provenance as one straightforward pass', async () => {
    await fc.assert(
      fc.asyncProperty(
        messyExportSet.filter(({ files }) =>
          Object.keys(files).some((name) => name.startsWith('interactions/')),
        ),
        async ({ files }) => {
          const store = new MemoryExportStore(7);
          for (const [name, text] of Object.entries(files)) store.put(`exports/2026-Q3/${name}`, text);
          const expected = await measured(store, readExportSet);
          await mapAllParts(store, 'run-1');
          expect(await measured(store, readerFromPartials({ runId: 'run-1' }))).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
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
    const reduced = (
      await runQuarter({ store, config, quarter, now, reader: readerFromPartials({ runId: 'schedule-1' }) })
    ).snapshot;
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
    const store = new MemoryExportStore();
    store.put('exports/2026-Q3/clients.csv', 'client_id,customer_since\nC1,2025-01-01\n');
    store.put(
      'exports/2026-Q3/interactions/part-1.csv',
      'interaction_id,client_id,occurred_at,channel\nI1,C1,2026-07-02,assisted\n',
    );
    store.put(
      'exports/2026-Q3/interactions/part-2.csv',
      'interaction_id,client_id,occurred_at,channel\nI2,C1,2026-07-02,assisted\n',
    );
    await measurePart({
      store,
      config,
      task: { quarter: '2026-Q3', runId: 'r', key: 'exports/2026-Q3/interactions/part-1.csv' },
    });
    const { reading } = await measureQuarter({
      store,
      period,
      config,
      reader: readerFromPartials({ runId: 'r' }),
    });
    expect(reading.problems).toEqual([
      'interactions/part-2.csv has no partial aggregate from the map step; run the quarter again',
    ]);
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
