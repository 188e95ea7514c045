import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/core/config';
import { inlineChunkExecutor } from '../../../src/core/fast/inline-chunk-executor';
import { fastExportSetReader } from '../../../src/core/fast/read-export-set-fast';
import type { ExportSetReader } from '../../../src/core/ingest/export-set-reader';
import { readExportSet } from '../../../src/core/ingest/read-export-set';
import { parseQuarter, quarterPeriod } from '../../../src/core/quarter';
import { MemoryExportStore } from '../../support/memory-store';
import { messyExportSet } from '../../support/messy-exports';
import { readingSummary } from '../../support/reading-summary';

const config = parseConfig({
  rejectLimitPercent: 100,
  timeZone: 'America/New_York',
  channelLabels: { portal: 'self_service', phone: 'assisted' },
});
const period = quarterPeriod(parseQuarter('2026-Q3') as NonNullable<ReturnType<typeof parseQuarter>>, 1);

const measure = (store: MemoryExportStore, reader: ExportSetReader) =>
  readingSummary(store, period, config, reader);

describe('the fast reader gives exactly what the straightforward reader gives', () => {
  it('on random messy export sets, with chunk and stream splits anywhere (inside quoted fields too)', async () => {
    await fc.assert(
      fc.asyncProperty(
        messyExportSet,
        fc.integer({ min: 1, max: 97 }),
        fc.integer({ min: 1, max: 13 }),
        async ({ files }, chunkBytes, pieceSize) => {
          const store = new MemoryExportStore(pieceSize);
          for (const [name, text] of Object.entries(files)) store.put(`exports/2026-Q3/${name}`, text);
          const expected = await measure(store, readExportSet);
          const actual = await measure(
            store,
            fastExportSetReader({ executor: inlineChunkExecutor, chunkBytes }),
          );
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports the same rejected rows, lines and reasons on a hand-made set', async () => {
    const store = new MemoryExportStore(5);
    store.put(
      'exports/2026-Q3/clients.csv',
      'client_id,customer_since\r\nC1,2025-01-01\r\nC1,2025-02-01\r\n"C2",2026-13-01\r\n',
    );
    store.put(
      'exports/2026-Q3/interactions.csv',
      'interaction_id,client_id,occurred_at,channel\nI1,C1,2026-07-01,assisted\n"I2","C1","2026-07-02","multi\nline"\nI1,C1,2026-07-03,self_service\nI3,C2,2026-07-04,assisted\n',
    );
    const fast = await measure(store, fastExportSetReader({ executor: inlineChunkExecutor, chunkBytes: 8 }));
    expect(fast).toEqual(await measure(store, readExportSet));
    expect(fast.dataQuality.interactions.examples).toEqual([
      expect.objectContaining({ line: 3, reason: expect.stringContaining("channel 'multi") }),
      {
        file: 'interactions.csv',
        line: 5,
        reason: "interaction_id 'I1' repeats an earlier row; the first is kept",
      },
      {
        file: 'interactions.csv',
        line: 6,
        reason: "client_id 'C2' is in clients.csv but its row there was rejected",
      },
    ]);
  });
});
