/**
 * What the email makes of a change: the delta as shown in the table (better, worse, or
 * unchanged within noise), which changes are news (outside the noise and not resting on a
 * low sample: the only ones the subject, the summary and "needs attention" may cite), and
 * which of those is the clearest.
 */
import { KPI_DEFINITIONS, type KpiId } from '../../kpi-ids';
import type { KpiResult } from '../../snapshot';
import { displayedDelta, formatKpiDelta, formatPercentChange } from '../format/format-values';
import { changeMagnitude, NOT_AVAILABLE_TEXT, targetStatus, valueWithUnit } from './kpi-text';

export type Which = 'qoq' | 'yoy';

/**
 * `better`/`worse`: a change outside the noise (or not judged, in a snapshot from before
 * intervals); `noise`: within it; `unchanged`: it rounds to zero; `none`: nothing to compare.
 */
export type Verdict = 'better' | 'worse' | 'noise' | 'unchanged' | 'none';

export interface DeltaModel {
  /** Whether there is a change to show (both quarters have a value). */
  readonly available: boolean;
  /** `+2.4 pp`, `-$1.20`, or a plain phrase when there is nothing to compare. */
  readonly text: string;
  /** Cost to Support only: the relative change, `(-2.9%)`; otherwise empty. */
  readonly detail: string;
  /** ▲ or ▼ for a change outside the noise, so that shape as well as colour tells it. */
  readonly arrow: string;
  /** The verdict as a word fit for a CSS class name (`delta-better`). */
  readonly verdict: Verdict;
  /** `better`, `worse`, `unchanged within noise`, `unchanged`, or empty. */
  readonly verdictText: string;
  /** Green for better, red for worse, grey otherwise (CSS). */
  readonly color: string;
}

const VERDICT_TEXT: Record<Verdict, string> = {
  better: 'better',
  worse: 'worse',
  noise: 'unchanged within noise',
  unchanged: 'unchanged',
  none: '',
};

export const VERDICT_COLORS: Record<Verdict, string> = {
  better: '#15803d',
  worse: '#b91c1c',
  noise: '#4b5563',
  unchanged: '#4b5563',
  none: '#4b5563',
};

function deltaOf(result: KpiResult, which: Which): number | null {
  return which === 'qoq' ? result.deltaQoQ : result.deltaYoY;
}

function noiseOf(result: KpiResult, which: Which): boolean | null | undefined {
  return which === 'qoq' ? result.deltaQoQOutsideNoise : result.deltaYoYOutsideNoise;
}

/** Whether a change is good for the KPI: up for most, down for cost. */
export function isImprovement(id: KpiId, change: number): boolean {
  return KPI_DEFINITIONS[id].higherIsBetter ? change > 0 : change < 0;
}

/** The verdict on a change, as the table shows it. */
export function verdictOf(id: KpiId, result: KpiResult, which: Which): Verdict {
  const delta = deltaOf(result, which);
  if (delta === null) return 'none';
  if (displayedDelta(id, delta) === 0) return 'unchanged';
  if (noiseOf(result, which) === false) return 'noise';
  return isImprovement(id, delta) ? 'better' : 'worse';
}

/**
 * The change on the previous quarter (`qoq`) or a year ago, for the table. `earlier` names
 * that quarter and says whether it has data at all, for the phrase shown without a change.
 */
