/**
 * The bytes reader as the CLI and the functions use it: worker threads when there are cores
 * for them and the bundled worker is at hand; on this thread otherwise (from source).
 */

import { createBytesReader } from '../../core/readers/bytes/bytes-reader';
import type { ChunkExecutor } from '../../core/readers/bytes/chunk-executor';
import { inlineChunkExecutor } from '../../core/readers/bytes/inline-chunk-executor';
import type { ExportSetReader } from '../../core/readers/export-set-reader';
import { bundledWorkerUrl, defaultThreadCount, workerChunkExecutor } from './worker-chunk-executor';

/** Reader threads (the main thread helping) when they can start; this thread alone otherwise. Close it when done. */
export function createChunkExecutor(options: { threads?: number } = {}): ChunkExecutor {
  const threads = options.threads ?? defaultThreadCount();
  const workerUrl = bundledWorkerUrl();
  return threads >= 1 && workerUrl
    ? workerChunkExecutor({ threads, workerUrl, helpOnThisThread: true })
    : inlineChunkExecutor();
}

export function createWorkerBytesReader(options: { threads?: number } = {}): ExportSetReader {
  return createBytesReader({ executor: () => createChunkExecutor(options) });
}
