/**
 * Compares kpi-report's company values with DuckDB's. The two compute the same
 * definitions independently (TypeScript streaming vs SQL), so agreement checks both and
 * a difference points at one of them, or at the spec being read two ways.
 */
import { KPI_DEFINITIONS, KPI_IDS, type KpiId } from '../src/core/kpi-ids';

/** Both sides use doubles with one rounding per ratio; anything above this is a real difference. */
export const CROSS_CHECK_TOLERANCE = 1e-6;

export interface KpiDifference {
  readonly id: KpiId;
  readonly ours: number | null;
  readonly duckdb: number | null;
}

export function compareCompanyValues(
  ours: Record<KpiId, number | null>,
  duckdb: Record<KpiId, number | null>,
  tolerance = CROSS_CHECK_TOLERANCE,
): KpiDifference[] {
  return KPI_IDS.flatMap((id) => {
    const a = ours[id];
    const b = duckdb[id];
    const same = a === null || b === null ? a === b : Math.abs(a - b) <= tolerance;
    return same ? [] : [{ id, ours: a, duckdb: b }];
  });
}

export function describeDifference(difference: KpiDifference): string {
  const { id, ours, duckdb } = difference;
  const delta = ours !== null && duckdb !== null ? ` (difference ${(ours - duckdb).toPrecision(3)})` : '';
  return `${KPI_DEFINITIONS[id].name} (${id}): kpi-report ${ours ?? 'null'}, DuckDB ${duckdb ?? 'null'}${delta}`;
}
