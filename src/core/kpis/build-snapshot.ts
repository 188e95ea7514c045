/**
 * Turns one quarter's measures, plus the values of earlier quarters, into the snapshot:
 * bands, low-sample flags, 95% intervals, quarter-over-quarter and year-over-year deltas
 * with whether each is outside the noise, 8-quarter trends, and the configured targets.
 */
import type { Config } from '../config';
import type { DatasetName } from '../export-set/contract';
import type { DatasetQuality } from '../export-set/dataset-quality';
import { KPI_DEFINITIONS, KPI_IDS, type KpiId } from '../kpi-ids';
import { formatDay, formatQuarter, type QuarterPeriod, shiftQuarter } from '../quarter';
import {
  type KpiResult,
  type KpiResults,
  type PriorSnapshot,
  SNAPSHOT_SCHEMA_VERSION,
  type Snapshot,
} from '../snapshot';
import { bandOf } from './bands';
import { type Interval, outsideNoise } from './intervals';
import type { KpiMeasure, KpiMeasures } from './kpi-values';

export const TREND_QUARTERS = 8;

/** One quarter's measures, for the company and every segment value. */
export interface QuarterMeasures {
  readonly company: KpiMeasures;
  /** dimension → segment value → measures */
  readonly segments: ReadonlyMap<string, ReadonlyMap<string, KpiMeasures>>;
  readonly catalogSize: number;
}

/**
 * One KPI of an earlier quarter: its value, and its 95% interval when known (`undefined`
 * for a snapshot written before intervals existed).
 */
export interface PriorValue {
  readonly value: number | null;
  readonly interval?: Interval | null | undefined;
}

const NO_PRIOR: PriorValue = { value: null, interval: null };

/** The KPI values of an earlier quarter, from its snapshot or recomputed from its exports. */
export interface PriorValues {
  company(id: KpiId): PriorValue;
  segment(dimension: string, value: string, id: KpiId): PriorValue;
}

export function priorValuesFromSnapshot(snapshot: PriorSnapshot): PriorValues {
  return {
    company: (id) => snapshot.kpis[id] ?? NO_PRIOR,
    segment: (dimension, value, id) => snapshot.segments[dimension]?.[value]?.[id] ?? NO_PRIOR,
  };
}

export function priorValuesFromMeasures(measures: QuarterMeasures): PriorValues {
  return {
    company: (id) => measures.company[id],
    segment: (dimension, value, id) => measures.segments.get(dimension)?.get(value)?.[id] ?? NO_PRIOR,
  };
}

export interface BuildSnapshotInput {
  readonly period: QuarterPeriod;
  readonly config: Config;
  readonly measures: QuarterMeasures;
  /** Earlier quarters by label (`2026-Q2`); a quarter with neither snapshot nor exports is absent. */
  readonly priors: ReadonlyMap<string, PriorValues>;
  readonly dataQuality: Record<DatasetName, DatasetQuality>;
  readonly warnings: readonly string[];
  readonly generatedAt: Date;
}

export function buildSnapshot(input: BuildSnapshotInput): Snapshot {
  const { period, config, measures, priors } = input;
  const earlier = (offset: number) => formatQuarter(shiftQuarter(period.quarter, offset));
  const results = (
    measured: KpiMeasures,
    lookup: (prior: PriorValues, id: KpiId) => PriorValue,
  ): KpiResults => {
    const entries = KPI_IDS.map((id) => {
      const priorValue = (offset: number) => {
        const prior = priors.get(earlier(offset));
        return prior === undefined ? NO_PRIOR : lookup(prior, id);
      };
      const trend = [];
      for (let offset = 1 - TREND_QUARTERS; offset < 0; offset++) {
        const prior = priors.get(earlier(offset));
        if (prior !== undefined) trend.push({ quarter: earlier(offset), value: lookup(prior, id).value });
      }
      trend.push({ quarter: period.label, value: measured[id].value });
      return [id, kpiResult(id, measured[id], priorValue(-1), priorValue(-4), trend, config)];
    });
    return Object.fromEntries(entries) as KpiResults;
  };

  // Keyed by values from the data: objects without a prototype, so `__proto__` is a key like any other.
  const segments: Snapshot['segments'] = Object.create(null);
  for (const [dimension, values] of measures.segments) {
    const byValue: Snapshot['segments'][string] = Object.create(null);
    for (const [value, measured] of values) {
      byValue[value] = results(measured, (prior, id) => prior.segment(dimension, value, id));
    }
    segments[dimension] = byValue;
  }
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    quarter: period.label,
    period: { start: formatDay(period.start), end: formatDay(period.end), timeZone: config.timeZone },
    generatedAt: input.generatedAt.toISOString(),
    companyName: config.companyName,
    currency: config.currency,
    settings: {
      independenceThreshold: config.independenceThreshold,
      minimumSample: config.minimumSample,
      rejectLimitPercent: config.rejectLimitPercent,
      fiscalYearStartMonth: config.fiscalYearStartMonth,
    },
    catalogSize: measures.catalogSize,
    targets: resolvedTargets(config),
    kpis: results(measures.company, (prior, id) => prior.company(id)),
    segments,
    dataQuality: input.dataQuality,
    warnings: [...input.warnings],
  };
}

/** The configured targets, as the snapshot records them. */
function resolvedTargets(config: Config): Snapshot['targets'] {
  return Object.fromEntries(
    KPI_IDS.flatMap((id) => {
      const target = config.targets[id];
      return target === undefined ? [] : [[id, { value: target.value, direction: target.direction }]];
    }),
  );
}

function kpiResult(
  id: KpiId,
  measure: KpiMeasure,
  previousQuarter: PriorValue,
  yearAgoQuarter: PriorValue,
  trend: KpiResult['trend'],
  config: Config,
): KpiResult {
  const { value, interval } = measure;
  const previous = previousQuarter.value;
  const yearAgo = yearAgoQuarter.value;
  const bandValue = id === 'relationshipDepth' ? (measure.shareOfCatalog ?? null) : value;
  const result: KpiResult = {
    value,
    unit: KPI_DEFINITIONS[id].unit,
    numerator: measure.numerator,
    denominator: measure.denominator,
    band: bandOf(id, bandValue, config.bands),
    lowSample: value !== null && measure.denominator < config.minimumSample,
    interval,
    previous,
    deltaQoQ: difference(value, previous),
    deltaQoQOutsideNoise: outsideNoise(value, interval, previous, previousQuarter.interval),
    yearAgo,
    deltaYoY: difference(value, yearAgo),
    deltaYoYOutsideNoise: outsideNoise(value, interval, yearAgo, yearAgoQuarter.interval),
    trend,
  };
  if (id === 'costToSupportPerClient') {
    result.deltaQoQPercent = relativeChange(value, previous);
    result.deltaYoYPercent = relativeChange(value, yearAgo);
  }
  if (id === 'relationshipDepth') result.shareOfCatalog = measure.shareOfCatalog ?? null;
  return result;
}

function difference(value: number | null, earlier: number | null): number | null {
  return value === null || earlier === null ? null : value - earlier;
}

function relativeChange(value: number | null, earlier: number | null): number | null {
  return value === null || earlier === null || earlier === 0
    ? null
    : ((value - earlier) / Math.abs(earlier)) * 100;
}