export function deltaModel(
  id: KpiId,
  result: KpiResult,
  which: Which,
  earlier: { readonly quarter: string; readonly exists: boolean },
  currency: string,
): DeltaModel {
  const delta = deltaOf(result, which);
  const verdict = verdictOf(id, result, which);
  if (delta === null) {
    const text =
      result.value === null
        ? NOT_AVAILABLE_TEXT
        : earlier.exists
          ? `${NOT_AVAILABLE_TEXT} in ${earlier.quarter}`
          : `no ${earlier.quarter} data`;
    return {
      available: false,
      text,
      detail: '',
      arrow: '',
      verdict,
      verdictText: '',
      color: VERDICT_COLORS.none,
    };
  }
  const relative = which === 'qoq' ? result.deltaQoQPercent : result.deltaYoYPercent;
  const detail = id === 'costToSupportPerClient' ? `(${formatPercentChange(relative)})` : '';
  const moved = verdict === 'better' || verdict === 'worse';
  return {
    available: true,
    text: formatKpiDelta(id, delta, currency),
    detail,
    arrow: moved ? (delta > 0 ? '▲' : '▼') : '',
    verdict,
    verdictText: VERDICT_TEXT[verdict],
    color: VERDICT_COLORS[verdict],
  };
}

/**
 * A change the subject, the summary and "needs attention" may cite: outside the noise (as
 * `kpis.json` judged it), not resting on a low sample, and not rounding to zero.
 */
export function isNews(id: KpiId, result: KpiResult, which: Which): boolean {
  const delta = deltaOf(result, which);
  return (
    delta !== null && !result.lowSample && noiseOf(result, which) === true && displayedDelta(id, delta) !== 0
  );
}

/**
 * How clear a change is, on a scale that compares KPIs of different units: the change
 * over the half-width of this quarter's 95% interval on the side it came from (a rise is
 * measured against how far the value could be lower). 1 is as large as the noise.
 */
export function clarity(result: KpiResult, which: Which): number {
  const delta = deltaOf(result, which) ?? 0;
  const { value, interval } = result;
  if (value === null || interval === null || interval === undefined) return 0;
  const half = delta > 0 ? value - interval.low : interval.high - value;
  return half > 0 ? Math.abs(delta) / half : Number.POSITIVE_INFINITY;
}

/** `rose 4.9 pp to 53.6%`, `fell $8.31 (6.1%) to $127.70 per client`. */
export function movePhrase(id: KpiId, result: KpiResult, which: Which, currency: string): string {
  const delta = deltaOf(result, which) ?? 0;
  const relative = which === 'qoq' ? result.deltaQoQPercent : result.deltaYoYPercent;
  const percent =
    id === 'costToSupportPerClient' && relative !== null && relative !== undefined
      ? ` (${formatPercentChange(Math.abs(relative))})`
      : '';
  return `${delta > 0 ? 'rose' : 'fell'} ${changeMagnitude(id, delta, currency)}${percent} to ${valueWithUnit(id, result.value, currency)}`;
}

/**
 * Why a KPI needs attention, in sentences; none for a value resting on a low sample (a weak
 * band or a drop on a few observations is not a finding) or without a value.
 */
export function attentionReasons(
  id: KpiId,
  result: KpiResult,
  context: {
    readonly dropPoints: number;
    readonly previousQuarter: string;
    readonly target: Parameters<typeof targetStatus>[2];
    readonly currency: string;
  },
): string[] {
  const { currency } = context;
  if (result.value === null || result.lowSample) return [];
  const reasons: string[] = [];
  const value = valueWithUnit(id, result.value, currency);
  if (result.band === 'weak') reasons.push(`${value} is in the weak band.`);
  const target = targetStatus(id, result.value, context.target, currency);
  if (target !== undefined && !target.met) reasons.push(`${capitalise(target.sentence)}.`);
  const delta = result.deltaQoQ;
  if (delta !== null && isNews(id, result, 'qoq') && !isImprovement(id, delta)) {
    const unit = KPI_DEFINITIONS[id].unit;
    const size =
      unit === 'percent' || unit === 'score'
        ? Math.abs(delta)
        : Math.abs(result.previous === null || result.previous === 0 ? 0 : (delta / result.previous) * 100);
    if (size > context.dropPoints) {
      reasons.push(
        `${capitalise(movePhrase(id, result, 'qoq', currency))} since ${context.previousQuarter}, more than the alert threshold of ${context.dropPoints}${unit === 'percent' || unit === 'score' ? ' points' : '%'} and more than the noise.`,
      );
    }
  }
  return reasons;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
