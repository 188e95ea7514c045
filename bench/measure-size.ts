/**
 * Measures every method on one export set: --runs runs each, interleaved, medians kept,
 * and kpi-report's company values cross-checked against each DuckDB query's: a
 * difference from the contract-exact query is a warning; one from the uniqueness-check
 * query, which counts repeated interaction ids instead of keeping the first row, is
 * information, printed with the result of its uniqueness check.
 */
import type { KpiId } from '../src/core/kpi-ids';
import { type Reader, sizeLabel } from './bench-options';
import { CROSS_CHECK_TOLERANCE, compareCompanyValues, describeDifference } from './cross-check';
import { DUCKDB_KPI_QUERIES, type DuckDbKpiQuery } from './duckdb-kpi-sql';
import type { DuckDbKpiResult, InteractionIdCheck } from './duckdb-kpis';
import { DUCKDB_METHOD_NAMES, readDuckDbResult, runDuckDb } from './duckdb-runs';
import type { ExportSet } from './export-sets';
import { cliHasReaderOption, readCompanyValues, runKpiReport } from './kpi-report-runs';
import { median, type ProcessSample } from './measure-process';
import type { SizeResult } from './results-tables';

/** One thing measured per size: a kpi-report reader, or one DuckDB query. */
export interface Method {
  readonly name: string;
  /** Which DuckDB query; undefined for kpi-report. */
  readonly duckdbQuery: DuckDbKpiQuery | undefined;
  /** Runs once; a kpi-report run also leaves its kpis.json in the set's reports/. */
  readonly run: (set: ExportSet) => ProcessSample;
}

export interface SizeMeasurement {
  readonly result: SizeResult;
  /**
   * Per DuckDB query, a line per KPI on which a kpi-report method and it differ (a warning
   * for the contract-exact query, information for the uniqueness check), or one line
   * saying they agree; and the uniqueness check's finding.
   */
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
      duckdbQuery: undefined,
      run: (set) => runKpiReport(set, reader),
    }));
  }
  log(
    `kpi-report has no --reader option yet (not in its --help): running its default reader instead of --readers ${readers.join(',')}`,
  );
  return [{ name: 'kpi-report', duckdbQuery: undefined, run: (set) => runKpiReport(set, undefined) }];
}

/** The three DuckDB queries, the typed read (DuckDB at its best) first; each run is its own process. */
export function duckDbMethods(script: string): Method[] {
  return DUCKDB_KPI_QUERIES.map((query) => ({
    name: DUCKDB_METHOD_NAMES[query],
    duckdbQuery: query,
    run: (set: ExportSet) => runDuckDb(set, script, query),
  }));
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
  const duckdb = new Map<DuckDbKpiQuery, DuckDbKpiResult>();
  // Runs interleave the methods, so a slow spell of the machine (other jobs, a disk cache
  // warming up) spreads over all of them instead of landing on one.
  for (let run = 1; run <= runs; run++) {
    for (const method of methods) {
      const sample = method.run(set);
      samples.get(method.name)?.push(sample);
      if (method.duckdbQuery) duckdb.set(method.duckdbQuery, readDuckDbResult(sample));
      else ours.set(method.name, readCompanyValues(set));
      const mib = (sample.peakRssBytes / 1024 / 1024).toFixed(0);
      log(
        `  ${label} run ${run}/${runs}: ${method.name} ${sample.seconds.toFixed(2)} s, ${mib} MiB peak RSS`,
      );
    }
  }

  const crossCheck: string[] = [];
  for (const [query, result] of duckdb) {
    const duckdbName = DUCKDB_METHOD_NAMES[query];
    // Only the contract-exact query must agree; the uniqueness check counts repeated ids.
    const prefix = query === 'first-row-kept' ? 'warning' : 'info';
    if (result.interactionIdCheck)
      crossCheck.push(describeIdCheck(label, duckdbName, result.interactionIdCheck));
    const lines = [...ours].flatMap(([name, values]) =>
      compareCompanyValues(values, result.values).map(
        (difference) =>
          `${prefix}: ${label}: ${name} and ${duckdbName} differ on ${describeDifference(difference)}`,
      ),
    );
    if (lines.length === 0 && ours.size > 0) {
      lines.push(
        `Cross-check ${label}: ${[...ours.keys()].join(', ')} and ${duckdbName} agree on all seven company KPIs (within ${CROSS_CHECK_TOLERANCE.toExponential()}).`,
      );
    }
    crossCheck.push(...lines);
  }
  const result: SizeResult = {
    set,
    methods: methods.map((method) => {
      const taken = samples.get(method.name) ?? [];
      return {
        method: method.name,
        duckdbQuery: method.duckdbQuery,
        seconds: median(taken.map((sample) => sample.seconds)),
        peakRssBytes: median(taken.map((sample) => sample.peakRssBytes)),
      };
    }),
  };
  return { result, crossCheck, duckdbVersion: [...duckdb.values()][0]?.duckdbVersion };
}

/** The uniqueness check's finding, as an info line. */
function describeIdCheck(label: string, duckdbName: string, check: InteractionIdCheck): string {
  const count = (value: number) => value.toLocaleString('en-US');
  const repeats =
    check.repeatedIds === null
      ? `${count(check.rowsWithId - check.distinctIds)} rows repeat an earlier id`
      : `${count(check.repeatedIds)} ids on more than one row`;
  const finding =
    check.rowsWithId === check.distinctIds
      ? `interaction_id is unique (${count(check.rowsWithId)} rows with an id)`
      : `interaction_id is not unique: ${repeats}, ` +
        `${count(check.distinctIds)} distinct ids in ${count(check.rowsWithId)} rows with an id; ` +
        'it counts every valid row of a repeated id, kpi-report only the first';
  const rejected =
    check.rejectedRows === undefined
      ? ''
      : `; its typed parser set aside ${count(check.rejectedRows)} rows of the five files`;
  return `info: ${label}: ${duckdbName}: ${finding}${rejected}`;
}
