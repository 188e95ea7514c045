/**
 * `npm run bench`: kpi-report against DuckDB on the same export sets (issue 4).
 *
 * For each size (default 1M, 5M and 20M interaction rows; generated once, cached in
 * bench/.cache/) it runs `kpi-report run` (the bundled CLI, once per --readers entry)
 * and a DuckDB script computing the same company KPIs, each as a whole process, --runs
 * times (default 3); it prints median wall time, MB/s, rows/s, peak RSS and the ratio to
 * DuckDB, warns where the two disagree on a KPI, and prints the memory growth per row,
 * the machine, and the Lambda bundles' sizes and cold import times. The same tables go
 * to bench/.cache/last-results.md for the README. `--help` lists the options.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BENCH_USAGE,
  type BenchOptions,
  BenchUsageError,
  parseBenchOptions,
  type Reader,
  sizeLabel,
} from './bench-options';
import { compareCompanyValues, describeDifference } from './cross-check';
import type { DuckDbKpiResult } from './duckdb-kpis';
import { bundleDuckDbScript, DUCKDB_THREADS, runDuckDb } from './duckdb-runs';
import { type ExportSet, ensureExportSet } from './export-sets';
import { assertCliBuilt, cliHasReaderOption, readCompanyValues, runKpiReport } from './kpi-report-runs';
import { lambdaBundleTable } from './lambda-bundle-report';
import { describeMachine } from './machine';
import { median, type ProcessSample } from './measure-process';
import {
  memoryGrowthLines,
  renderMarkdown,
  renderText,
  type SizeResult,
  sizeTable,
  type Table,
} from './results-tables';

const RESULTS_FILE = resolve('bench/.cache/last-results.md');

/** One thing measured per size: a kpi-report reader, or DuckDB. */
interface Method {
  readonly name: string;
  readonly isDuckDb: boolean;
  /** Runs once; kpi-report's runs also leave kpis.json behind for the cross-check. */
  readonly run: (set: ExportSet) => ProcessSample & { readonly result?: DuckDbKpiResult };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (text = '') => process.stdout.write(`${text}\n`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseBenchOptions(argv);
  } catch (error) {
    if (
      !(error instanceof BenchUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
    )
      throw error;
    process.stderr.write(`${(error as Error).message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  if (options === undefined) {
    out(BENCH_USAGE);
    return 0;
  }
  assertCliBuilt();
  const machine = describeMachine();
  out(`Machine: ${machine}`);

  const methods = kpiReportMethods(options.readers);
  const duckdbScript = options.skipDuckdb ? undefined : await bundleDuckDbScript();
  if (duckdbScript) {
    methods.push({ name: 'DuckDB', isDuckDb: true, run: (set) => runDuckDb(set, duckdbScript) });
  }

  const results: SizeResult[] = [];
  const warnings: string[] = [];
  let duckdbVersion: string | undefined;
  for (const size of options.sizes) {
    const set = await ensureExportSet(size, log);
    const label = sizeLabel(size);
    const samples = new Map<string, ProcessSample[]>(methods.map((method) => [method.name, []]));
    const companyValues = new Map<string, ReturnType<typeof readCompanyValues>>();
    let duckdb: DuckDbKpiResult | undefined;
    // Runs interleave the methods, so a slow spell of the machine (other jobs, a disk
    // cache that warms) spreads over all of them instead of landing on one.
    for (let run = 1; run <= options.runs; run++) {
      for (const method of methods) {
        const sample = method.run(set);
        samples.get(method.name)?.push(sample);
        if (method.isDuckDb) duckdb = sample.result;
        else companyValues.set(method.name, readCompanyValues(set));
        log(
          `  ${label} run ${run}/${options.runs}: ${method.name} ${sample.seconds.toFixed(2)} s, ${mib(sample.peakRssBytes)}`,
        );
      }
    }
    if (duckdb) {
      duckdbVersion = duckdb.duckdbVersion;
      for (const [name, values] of companyValues) {
        for (const difference of compareCompanyValues(values, duckdb.values)) {
          warnings.push(`warning: ${label}: ${name} and DuckDB differ: ${describeDifference(difference)}`);
        }
      }
    }
    const result: SizeResult = {
      set,
      methods: methods.map((method) => {
        const taken = samples.get(method.name) ?? [];
        return {
          method: method.name,
          isDuckDb: method.isDuckDb,
          seconds: median(taken.map((sample) => sample.seconds)),
          peakRssBytes: median(taken.map((sample) => sample.peakRssBytes)),
        };
      }),
    };
    results.push(result);
    out();
    out(renderText(sizeTable(result, options.runs)));
  }

  const tables = results.map((result) => sizeTable(result, options.runs));
  const growth = memoryGrowthLines(results);
  const generation = results.map(({ set }) => {
    const took =
      set.generationSeconds === undefined ? 'time not recorded' : `${set.generationSeconds.toFixed(0)} s`;
    return `${sizeLabel(set.size)} ${set.generatedNow ? 'generated now' : 'cached'} (generating took ${took})`;
  });
  const setup = [
    `Machine: ${machine}`,
    `kpi-report: the bundled CLI (dist/cli.mjs), \`kpi-report run --quiet\`, whole process.`,
    duckdbScript
      ? `DuckDB ${duckdbVersion ?? ''} (@duckdb/node-api), ${DUCKDB_THREADS} threads, the same seven company KPIs in SQL with the same row rules (bench/duckdb-kpi-sql.ts), whole process.`
      : 'DuckDB: skipped (--skip-duckdb).',
    `Export sets: ${generation.join('; ')}.`,
  ];

  out();
  if (growth.length > 0) out(growth.join('\n  '));
  for (const warning of warnings) out(warning);
  if (duckdbScript && warnings.length === 0 && results.length > 0) {
    out('Cross-check: kpi-report and DuckDB agree on all seven company KPIs (within 1e-6) at every size.');
  }
  out(`Export sets: ${generation.join('; ')}`);

  const lambda = await lambdaBundleTable();
  out();
  out(typeof lambda === 'string' ? lambda : renderText(lambda));

  writeResults([...tables, ...(typeof lambda === 'string' ? [] : [lambda])], setup, growth, warnings);
  out();
  out(`Wrote ${RESULTS_FILE}`);
  return 0;
}

/**
 * The kpi-report methods: one per reader when the CLI has `--reader`; otherwise a single
 * run of its default reader, since passing an unknown flag would fail every run.
 */
function kpiReportMethods(readers: readonly Reader[]): Method[] {
  if (cliHasReaderOption()) {
    return readers.map((reader) => ({
      name: `kpi-report ${reader}`,
      isDuckDb: false,
      run: (set) => runKpiReport(set, reader),
    }));
  }
  log(
    `kpi-report has no --reader option yet (not in --help): running its default reader once instead of --readers ${readers.join(',')}`,
  );
  return [{ name: 'kpi-report', isDuckDb: false, run: (set) => runKpiReport(set, undefined) }];
}

function writeResults(tables: Table[], setup: string[], growth: string[], warnings: string[]): void {
  const today = new Date().toISOString().slice(0, 10);
  const sections = [
    `## Benchmark results (${today})`,
    setup.map((line) => `- ${line}`).join('\n'),
    ...tables.map(renderMarkdown),
  ];
  if (growth.length > 0) {
    const [heading, ...lines] = growth;
    sections.push(`${heading}\n\n${lines.map((line) => `- ${line}`).join('\n')}`);
  }
  if (warnings.length > 0) sections.push(warnings.map((warning) => `- ${warning}`).join('\n'));
  mkdirSync(resolve('bench/.cache'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${sections.join('\n\n')}\n`);
}

process.exitCode = await main(process.argv.slice(2));
