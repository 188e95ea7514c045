/** The fast reader as the CLI and the functions use it: worker threads when there are cores for them. */

import { inlineChunkExecutor } from '../../core/fast/inline-chunk-executor';
import { fastExportSetReader } from '../../core/fast/read-export-set-fast';
import type { ExportSetReader } from '../../core/ingest/export-set-reader';
import { defaultThreadCount, workerChunkExecutor } from './worker-chunk-executor';

export function createFastReader(options: { threads?: number } = {}): ExportSetReader {
  const threads = options.threads ?? defaultThreadCount();
  return fastExportSetReader({
    executor: () => (threads > 1 ? workerChunkExecutor({ threads }) : inlineChunkExecutor()),
  });
}
