/**
 * The benchmark's input: one deterministic export set per size, generated once with the
 * demo generator and cached in `bench/.cache/rows-<N>/` (gitignored), where N is the
 * requested number of interaction rows.
 *
 * The generator parameters below are those of the first benchmark (24 interactions per
 * client, the book oversized by 10%, seed 7, one quarter): changing any of them changes
 * the files, and a cached set would then no longer match what this code says it holds.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateExports } from '../src/demo/generate-exports';

export const BENCH_QUARTER = '2026-Q3';
const INTERACTIONS_PER_CLIENT = 24;
const SEED = 7;
/** Progress lines while generating: one per this many rows of a dataset. */
const PROGRESS_EVERY_ROWS = 1_000_000;

export interface ExportSet {
  /** Requested interaction rows (the cache key). */
  readonly size: number;
  /** The data root handed to `kpi-report run --data`. */
  readonly root: string;
  /** `<root>/exports/<quarter>`: where the five CSV files are. */
  readonly exportDirectory: string;
  readonly clients: number;
  /** Data rows of all five files (headers not counted). */
  readonly rows: number;
  /** Data rows of interactions.csv, bad rows included (the generator overshoots the request a little). */
  readonly interactionRows: number;
  /** Bytes of all five files. */
  readonly bytes: number;
  /** How long generating took, when this run generated it or its marker recorded it. */
  readonly generationSeconds: number | undefined;
  /** Whether this run generated it (false: read from the cache). */
  readonly generatedNow: boolean;
}

/** What `complete.json` holds; written last, so its presence means the set is whole. */
interface CompletionMarker {
  rows: number;
  interactionRows: number;
  bytes: number;
  /** Absent in markers written before the benchmark recorded it. */
  generationSeconds?: number;
}

/** Clients in the book at the quarter: not every client is active, so the book is oversized to reach the target. */
function clientsFor(size: number): number {
  return Math.max(100, Math.round((size / INTERACTIONS_PER_CLIENT) * 1.1));
}

function exportSetRoot(size: number): string {
  return resolve('bench/.cache', `rows-${size}`);
}

/**
 * Returns the cached export set of `size` interaction rows, generating it first when the
 * cache has no complete one. Progress goes to `log` (generation takes minutes at 20M rows).
 */
export async function ensureExportSet(size: number, log: (line: string) => void): Promise<ExportSet> {
  const root = exportSetRoot(size);
  const clients = clientsFor(size);
  const marker = join(root, 'complete.json');
  const describe = (totals: CompletionMarker, generatedNow: boolean): ExportSet => ({
    size,
    root,
    exportDirectory: join(root, 'exports', BENCH_QUARTER),
    clients,
    rows: totals.rows,
    interactionRows: totals.interactionRows,
    bytes: totals.bytes,
    generationSeconds: totals.generationSeconds,
    generatedNow,
  });
  if (existsSync(marker)) return describe(JSON.parse(readFileSync(marker, 'utf8')), false);

  // A set without its marker was interrupted: start over rather than trust half-written files.
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  log(
    `Generating about ${size.toLocaleString('en-US')} interaction rows (${clients.toLocaleString('en-US')} clients) once, in ${root} …`,
  );
  const started = performance.now();
  let current = '';
  let reported = 0;
  const summary = await generateExports({
    root,
    quarters: [BENCH_QUARTER],
    clients,
    interactionsPerClient: INTERACTIONS_PER_CLIENT,
    seed: SEED,
    onProgress: ({ dataset, rows }) => {
      // Small datasets report once, when written; interactions every 100k rows, thinned out here.
      if (dataset !== current || rows - reported >= PROGRESS_EVERY_ROWS) {
        current = dataset;
        reported = rows;
        const seconds = ((performance.now() - started) / 1000).toFixed(0);
        log(`  ${dataset}: ${rows.toLocaleString('en-US')} rows (${seconds} s)`);
      }
    },
  });
  const files = summary.quarters.flatMap((quarter) => quarter.files);
  const totals: CompletionMarker = {
    rows: files.reduce((sum, file) => sum + file.rows, 0),
    interactionRows: files
      .filter((file) => file.dataset === 'interactions')
      .reduce((sum, file) => sum + file.rows, 0),
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    generationSeconds: (performance.now() - started) / 1000,
  };
  writeFileSync(marker, JSON.stringify(totals));
  log(`  done in ${totals.generationSeconds?.toFixed(0)} s`);
  return describe(totals, true);
}
