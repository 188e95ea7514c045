/**
 * The distributed mode, for export sets beyond one function's 15 minutes: a Step Functions
 * Distributed Map runs `measurePart` on every part of the quarter's interactions dataset
 * (`exports/<quarter>/interactions/part-*.csv[.gz]`), each writing its partial aggregate
 * under `reports/<quarter>/runs/<runId>/partials/`; the reducer then runs the normal report
 * with `readerFromPartials`, which merges them instead of reading interactions again.
 *
 * STATUS: interface only; the implementation lands with the fast path (issue 4).
 */
import type { Config } from '../core/config';
import type { ExportSetReader } from '../core/ingest/export-set-reader';
import type { ExportStore } from '../core/ports';

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

/** Decides between one function and the Distributed Map (config `distributedAboveMiB`). */
export async function planRun(_options: {
  store: ExportStore;
  config: Config;
  quarter: string;
}): Promise<RunPlan> {
  throw new Error('planRun: not implemented yet');
}

/** The map step: reads one interactions part and writes its partial aggregate. */
export async function measurePart(_options: {
  store: ExportStore;
  config: Config;
  task: PartTask;
}): Promise<PartResult> {
  throw new Error('measurePart: not implemented yet');
}

/**
 * The reduce step's reader: reads clients, services, surveys and costs as usual and
 * takes interactions from the partials the map step wrote (failing if a part has none).
 */
export function readerFromPartials(_options: { runId: string }): ExportSetReader {
  throw new Error('readerFromPartials: not implemented yet');
}
