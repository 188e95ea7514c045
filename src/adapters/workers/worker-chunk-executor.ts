/**
 * Runs the bytes reader's chunks on worker threads, so that every core reads. Each worker
 * gets a file's plan once (the client table travels as shared memory), then chunks, which
 * are moved to it, not copied, and back. A chunk goes to the worker with the least work
 * queued.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChunkExecutor, ParsedClientsChunk } from '../../core/readers/bytes/chunk-executor';
import type { ChunkResult, DatasetPlan } from '../../core/readers/bytes/chunk-plan';
import type { ClientsPlan, ParsedClients } from '../../core/readers/bytes/clients-rows';
import { inlineChunkExecutor } from '../../core/readers/bytes/inline-chunk-executor';
import type { WorkerRequest, WorkerResponse } from './ingest-worker';

interface PendingChunk {
  resolve(response: WorkerResponse): void;
  reject(error: Error): void;
}

interface PooledWorker {
  readonly worker: Worker;
  readonly plans: Set<number>;
  readonly pending: Map<number, PendingChunk>;
}

/**
 * The worker's bundled code next to this module (dist/ or a Lambda asset), or undefined
 * when running from TypeScript source (tsx, vitest), where a worker could not load it.
 */
export function bundledWorkerUrl(): URL | undefined {
  const url = new URL('./ingest-worker.mjs', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * Reader threads: one per core but the main thread's (which streams, checksums and folds),
 * at most 4; none on a one-core host, where the main thread reads alone. On a 2-core host
 * that is one worker: a second one made 20 M rows only 6% faster for 70 MiB more memory
 * (a V8 isolate and its chunks in flight).
 */
export function defaultThreadCount(): number {
  return Math.max(0, Math.min(availableParallelism() - 1, 4));
}

export function workerChunkExecutor(options: {
  threads?: number;
  workerUrl: URL;
  /**
   * Read a chunk on this thread too when every worker already has three queued: the main
   * thread's own work (streaming, checksums, folding) leaves it idle part of the time. Three,
   * not two: with two the main thread read so many chunks itself that it became the slower
   * of the two threads on 2 cores (3.80 s against 4.13 s for the 10M set, median of 6 pairs).
   */
  helpOnThisThread?: boolean;
}): ChunkExecutor {
  const threads = options.threads ?? defaultThreadCount();
  const here = options.helpOnThisThread ? inlineChunkExecutor() : undefined;
  const pool: PooledWorker[] = [];
  const planIds = new WeakMap<DatasetPlan | ClientsPlan, number>();
  let nextPlanId = 0;
  let nextChunkId = 0;

  const start = (): PooledWorker => {
    const worker = new Worker(options.workerUrl, { resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    const pooled: PooledWorker = { worker, plans: new Set(), pending: new Map() };
    worker.on('message', (message: WorkerResponse) => {
      const waiting = pooled.pending.get(message.id);
      pooled.pending.delete(message.id);
      if (message.error !== undefined) {
        waiting?.reject(new Error(`reading a chunk failed: ${message.error}`));
      } else {
        waiting?.resolve(message);
      }
    });
    const failAll = (error: Error) => {
      for (const waiting of pooled.pending.values()) waiting.reject(error);
      pooled.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      if (pooled.pending.size > 0) failAll(new Error(`a reader thread stopped (exit code ${code})`));
    });
    pool.push(pooled);
    return pooled;
  };
  // Started now, not at the first chunk: a thread loads its code while this one reads clients.csv.
  while (pool.length < threads) start();

  /** Sends a chunk (moved, with `extra`: a spare buffer) to the least busy worker; resolves with its answer. */
  const send = (plan: DatasetPlan | ClientsPlan, chunk: Uint8Array, extra?: ArrayBuffer) => {
    let planId = planIds.get(plan);
    if (planId === undefined) {
      planId = nextPlanId++;
      planIds.set(plan, planId);
    }
    const idle = pool.length < threads ? start() : leastBusy(pool);
    if (!idle.plans.has(planId)) {
      idle.plans.add(planId);
      idle.worker.postMessage({ type: 'plan', planId, plan } satisfies WorkerRequest);
    }
    const id = nextChunkId++;
    return new Promise<WorkerResponse>((resolve, reject) => {
      idle.pending.set(id, { resolve, reject });
      const moved = [chunk.buffer as ArrayBuffer];
      if (extra) moved.push(extra);
      idle.worker.postMessage(
        { type: 'chunk', id, planId, chunk, spare: extra } satisfies WorkerRequest,
        moved,
      );
    });
  };
  /** Whether this thread should read the chunk itself: every worker already has three queued. */
  const helpHere = () => pool.length === threads && leastBusy(pool).pending.size >= 3;

  return {
    parallelism: threads + (here ? 1 : 0),
    async read(plan, chunk, spareClaims) {
      if (here && helpHere()) return here.read(plan, chunk, spareClaims);
      const response = await send(plan, chunk, spareClaims);
      const result = response.result as ChunkResult;
      return response.chunk ? { ...result, chunk: response.chunk } : result;
    },
    // Never on this thread: it numbers the parsed ids in file order, the one serial step.
    async parseClients(plan, chunk, spareRows): Promise<ParsedClientsChunk> {
      const response = await send(plan, chunk, spareRows);
      return { parsed: response.result as ParsedClients, chunk: response.chunk as Uint8Array };
    },
    async close() {
      await Promise.all(pool.map(({ worker }) => worker.terminate()));
      pool.length = 0;
    },
  };
}

function leastBusy(pool: PooledWorker[]): PooledWorker {
  return pool.reduce((best, candidate) => (candidate.pending.size < best.pending.size ? candidate : best));
}
