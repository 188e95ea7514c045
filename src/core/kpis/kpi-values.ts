/**
 * The seven KPI formulas of kpis.md, as ratios of group totals. A KPI whose denominator
 * is zero, or whose optional dataset is absent, is `null`, never 0, NaN or Infinity.
 */
import { nanosToNumber } from '../export-set/decimal';
import type { KpiId } from '../kpi-ids';
import type { GroupTotals } from './group-totals';
import { type Interval, type Moments, meanInterval, npsInterval, wilsonInterval } from './intervals';

export interface KpiMeasure {
  readonly value: number | null;
  readonly numerator: number;
  readonly denominator: number;
  /** The 95% interval (intervals.ts); `null` with the value, or with under two observations. */
  readonly interval: Interval | null;
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

type Ratio = Omit<KpiMeasure, 'interval'>;

/** Scales before dividing: one rounding, so 11 of 20 is exactly 55, not 55.00000000000001. */
function ratio(numerator: number, denominator: number, scale = 1, available = true): Ratio {
  return {
    value: available && denominator > 0 ? (numerator * scale) / denominator : null,
    numerator,
    denominator,
  };
}

/** A proportion in percent with its Wilson interval. */
function rate(successes: number, trials: number): KpiMeasure {
  const measure = ratio(successes, trials, 100);
  return { ...measure, interval: measure.value === null ? null : wilsonInterval(successes, trials) };
}

function withInterval(measure: Ratio, interval: (value: number) => Interval | null): KpiMeasure {
  return { ...measure, interval: measure.value === null ? null : interval(measure.value) };
}

/**
 * Measures one group. `isCompany` switches Cost to Support between its two definitions:
 * the company's is all costs in Q over active clients; a segment's is its allocated cost
 * (direct costs plus its share of the pool) over its active clients.
 */
export function measureGroup(totals: GroupTotals, context: MeasureContext, isCompany: boolean): KpiMeasures {
  const depth = withInterval(
    ratio(totals.activeServices, totals.active, 1, context.servicesPresent),
    (mean) =>
      meanInterval(
        mean,
        { count: totals.active, sum: totals.activeServices, sumOfSquares: totals.activeServicesSquared },
        { min: 0, ...(context.catalogSize > 0 && { max: context.catalogSize }) },
      ),
  );
  // 7 services over 5 clients and a catalog of 5 is exactly 28%.
  const shareOfCatalog =
    depth.value === null || context.catalogSize === 0
      ? null
      : (totals.activeServices * 100) / (totals.active * context.catalogSize);
  const cess = withInterval(
    ratio(totals.cessMicroPoints / 1e6, totals.cessResponses, 1, context.surveysPresent),
    (mean) =>
      meanInterval(
        mean,
        {
          count: totals.cessResponses,
          sum: totals.cessMicroPoints / 1e6,
          sumOfSquares: totals.cessSquaredCentipoints / 1e4,
        },
        { min: 0, max: 100 },
      ),
  );
  const nps = withInterval(
    ratio(totals.promoters - totals.detractors, totals.npsResponses, 100, context.surveysPresent),
    () => npsInterval(totals.promoters, totals.detractors, totals.npsResponses),
  );
  const cost = withInterval(
    ratio(allocatedCost(totals, context, isCompany), totals.active, 1, context.costsPresent),
    (mean) => meanInterval(mean, costMoments(totals, context)),
  );
  return {
    clientIndependenceRate: rate(totals.independent, totals.served),
    selfServiceAdoptionRate: rate(totals.activeWithSelfService, totals.active),
    relationshipDepth: { ...depth, shareOfCatalog },
    empowermentSatisfactionScore: cess,
    netPromoterScore: nps,
    customerRetentionRate: rate(totals.retained, totals.customersAtStart),
    costToSupportPerClient: cost,
  };
}

/**
 * The spread of the cost of the group's active clients, each costing its direct cost dᵢ
 * plus the pool P times its weight wᵢ (its share of the assisted interactions, or 1/N when
 * there are none, as the allocation has it): Σc = Σd + P·Σw and Σc² = Σd² + 2P·Σdw + P²·Σw².
 * The company's figure is the same mean, with the direct costs of clients no longer active
 * added to its value (not to its spread).
 */
function costMoments(totals: GroupTotals, context: MeasureContext): Moments {
  const pool = nanosToNumber(context.poolNanos);
  const direct = nanosToNumber(totals.activeDirectCostNanos);
  const directSquared = Number(totals.activeDirectCostSquaredNanos) / 1e18;
  const directTimesAssisted = nanosToNumber(totals.activeDirectCostTimesAssistedNanos);
  const { company } = context;
  const n = totals.active;
  let weights = { sum: 0, withDirect: 0, squares: 0 };
  if (company.activeAssisted > 0) {
    const all = company.activeAssisted;
    weights = {
      sum: totals.activeAssisted / all,
      withDirect: directTimesAssisted / all,
      squares: totals.activeAssistedSquared / (all * all),
    };
  } else if (company.active > 0) {
    const all = company.active;
    weights = { sum: n / all, withDirect: direct / all, squares: n / (all * all) };
  }
  return {
    count: n,
    sum: direct + pool * weights.sum,
    sumOfSquares: directSquared + 2 * pool * weights.withDirect + pool * pool * weights.squares,
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
