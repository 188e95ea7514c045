import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerChunkExecutor } from '../../../src/adapters/workers/worker-chunk-executor';
import { parseConfig } from '../../../src/core/config';
import { parseQuarter, type Quarter, quarterPeriod } from '../../../src/core/quarter';
import { createBytesReader } from '../../../src/core/readers/bytes/bytes-reader';
import type { ExportSetReader } from '../../../src/core/readers/export-set-reader';
import { readExportSet } from '../../../src/core/readers/simple/read-export-set';
import { readerFromPartials } from '../../../src/use-cases/distributed-run';
import { shuffleIn } from '../../../src/wiring/shuffle';
import { runDistributedSteps } from '../../support/distributed-steps';
import { MemoryExportStore } from '../../support/memory-store';
import { messyExportSet } from '../../support/messy-exports';
import { readingSummary } from '../../support/reading-summary';
import { repeatingExportSet } from '../../support/repeating-exports';

// Vitest cannot start a worker from TypeScript source: bundle the worker as the build does.
let folder: string;
let workerUrl: URL;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ingest-worker-'));
  const outfile = join(folder, 'ingest-worker.mjs');
  await build({
    entryPoints: ['src/adapters/workers/ingest-worker.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
  });
  workerUrl = pathToFileURL(outfile);
});
afterAll(() => rm(folder, { recursive: true, force: true }));

const config = parseConfig({ rejectLimitPercent: 100 });
const period = quarterPeriod(parseQuarter('2026-Q3') as Quarter, 1);

const measured = (store: MemoryExportStore, reader: ExportSetReader) =>
  readingSummary(store, period, config, reader);

describe('worker threads', () => {
  it('read chunks on two threads and give what one pass of the simple reader gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        messyExportSet,
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        async ({ files }, chunkBytes, onePlusHere) => {
          const store = new MemoryExportStore(11);
          for (const [name, text] of Object.entries(files)) store.put(`exports/2026-Q3/${name}`, text);
          // Two workers, or one worker and this thread (as on a 2-core host); the first worker
          // also checks half of the interactions' ids.
          const reader = createBytesReader({
            executor: () =>
              onePlusHere
                ? workerChunkExecutor({ threads: 1, workerUrl, helpOnThisThread: true })
                : workerChunkExecutor({ threads: 2, workerUrl }),
            chunkBytes,
          });
          expect(await measured(store, reader)).toEqual(await measured(store, readExportSet));
        },
      ),
      { numRuns: 20 },
    );
  });

  it('run the map step of the distributed mode, whose tallies and claims reduce to one pass of the simple reader', async () => {
    const distributed = parseConfig({ rejectLimitPercent: 100, distributedAboveMiB: 0.000001 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          messyExportSet.filter(({ files }) =>
            Object.keys(files).some((name) => name.startsWith('interactions/')),
          ),
          repeatingExportSet,
        ),
        async ({ files }) => {
          const store = new MemoryExportStore(5);
          for (const [name, text] of Object.entries(files)) store.put(`exports/2026-Q3/${name}`, text);
          await runDistributedSteps({
            store,
            config: distributed,
            quarter: '2026-Q3',
            runId: 'r',
            sizing: { ranges: 2, pieceClaims: 3 },
            // As the map-part function does: one worker and this thread, closed after the part.
            executor: () => workerChunkExecutor({ threads: 1, workerUrl, helpOnThisThread: true }),
          });
          const reduced = await readingSummary(
            store,
            period,
            distributed,
            readerFromPartials({ runId: 'r', shuffle: shuffleIn(store) }),
          );
          expect(reduced).toEqual(await readingSummary(store, period, distributed, readExportSet));
        },
      ),
      { numRuns: 10 },
    );
  });

  it('fails the reading, not the process, when a worker cannot read', async () => {
    const executor = workerChunkExecutor({ threads: 1, workerUrl });
    const plan = { dataset: 'interactions' } as never;
    await expect(executor.read(plan, new Uint8Array([49, 10]))).rejects.toThrow(
      /Cannot read properties of undefined/,
    );
    await executor.close();
  });
});
