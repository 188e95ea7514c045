/**
 * The DuckDB side of the benchmark, as its own process so that its wall time and peak
 * RSS are measured exactly as kpi-report's are (whole process, peak RSS preloaded).
 * `bench/duckdb-runs.ts` bundles it to plain JavaScript and runs it with node: started
 * through tsx, it would pay a compiler's start-up that kpi-report's bundle does not.
 *
 * Usage: node duckdb-kpis.mjs --query typed-read|uniqueness-check|first-row-kept --exports DIR
 *          --start YYYY-MM-DD --end YYYY-MM-DD [--threads 2] [--independence-threshold 0.8]
 * Prints one JSON object: `DuckDbKpiResult`. The two queries are described at the top of
 * bench/duckdb-kpi-sql.ts.
 */
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { KPI_IDS, type KpiId } from '../src/core/kpi-ids';
import { buildKpiSql, DUCKDB_KPI_QUERIES, type DuckDbKpiQuery } from './duckdb-kpi-sql';

/** The `uniqueness-check` query's check of interactions.csv (rows without an id left out). */
export interface InteractionIdCheck {
  readonly rowsWithId: number;
  readonly distinctIds: number;
  /** Ids on more than one row; 0 when interaction_id is unique; null when the query counts only distinct ids. */
  readonly repeatedIds: number | null;
  /** Rows DuckDB's typed parser set aside (`store_rejects`), for the query that has them. */
  readonly rejectedRows?: number;
}

export interface DuckDbKpiResult {
  readonly query: DuckDbKpiQuery;
  /** Company values of the seven KPIs; null where a denominator is 0. */
  readonly values: Record<KpiId, number | null>;
  /** Every count and sum the values are ratios of, to explain a difference. */
  readonly totals: Record<string, number | null>;
  readonly duckdbVersion: string;
  /** `uniqueness-check` only. */
  readonly interactionIdCheck?: InteractionIdCheck;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      query: { type: 'string' },
      exports: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      threads: { type: 'string', default: '2' },
      'independence-threshold': { type: 'string', default: '0.8' },
    },
  });
  const query = DUCKDB_KPI_QUERIES.find((name) => name === values.query);
  if (!query || !values.exports || !values.start || !values.end) {
    throw new Error(
      `usage: duckdb-kpis --query ${DUCKDB_KPI_QUERIES.join('|')} --exports DIR --start YYYY-MM-DD --end YYYY-MM-DD [--threads N]`,
    );
  }
  const { setup, result, interactionIdCheck } = buildKpiSql({
    query,
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
  let check: InteractionIdCheck | undefined;
  if (interactionIdCheck !== undefined) {
    const counts = (await connection.runAndReadAll(interactionIdCheck)).getRowObjects()[0] ?? {};
    check = {
      rowsWithId: numberOf(counts.rows_with_id) ?? 0,
      distinctIds: numberOf(counts.distinct_ids) ?? 0,
      repeatedIds: numberOf(counts.repeated_ids ?? null),
      ...(counts.rejected_rows === undefined ? {} : { rejectedRows: numberOf(counts.rejected_rows) ?? 0 }),
    };
  }
  const version = (await connection.runAndReadAll('SELECT version() AS v')).getRowObjects()[0]?.v;
  connection.closeSync();
  instance.closeSync();
  const output: DuckDbKpiResult = {
    query,
    values: kpiValues,
    totals,
    duckdbVersion: String(version),
    ...(check ? { interactionIdCheck: check } : {}),
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

await main();
