/**
 * The distributed mode, for export sets beyond one function's 15 minutes: a Step Functions
 * Distributed Map runs `measurePart` on every part of the quarter's interactions dataset
 * (`exports/<quarter>/interactions/part-*.csv[.gz]`), each writing its partial aggregate
 * under `reports/runs/<quarter>/<runId>/partials/`; the reducer then runs the normal report
 * with `readerFromPartials`, which folds them in part order instead of reading interactions.
 * Each map step reads clients.csv itself, so client indexes agree everywhere.
 */
import { PartialMerger } from '../core/aggregate/partial-aggregate';
import { decodePartial, encodePartial } from '../core/aggregate/partial-codec';
import type { Config } from '../core/config';
import { inlineChunkExecutor } from '../core/fast/inline-chunk-executor';
import { type ChunkExecutor, readExportSetFast } from '../core/fast/read-export-set-fast';
import { discoverExportSet } from '../core/ingest/discover-export-set';
import type { ExportSetReader } from '../core/ingest/export-set-reader';
import type { ExportStore } from '../core/ports';
import { parseQuarter, type Quarter, quarterPeriod } from '../core/quarter';
import { reportKeys } from './report-keys';

/** One item of the map: a part of the interactions dataset. */
export interface PartTask {
  readonly quarter: string;
  readonly runId: string;
  /** The part's key under the data root, e.g. `exports/2026-Q3/interactions/part-0001.csv.gz`. */
  readonly key: string;
}

export interface PartResult {
  readonly key: string;
  /** Where the partial aggregate was written, or undefined for a key that is not a CSV part. */
  readonly partialKey: string | undefined;
  readonly rows: number;
  readonly rejected: number;
}

/** What a run should do with a quarter: read it in one function, or fan out over its parts. */
export interface RunPlan {
  readonly mode: 'single' | 'distributed';
  /** Stored bytes of the interactions dataset. */
  readonly interactionsBytes: number;
  /** Keys of the interactions parts (empty when the dataset is one file). */
  readonly parts: readonly string[];
  readonly thresholdBytes: number;
  /** One sentence for the logs: why this mode. */
  readonly reason: string;
}

export function interactionsPartsPrefix(quarter: string): string {
  return `exports/${quarter}/interactions/`;
}

function partialKey(task: Pick<PartTask, 'quarter' | 'runId' | 'key'>): string {
  const name = task.key.slice(interactionsPartsPrefix(task.quarter).length).replace(/[^A-Za-z0-9._-]/g, '_');
  return `${reportKeys.partials(task.quarter, task.runId)}${name}.partial`;
}

function periodOf(quarter: string, config: Config) {
  return quarterPeriod(parseQuarter(quarter) as Quarter, config.fiscalYearStartMonth);
}

/** Decides between one function and the Distributed Map (config `distributedAboveMiB`). */
export async function planRun(options: {
  store: ExportStore;
  config: Config;
  quarter: string;
}): Promise<RunPlan> {
  const discovered = await discoverExportSet(options.store, options.quarter);
  const files = discovered.files.interactions ?? [];
  const interactionsBytes = files.reduce((sum, file) => sum + file.size, 0);
  const thresholdBytes = options.config.distributedAboveMiB * 2 ** 20;
  const parts = files.filter((file) => file.name.startsWith('interactions/')).map((file) => file.key);
  const base = { interactionsBytes, parts, thresholdBytes };
  const size = `${(interactionsBytes / 2 ** 20).toFixed(0)} MiB of interactions`;
  if (interactionsBytes <= thresholdBytes) {
    return { ...base, mode: 'single', reason: `${size}, within distributedAboveMiB` };
  }
  if (parts.length < 2) {
    return {
      ...base,
      mode: 'single',
      reason: `${size} is over distributedAboveMiB, but one file cannot be shared out: upload it as parts under ${interactionsPartsPrefix(options.quarter)}`,
    };
  }
  return {
    ...base,
    mode: 'distributed',
    reason: `${size} in ${parts.length} parts, over distributedAboveMiB`,
  };
}

/** The map step: reads one interactions part and writes its partial aggregate. */
export async function measurePart(options: {
  store: ExportStore;
  config: Config;
  task: PartTask;
  executor?: ChunkExecutor;
}): Promise<PartResult> {
  const { store, config, task } = options;
  if (!/\.csv(\.gz)?$/i.test(task.key) || !task.key.startsWith(interactionsPartsPrefix(task.quarter))) {
    return { key: task.key, partialKey: undefined, rows: 0, rejected: 0 };
  }
  const merger = new PartialMerger('interactions');
  const reading = await readExportSetFast({
    store,
    config,
    period: periodOf(task.quarter, config),
    executor: options.executor ?? inlineChunkExecutor(),
    distributed: {
      onePart: { key: task.key, collect: (chunk) => merger.add(chunk) },
    },
  });
  const provenance = reading.dataQuality.interactions.files[0];
  if (provenance === undefined) {
    throw new Error(
      `${task.key} could not be measured: ${reading.problems.join('; ') || 'it is not in the export set'}`,
    );
  }
  const partial = merger.result();
  const key = partialKey(task);
  await store.write(key, encodePartial({ partial, provenance }), 'application/octet-stream');
  return { key: task.key, partialKey: key, rows: partial.rows, rejected: partial.rejected };
}

/**
 * The reduce step's reader: reads clients, services, surveys and costs as usual and
 * takes interactions from the partials the map step wrote (failing if a part has none).
 */
export function readerFromPartials(options: {
  runId: string;
  executor?: () => ChunkExecutor;
}): ExportSetReader {
  return async (readOptions) => {
    const executor = (options.executor ?? inlineChunkExecutor)();
    const quarter = readOptions.period.label;
    // Earlier quarters (for trends) have no partials of this run: they are read from their files.
    const mapped = await hasAny(readOptions.store, reportKeys.partials(quarter, options.runId));
    try {
      if (!mapped) return await readExportSetFast({ ...readOptions, executor });
      return await readExportSetFast({
        ...readOptions,
        executor,
        distributed: {
          interactionsFrom: async (file) => {
            const stored = await readBytes(
              readOptions.store,
              partialKey({ quarter, runId: options.runId, key: file.key }),
            );
            return stored && decodePartial(stored);
          },
        },
      });
    } finally {
      await executor.close();
    }
  };
}

async function hasAny(store: ExportStore, prefix: string): Promise<boolean> {
  for await (const _ of store.list(prefix)) return true;
  return false;
}

async function readBytes(store: ExportStore, key: string): Promise<Uint8Array | undefined> {
  const pieces: Uint8Array[] = [];
  try {
    for await (const piece of store.read(key)) pieces.push(piece);
  } catch (error) {
    if ((error as Error).name === 'ObjectNotFoundError') return undefined;
    throw error;
  }
  return Buffer.concat(pieces);
}
