/**
 * The seven KPI formulas of kpis.md, as ratios of group totals. A KPI whose denominator
 * is zero, or whose optional dataset is absent, is `null`, never 0, NaN or Infinity.
 */
import { nanosToNumber } from '../datasets/decimal';
import type { KpiId } from '../kpi-ids';
import type { GroupTotals } from './group-totals';

export interface KpiMeasure {
  readonly value: number | null;
  readonly numerator: number;
  readonly denominator: number;
  /** Relationship depth only: depth as a percentage of the service catalog. */
  readonly shareOfCatalog?: number | null;
}

export type KpiMeasures = Record<KpiId, KpiMeasure>;

export interface MeasureContext {
  readonly servicesPresent: boolean;
  readonly surveysPresent: boolean;
  readonly costsPresent: boolean;
  /** Distinct services in services.csv. */
  readonly catalogSize: number;
  /** Company-wide figures the cost allocation needs. */
  readonly company: GroupTotals;
  readonly poolNanos: bigint;
}

/** Scales before dividing: one rounding, so 11 of 20 is exactly 55, not 55.00000000000001. */
function ratio(numerator: number, denominator: number, scale = 1, available = true): KpiMeasure {
  return {
    value: available && denominator > 0 ? (numerator * scale) / denominator : null,
    numerator,
    denominator,
  };
}

/**
 * Measures one group. `isCompany` switches Cost to Support between its two definitions:
 * the company's is all costs in Q over active clients; a segment's is its allocated cost
 * (direct costs plus its share of the pool) over its active clients.
 */
export function measureGroup(totals: GroupTotals, context: MeasureContext, isCompany: boolean): KpiMeasures {
  const depth = ratio(totals.activeServices, totals.active, 1, context.servicesPresent);
  // 7 services over 5 clients and a catalog of 5 is exactly 28%.
  const shareOfCatalog =
    depth.value === null || context.catalogSize === 0
      ? null
      : (totals.activeServices * 100) / (totals.active * context.catalogSize);
  const cess = ratio(totals.cessMicroPoints / 1e6, totals.cessResponses, 1, context.surveysPresent);
  return {
    clientIndependenceRate: ratio(totals.independent, totals.served, 100),
    selfServiceAdoptionRate: ratio(totals.activeWithSelfService, totals.active, 100),
    relationshipDepth: { ...depth, shareOfCatalog },
    empowermentSatisfactionScore: cess,
    netPromoterScore: ratio(
      totals.promoters - totals.detractors,
      totals.npsResponses,
      100,
      context.surveysPresent,
    ),
    customerRetentionRate: ratio(totals.retained, totals.customersAtStart, 100),
    costToSupportPerClient: ratio(
      allocatedCost(totals, context, isCompany),
      totals.active,
      1,
      context.costsPresent,
    ),
  };
}

function allocatedCost(totals: GroupTotals, context: MeasureContext, isCompany: boolean): number {
  const direct = nanosToNumber(totals.directCostNanos);
  const pool = nanosToNumber(context.poolNanos);
  if (isCompany) return nanosToNumber(totals.directCostNanos + context.poolNanos);
  const { company } = context;
  // kpis.md: the pool follows assisted interactions of active clients; evenly when there are none.
  if (company.activeAssisted > 0) return direct + (pool * totals.activeAssisted) / company.activeAssisted;
  if (company.active > 0) return direct + (pool * totals.active) / company.active;
  return direct;
}
