/**
 * Measures every method on one export set: --runs runs each, interleaved, medians kept,
 * and kpi-report's company values cross-checked against DuckDB's.
 */
import type { KpiId } from '../src/core/kpi-ids';
import { type Reader, sizeLabel } from './bench-options';
import { CROSS_CHECK_TOLERANCE, compareCompanyValues, describeDifference } from './cross-check';
import type { DuckDbKpiResult } from './duckdb-kpis';
import { readDuckDbResult, runDuckDb } from './duckdb-runs';
import type { ExportSet } from './export-sets';
import { cliHasReaderOption, readCompanyValues, runKpiReport } from './kpi-report-runs';
import { median, type ProcessSample } from './measure-process';
import type { SizeResult } from './results-tables';

/** One thing measured per size: a kpi-report reader, or DuckDB. */
export interface Method {
  readonly name: string;
  readonly isDuckDb: boolean;
  /** Runs once; a kpi-report run also leaves its kpis.json in the set's reports/. */
  readonly run: (set: ExportSet) => ProcessSample;
}

export interface SizeMeasurement {
  readonly result: SizeResult;
  /** A warning per KPI on which a kpi-report method and DuckDB differ, or one line saying they agree. */
  readonly crossCheck: string[];
  readonly duckdbVersion: string | undefined;
}

/**
 * The kpi-report methods: one per reader when the CLI has `--reader`; otherwise a single
 * run of its default reader, since an unknown flag would fail every run.
 */
export function kpiReportMethods(readers: readonly Reader[], log: (line: string) => void): Method[] {
  if (cliHasReaderOption()) {
    return readers.map((reader) => ({
      name: `kpi-report ${reader}`,
      isDuckDb: false,
      run: (set) => runKpiReport(set, reader),
    }));
  }
  log(
    `kpi-report has no --reader option yet (not in its --help): running its default reader instead of --readers ${readers.join(',')}`,
  );
  return [{ name: 'kpi-report', isDuckDb: false, run: (set) => runKpiReport(set, undefined) }];
}

export function duckDbMethod(script: string): Method {
  return { name: 'DuckDB', isDuckDb: true, run: (set) => runDuckDb(set, script) };
}

export function measureSize(
  set: ExportSet,
  methods: readonly Method[],
  runs: number,
  log: (line: string) => void,
): SizeMeasurement {
  const label = sizeLabel(set.size);
  const samples = new Map<string, ProcessSample[]>(methods.map((method) => [method.name, []]));
  const ours = new Map<string, Record<KpiId, number | null>>();
  let duckdb: DuckDbKpiResult | undefined;
  // Runs interleave the methods, so a slow spell of the machine (other jobs, a disk cache
  // warming up) spreads over all of them instead of landing on one.
  for (let run = 1; run <= runs; run++) {
    for (const method of methods) {
      const sample = method.run(set);
      samples.get(method.name)?.push(sample);
      if (method.isDuckDb) duckdb = readDuckDbResult(sample);
      else ours.set(method.name, readCompanyValues(set));
      const mib = (sample.peakRssBytes / 1024 / 1024).toFixed(0);
      log(
        `  ${label} run ${run}/${runs}: ${method.name} ${sample.seconds.toFixed(2)} s, ${mib} MiB peak RSS`,
      );
    }
  }

  const crossCheck: string[] = [];
  if (duckdb) {
    for (const [name, values] of ours) {
      for (const difference of compareCompanyValues(values, duckdb.values)) {
        crossCheck.push(`warning: ${label}: ${name} and DuckDB differ on ${describeDifference(difference)}`);
      }
    }
    if (crossCheck.length === 0) {
      crossCheck.push(
        `Cross-check ${label}: ${[...ours.keys()].join(', ')} and DuckDB agree on all seven company KPIs (within ${CROSS_CHECK_TOLERANCE.toExponential()}).`,
      );
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
  return { result, crossCheck, duckdbVersion: duckdb?.duckdbVersion };
}
