/**
 * Turns one quarter's measures, plus the values of earlier quarters, into the snapshot:
 * bands, low-sample flags, quarter-over-quarter and year-over-year deltas, 8-quarter trends.
 */
import type { Config } from '../config';
import type { DatasetName } from '../datasets/contract';
import type { DatasetQuality } from '../ingest/read-dataset';
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
import type { KpiMeasure, KpiMeasures } from './kpi-values';

export const TREND_QUARTERS = 8;

/** One quarter's measures, for the company and every segment value. */
export interface QuarterMeasures {
  readonly company: KpiMeasures;
  /** dimension → segment value → measures */
  readonly segments: ReadonlyMap<string, ReadonlyMap<string, KpiMeasures>>;
  readonly catalogSize: number;
}

/** The KPI values of an earlier quarter, from its snapshot or recomputed from its exports. */
export interface PriorValues {
  company(id: KpiId): number | null;
  segment(dimension: string, value: string, id: KpiId): number | null;
}

export function priorValuesFromSnapshot(snapshot: PriorSnapshot): PriorValues {
  return {
    company: (id) => snapshot.kpis[id]?.value ?? null,
    segment: (dimension, value, id) => snapshot.segments[dimension]?.[value]?.[id]?.value ?? null,
  };
}

export function priorValuesFromMeasures(measures: QuarterMeasures): PriorValues {
  return {
    company: (id) => measures.company[id].value,
    segment: (dimension, value, id) => measures.segments.get(dimension)?.get(value)?.[id].value ?? null,
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
    lookup: (prior: PriorValues, id: KpiId) => number | null,
  ): KpiResults => {
    const entries = KPI_IDS.map((id) => {
      const priorValue = (offset: number) => {
        const prior = priors.get(earlier(offset));
        return prior === undefined ? null : lookup(prior, id);
      };
      const trend = [];
      for (let offset = 1 - TREND_QUARTERS; offset < 0; offset++) {
        const prior = priors.get(earlier(offset));
        if (prior !== undefined) trend.push({ quarter: earlier(offset), value: lookup(prior, id) });
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
    kpis: results(measures.company, (prior, id) => prior.company(id)),
    segments,
    dataQuality: input.dataQuality,
    warnings: [...input.warnings],
  };
}

function kpiResult(
  id: KpiId,
  measure: KpiMeasure,
  previous: number | null,
  yearAgo: number | null,
  trend: KpiResult['trend'],
  config: Config,
): KpiResult {
  const { value } = measure;
  const bandValue = id === 'relationshipDepth' ? (measure.shareOfCatalog ?? null) : value;
  const result: KpiResult = {
    value,
    unit: KPI_DEFINITIONS[id].unit,
    numerator: measure.numerator,
    denominator: measure.denominator,
    band: bandOf(id, bandValue, config.bands),
    lowSample: value !== null && measure.denominator < config.minimumSample,
    previous,
    deltaQoQ: difference(value, previous),
    yearAgo,
    deltaYoY: difference(value, yearAgo),
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
