/**
 * The benchmark's results as tables: aligned text for the terminal and Markdown for the
 * README, built from the same rows so the two never disagree.
 */
import { sizeLabel } from './bench-options';
import type { DuckDbKpiQuery } from './duckdb-kpi-sql';
import { DUCKDB_METHOD_NAMES } from './duckdb-runs';
import type { ExportSet } from './export-sets';

export interface MethodResult {
  /** As the table shows it: `kpi-report bytes`, `kpi-report simple`, `DuckDB (uniqueness check)`, … */
  readonly method: string;
  /** Which DuckDB query; undefined for kpi-report. */
  readonly duckdbQuery: DuckDbKpiQuery | undefined;
  /** Medians over the runs. */
  readonly seconds: number;
  readonly peakRssBytes: number;
}

export interface SizeResult {
  readonly set: ExportSet;
  readonly methods: MethodResult[];
}

export interface Table {
  readonly title: string;
  readonly header: string[];
  /** Which columns hold numbers (right-aligned). */
  readonly numeric: boolean[];
  readonly rows: string[][];
  /** Lines printed under the table. */
  readonly notes: string[];
}

const MIB = 1024 * 1024;
const count = (value: number) => Math.round(value).toLocaleString('en-US');

export function describeInput(set: ExportSet): string {
  return `${count(set.interactionRows)} interaction rows (${count(set.rows)} rows in 5 files, ${(set.bytes / 1e6).toFixed(1)} MB, ${count(set.clients)} clients)`;
}

/**
 * The fastest DuckDB query of the run (by median wall time): the peer kpi-report's speed is
 * judged against, whichever query it is on this machine and size.
 */
export function fastestDuckDb(methods: readonly MethodResult[]): MethodResult | undefined {
  return methods
    .filter((method) => method.duckdbQuery !== undefined)
    .reduce<MethodResult | undefined>(
      (best, method) => (best && best.seconds <= method.seconds ? best : method),
      undefined,
    );
}

/**
 * One size: each method's medians, throughput over the whole export set, and its wall
 * time relative to DuckDB: `wall vs fastest DuckDB` to the fastest DuckDB query of the
 * run (DuckDB at its best), `wall vs DuckDB exact` to the contract-exact query.
 */
export function sizeTable(result: SizeResult, runs: number): Table {
  const { set, methods } = result;
  const baseline = fastestDuckDb(methods);
  const exact = methods.find((method) => method.duckdbQuery === 'first-row-kept');
  const ratio = (method: MethodResult, to: MethodResult | undefined) =>
    to ? `${(method.seconds / to.seconds).toFixed(2)}×` : 'n/a';
  const rows = methods.map((method) => [
    method.method,
    `${method.seconds.toFixed(2)} s`,
    (set.bytes / 1e6 / method.seconds).toFixed(1),
    count(set.rows / method.seconds),
    `${(method.peakRssBytes / MIB).toFixed(0)} MiB`,
    ratio(method, baseline),
    ratio(method, exact),
  ]);
  const notes =
    baseline || exact
      ? [
          `wall vs fastest DuckDB: relative to the fastest DuckDB query of this run${baseline ? ` (${baseline.method})` : ''}; wall vs DuckDB exact: relative to ${DUCKDB_METHOD_NAMES['first-row-kept']}, which keeps the contract's first row of a repeated id.`,
        ]
      : [];
  return {
    title: `${sizeLabel(set.size)}: ${describeInput(set)}, median of ${runs} run${runs === 1 ? '' : 's'}`,
    header: [
      'method',
      'wall (median)',
      'MB/s',
      'rows/s',
      'peak RSS',
      'wall vs fastest DuckDB',
      'wall vs DuckDB exact',
    ],
    numeric: [false, true, true, true, true, true, true],
    rows,
    notes,
  };
}

/**
 * Peak RSS growth per interaction row between the smallest and the largest size, per
 * method: what each extra row costs in memory, start-up and fixed buffers cancelled out.
 * Empty with fewer than two sizes.
 */
export function memoryGrowthLines(results: readonly SizeResult[]): string[] {
  const smallest = results[0];
  const largest = results.at(-1);
  if (!smallest || !largest || smallest === largest) return [];
  const rows = largest.set.interactionRows - smallest.set.interactionRows;
  const heading = `Memory growth from ${sizeLabel(smallest.set.size)} to ${sizeLabel(largest.set.size)} (peak RSS difference / interaction-row difference):`;
  const lines = largest.methods.flatMap((method) => {
    const small = smallest.methods.find((candidate) => candidate.method === method.method);
    if (!small) return [];
    const perRow = (method.peakRssBytes - small.peakRssBytes) / rows;
    return [`${method.method}: ${perRow.toFixed(1)} bytes per interaction row`];
  });
  return [heading, ...lines];
}

export function renderText(table: Table): string {
  const widths = table.header.map((name, column) =>
    Math.max(name.length, ...table.rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        table.numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [table.title, `  ${line(table.header)}`, `  ${rule}`, ...table.rows.map((row) => `  ${line(row)}`)]
    .concat(table.notes.map((note) => `  ${note}`))
    .join('\n');
}

export function renderMarkdown(table: Table): string {
  const escapeCell = (cell: string) => cell.replaceAll('|', '\\|');
  const row = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const align = table.numeric.map((numeric) => (numeric ? '---:' : '---'));
  return [
    `**${table.title}**`,
    '',
    row(table.header),
    `|${align.join('|')}|`,
    ...table.rows.map(row),
    ...(table.notes.length > 0 ? ['', ...table.notes] : []),
  ].join('\n');
}
