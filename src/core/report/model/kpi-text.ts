/**
 * How one KPI reads in the email beyond its rounded value: its unit, what it rests on, its
 * 95% interval and its target. Rounding is format-values' (the CLI's), so the email and
 * `kpis.json` agree as displayed; the words are here, once.
 */
import { KPI_DEFINITIONS, type KpiId } from '../../kpi-ids';
import type { KpiResult, Snapshot, Target } from '../../snapshot';
import { displayedDelta, formatKpiDelta, formatKpiValue } from '../format/format-values';

/** What the email says where a value cannot be computed; never "n/a" or "0 responses". */
export const NOT_AVAILABLE_TEXT = 'not available';

/** The optional dataset each KPI needs, beyond clients and interactions. */
export const KPI_DATASET: Partial<Record<KpiId, 'services' | 'surveys' | 'support_costs'>> = {
  relationshipDepth: 'services',
  empowermentSatisfactionScore: 'surveys',
  netPromoterScore: 'surveys',
  costToSupportPerClient: 'support_costs',
};

/** Short names for the subject line and the summary's lists. */
export const SHORT_NAMES: Record<KpiId, string> = {
  clientIndependenceRate: 'Independence',
  selfServiceAdoptionRate: 'Self-service adoption',
  relationshipDepth: 'Relationship depth',
  empowermentSatisfactionScore: 'CESS',
  netPromoterScore: 'NPS',
  customerRetentionRate: 'Retention',
  costToSupportPerClient: 'Cost to support',
};

/** The unit written after a value ("%" is part of the value already). */
export function unitText(id: KpiId): string {
  switch (KPI_DEFINITIONS[id].unit) {
    case 'percent':
      return '';
    case 'servicesPerClient':
      return 'services per client';
    case 'score':
      return '(−100 to 100)';
    case 'currencyPerClient':
      return 'per client';
  }
}

/**
 * A value in a sentence: `53.6%`, `2.56 services per client`, `$127.70 per client`, and NPS
 * bare (`33.6`): its scale is in the table, and in a sentence it reads as a second value.
 */
export function valueWithUnit(id: KpiId, value: number | null, currency: string): string {
  if (value === null) return NOT_AVAILABLE_TEXT;
  const unit = KPI_DEFINITIONS[id].unit === 'score' ? '' : unitText(id);
  return unit === '' ? formatKpiValue(id, value, currency) : `${formatKpiValue(id, value, currency)} ${unit}`;
}

/** A change without its sign, in the KPI's unit: `4.9 pp`, `8.0 pts`, `0.05`, `$8.31`. */
export function changeMagnitude(id: KpiId, change: number, currency: string): string {
  return formatKpiDelta(id, Math.abs(change), currency).replace(/^\+/, '');
}

/** `95% interval 51.3%–56.0%`, or empty when there is none. */
export function intervalText(id: KpiId, result: KpiResult, currency: string): string {
  const interval = result.interval;
  if (interval === null || interval === undefined) return '';
  const low = formatKpiValue(id, interval.low, currency);
  const high = formatKpiValue(id, interval.high, currency);
  return `95% interval ${low} to ${high}`;
}

const count = (value: number) => value.toLocaleString('en-US');

/**
 * What a value rests on, e.g. "290 of 400 served clients"; for a value that cannot be
 * computed, why: the dataset was not provided, or there was nothing to count.
 */
export function basisText(id: KpiId, result: KpiResult, snapshot: Snapshot): string {
  const dataset = KPI_DATASET[id];
  if (result.value === null && dataset !== undefined && !snapshot.dataQuality[dataset].present) {
    return `${dataset}.csv was not provided`;
  }
  const { numerator, denominator } = result;
  if (result.value === null) return `${NOT_AVAILABLE_TEXT}: no ${EMPTY_POPULATION[id]} this quarter`;
  switch (id) {
    case 'clientIndependenceRate':
      return `${count(numerator)} of ${count(denominator)} served clients`;
    case 'selfServiceAdoptionRate':
      return `${count(numerator)} of ${count(denominator)} active clients`;
    case 'relationshipDepth': {
      const share = result.shareOfCatalog;
      const catalog = share === null || share === undefined ? '' : `, ${share.toFixed(0)}% of the catalog`;
      return `${count(numerator)} services over ${count(denominator)} active clients${catalog}`;
    }
    case 'empowermentSatisfactionScore':
    case 'netPromoterScore':
      return `${count(denominator)} ${denominator === 1 ? 'response' : 'responses'}`;
    case 'customerRetentionRate':
      return `${count(numerator)} of ${count(denominator)} customers at the start`;
    case 'costToSupportPerClient':
      return `${formatKpiValue(id, numerator, snapshot.currency)} over ${count(denominator)} active clients`;
  }
}

const EMPTY_POPULATION: Record<KpiId, string> = {
  clientIndependenceRate: 'served clients',
  selfServiceAdoptionRate: 'active clients',
  relationshipDepth: 'active clients',
  empowermentSatisfactionScore: 'CESS responses',
  netPromoterScore: 'NPS responses',
  customerRetentionRate: 'customers at the start',
  costToSupportPerClient: 'active clients',
};

export interface TargetStatus {
  readonly target: Target;
  /** `60.0%` */
  readonly valueText: string;
  readonly met: boolean;
  /** `met`, or `6.4 pp short`, `$7.70 over` */
  readonly gapText: string;
  /** `6.4 pp short of the 60.0% target`, `$7.70 over the $120.00 target`, or `target 60.0% met` */
  readonly sentence: string;
}

/** How a value stands against its target; `undefined` without a target or a value. */
export function targetStatus(
  id: KpiId,
  value: number | null,
  target: Target | undefined,
  currency: string,
): TargetStatus | undefined {
  if (target === undefined || value === null) return undefined;
  const gap = value - target.value;
  // Judged as displayed, like the deltas: 59.96% shows as 60.0% and meets a 60% target.
  const shown = displayedDelta(id, gap);
  const met = target.direction === 'higher' ? shown >= 0 : shown <= 0;
  const side = target.direction === 'higher' ? 'short' : 'over';
  const valueText = formatKpiValue(id, target.value, currency);
  const magnitude = changeMagnitude(id, gap, currency);
  return {
    target,
    valueText,
    met,
    gapText: met ? 'met' : `${magnitude} ${side}`,
    sentence: met
      ? `target ${valueText} met`
      : `${magnitude} ${side === 'short' ? 'short of' : 'over'} the ${valueText} target`,
  };
}
