/**
 * The DuckDB side of the benchmark, as its own process so that its wall time and peak
 * RSS are measured exactly as kpi-report's are (whole process, peak RSS preloaded).
 * `bench/duckdb-runs.ts` bundles it to plain JavaScript and runs it with node: started
 * through tsx, it would pay a compiler's start-up that kpi-report's bundle does not.
 *
 * Usage: node duckdb-kpis.mjs --exports DIR --start YYYY-MM-DD --end YYYY-MM-DD
 *          [--threads 2] [--independence-threshold 0.8]
 * Prints one JSON object: `DuckDbKpiResult`.
 */
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { KPI_IDS, type KpiId } from '../src/core/kpi-ids';
import { buildKpiSql } from './duckdb-kpi-sql';

export interface DuckDbKpiResult {
  /** Company values of the seven KPIs; null where a denominator is 0. */
  readonly values: Record<KpiId, number | null>;
  /** Every count and sum the values are ratios of, to explain a difference. */
  readonly totals: Record<string, number | null>;
  readonly duckdbVersion: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      exports: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      threads: { type: 'string', default: '2' },
      'independence-threshold': { type: 'string', default: '0.8' },
    },
  });
  if (!values.exports || !values.start || !values.end) {
    throw new Error('usage: duckdb-kpis --exports DIR --start YYYY-MM-DD --end YYYY-MM-DD [--threads N]');
  }
  const { setup, result } = buildKpiSql({
    exportDirectory: values.exports,
    quarterStart: values.start,
    quarterEnd: values.end,
    independenceThreshold: Number(values['independence-threshold']),
  });
  const instance = await DuckDBInstance.create(':memory:', { threads: values.threads });
  const connection = await instance.connect();
  for (const statement of setup) await connection.run(statement);
  const reader = await connection.runAndReadAll(result);
  const row = reader.getRowObjects()[0];
  if (!row) throw new Error('the KPI query returned no row');
  // Every column is DOUBLE (counts are cast in the SQL: DuckDB sums integers as HUGEINT,
  // which node-api hands back as bigint), so each value is a number or null.
  const numberOf = (value: unknown): number | null => (value === null ? null : Number(value));
  const kpiValues = Object.fromEntries(KPI_IDS.map((id) => [id, numberOf(row[id])])) as Record<
    KpiId,
    number | null
  >;
  const totals = Object.fromEntries(
    Object.entries(row)
      .filter(([name]) => !(KPI_IDS as readonly string[]).includes(name))
      .map(([name, value]) => [name, numberOf(value)]),
  );
  const version = (await connection.runAndReadAll('SELECT version() AS v')).getRowObjects()[0]?.v;
  connection.closeSync();
  instance.closeSync();
  const output: DuckDbKpiResult = { values: kpiValues, totals, duckdbVersion: String(version) };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

await main();
