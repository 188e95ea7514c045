/**
 * Runs the DuckDB baselines (bench/duckdb-kpis.ts, one query per process) as their own
 * processes. The script is bundled once per bench run to plain ESM, with
 * @duckdb/node-api left external, and started with node, just as kpi-report's bundle is.
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { formatDay, parseQuarter, quarterPeriod } from '../src/core/quarter';
import type { DuckDbKpiQuery } from './duckdb-kpi-sql';
import type { DuckDbKpiResult } from './duckdb-kpis';
import { BENCH_QUARTER, type ExportSet } from './export-sets';
import { measureNodeProcess, type ProcessSample } from './measure-process';

/** kpis.md's default; the benchmark runs kpi-report without a configuration file. */
const INDEPENDENCE_THRESHOLD = 0.8;
/** The thread count the benchmark compares at (the machine it was written for has 2 cores). */
export const DUCKDB_THREADS = 2;

/** Bundles the script under bench/.cache/ (so node finds @duckdb/node-api up the tree); returns its path. */
export async function bundleDuckDbScript(): Promise<string> {
  const outfile = resolve('bench/.cache/duckdb-kpis.mjs');
  await build({
    entryPoints: [resolve('bench/duckdb-kpis.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

/** The quarter as the SQL wants it: first and last day, `YYYY-MM-DD`, in UTC. */
function quarterDays(): { start: string; end: string } {
  const quarter = parseQuarter(BENCH_QUARTER);
  if (!quarter) throw new Error(`not a quarter: ${BENCH_QUARTER}`);
  const period = quarterPeriod(quarter);
  return { start: formatDay(period.start), end: formatDay(period.end) };
}

/** How the tables name each query (the top of bench/duckdb-kpi-sql.ts describes them). */
export const DUCKDB_METHOD_NAMES: Record<DuckDbKpiQuery, string> = {
  'typed-read': 'DuckDB (typed read_csv)',
  'uniqueness-check': 'DuckDB (uniqueness check)',
  'first-row-kept': 'DuckDB (contract rules, first row kept)',
};

export function runDuckDb(set: ExportSet, script: string, query: DuckDbKpiQuery): ProcessSample {
  const { start, end } = quarterDays();
  return measureNodeProcess(
    DUCKDB_METHOD_NAMES[query],
    [
      script,
      '--query',
      query,
      '--exports',
      set.exportDirectory,
      '--start',
      start,
      '--end',
      end,
      '--threads',
      String(DUCKDB_THREADS),
      '--independence-threshold',
      String(INDEPENDENCE_THRESHOLD),
    ],
    set.root,
  );
}

/** The KPIs a DuckDB run printed. */
export function readDuckDbResult(sample: ProcessSample): DuckDbKpiResult {
  return JSON.parse(sample.stdout) as DuckDbKpiResult;
}
