/**
 * The fast reader as the CLI and the functions use it: worker threads when there are cores
 * for them and the bundled worker is at hand; on this thread otherwise (from source).
 */

import { inlineChunkExecutor } from '../../core/fast/inline-chunk-executor';
import { fastExportSetReader } from '../../core/fast/read-export-set-fast';
import type { ExportSetReader } from '../../core/ingest/export-set-reader';
import { bundledWorkerUrl, defaultThreadCount, workerChunkExecutor } from './worker-chunk-executor';

export function createFastReader(options: { threads?: number } = {}): ExportSetReader {
  const threads = options.threads ?? defaultThreadCount();
  const workerUrl = bundledWorkerUrl();
  return fastExportSetReader({
    executor: () =>
      threads >= 1 && workerUrl
        ? workerChunkExecutor({ threads, workerUrl, helpOnThisThread: true })
        : inlineChunkExecutor(),
  });
}
