/**
 * One KPI as a row of the email's table: value with unit, band (or, for Cost to Support
 * without one, how it compares with its own trend), target, the two changes, and what the
 * value rests on. Built from one `kpis.json` result; no figure is computed here that the
 * snapshot does not hold, except the trend average Cost to Support is compared with.
 */
import { KPI_DEFINITIONS, type KpiId } from '../../kpi-ids';
import type { Band, KpiResult, Snapshot } from '../../snapshot';
import { displayedDelta, formatKpiValue } from '../format/format-values';
import { basisText, intervalText, NOT_AVAILABLE_TEXT, SHORT_NAMES, targetStatus, unitText } from './kpi-text';
import { type DeltaModel, deltaModel } from './moves';

export interface BandModel {
  /** Always words, so the band never rests on colour alone. */
  readonly word: string;
  /** What an unbanded value is compared with instead, or empty. */
  readonly note: string;
  /** The band's text colour (CSS). */
  readonly color: string;
  /** The band's background colour (CSS). */
  readonly background: string;
}

export interface TargetModel {
  /** Whether the KPI has a target (`targets` in the configuration) and a value to compare. */
  readonly has: boolean;
  /** `60.0%` */
  readonly value: string;
  /** `met`, `6.4 pp short`, `$7.70 over` */
  readonly gap: string;
  /** `11.3 pp short in 2026-Q2`, or empty */
  readonly before: string;
  /** Whether the value meets the target. */
  readonly met: boolean;
  /** Green when met, red when not (CSS). */
  readonly color: string;
}

export interface KpiRowModel {
  /** The KPI's id, as in `kpis.json`. */
  readonly id: KpiId;
  /** `Client Independence Rate` */
  readonly name: string;
  /** `Independence`, as the subject and the charts name it. */
  readonly shortName: string;
  /** Rounded as the CLI rounds it: `53.6%`, `2.56`, or `not available`. */
  readonly value: string;
  /** Whether the KPI has a value this quarter. */
  readonly hasValue: boolean;
  /** Written after the value: `services per client`, `per client`; empty for percentages. */
  readonly unit: string;
  /** Whether `unit` is not empty. */
  readonly hasUnit: boolean;
  /** What the value rests on, e.g. "290 of 400 served clients". */
  readonly basis: string;
  /** `95% interval 51.3% to 56.0%`, or empty. */
  readonly interval: string;
  /** Whether `interval` is not empty. */
  readonly hasInterval: boolean;
  /** The band (strong, moderate, weak) in words and colours. */
  readonly band: BandModel;
  /** The configured target and how far the value is from it. */
  readonly target: TargetModel;
  /** The change on the previous quarter. */
  readonly qoq: DeltaModel;
  /** The change on the same quarter a year before. */
  readonly yoy: DeltaModel;
  /** Whether the value rests on fewer observations than `minimumSample`. */
  readonly lowSample: boolean;
  /** The company's value, beside a segment's; empty in the company view. */
  readonly companyValue: string;
}

const BAND_STYLES: Record<Band | 'neutral', Omit<BandModel, 'word' | 'note'>> = {
  strong: { color: '#14532d', background: '#dcfce7' },
  moderate: { color: '#713f12', background: '#fef3c7' },
  weak: { color: '#7f1d1d', background: '#fee2e2' },
  neutral: { color: '#374151', background: '#f3f4f6' },
};

const BAND_WORDS: Record<Band, string> = { strong: 'Strong', moderate: 'Moderate', weak: 'Weak' };

/** The quarter before, and a year before, with whether the snapshot has data for them. */
export interface EarlierQuarters {
  readonly previous: { readonly quarter: string; readonly exists: boolean };
  readonly yearAgo: { readonly quarter: string; readonly exists: boolean };
}

export function kpiRow(
  id: KpiId,
  result: KpiResult,
  snapshot: Snapshot,
  earlier: EarlierQuarters,
  companyValue: string,
): KpiRowModel {
  const { currency } = snapshot;
  const interval = intervalText(id, result, currency);
  const unit = result.value === null ? '' : unitText(id);
  return {
    id,
    name: KPI_DEFINITIONS[id].name,
    shortName: SHORT_NAMES[id],
    value: result.value === null ? NOT_AVAILABLE_TEXT : formatKpiValue(id, result.value, currency),
    hasValue: result.value !== null,
    unit,
    hasUnit: unit !== '',
    basis: basisText(id, result, snapshot),
    interval,
    hasInterval: interval !== '',
    band: bandModel(id, result, currency),
    target: targetModel(id, result, snapshot, earlier.previous.quarter),
    qoq: deltaModel(id, result, 'qoq', earlier.previous, currency),
    yoy: deltaModel(id, result, 'yoy', earlier.yearAgo, currency),
    lowSample: result.lowSample,
    companyValue,
  };
}

/**
 * The band in words; for Cost to Support without configured thresholds, how the value
 * compares with the average of the earlier quarters in its trend (kpis.md: "compared
 * with its own trend"), with that average in `note`.
 */
function bandModel(id: KpiId, result: KpiResult, currency: string): BandModel {
  if (result.value === null) return { word: NOT_AVAILABLE_TEXT, note: '', ...BAND_STYLES.neutral };
  if (result.band !== null) return { word: BAND_WORDS[result.band], note: '', ...BAND_STYLES[result.band] };
  const average = trendAverage(result);
  if (id !== 'costToSupportPerClient' || average === undefined) {
    return { word: 'No band', note: '', ...BAND_STYLES.neutral };
  }
  const difference = displayedDelta(id, result.value - average.mean);
  const { count: earlier } = average;
  return {
    word: difference === 0 ? 'At average' : difference < 0 ? 'Below average' : 'Above average',
    note: `average of the ${earlier === 1 ? 'previous quarter' : `${earlier} earlier quarters`}: ${formatKpiValue(id, average.mean, currency)}`,
    ...BAND_STYLES.neutral,
  };
}

/** The mean of the earlier quarters' values in the trend, and how many there are. */
function trendAverage(result: KpiResult): { mean: number; count: number } | undefined {
  const earlier = result.trend
    .slice(0, -1)
    .map((point) => point.value)
    .filter((value): value is number => value !== null);
  if (earlier.length === 0) return undefined;
  return { mean: earlier.reduce((sum, value) => sum + value, 0) / earlier.length, count: earlier.length };
}

function targetModel(id: KpiId, result: KpiResult, snapshot: Snapshot, previousQuarter: string): TargetModel {
  const target = snapshot.targets?.[id];
  const now = targetStatus(id, result.value, target, snapshot.currency);
  if (now === undefined) {
    return { has: false, value: '', gap: '', before: '', met: false, color: BAND_STYLES.neutral.color };
  }
  const before = targetStatus(id, result.previous, target, snapshot.currency);
  return {
    has: true,
    value: now.valueText,
    gap: now.gapText,
    before: before === undefined ? '' : `${before.gapText} in ${previousQuarter}`,
    met: now.met,
    color: now.met ? BAND_STYLES.strong.color : BAND_STYLES.weak.color,
  };
}
