/**
 * A small, hand-made snapshot for the email tests: every value below is chosen by hand so
 * the expected display text, arrows, bands and risks can be worked out on paper.
 */
import { parseConfig } from '../../src/core/config';
import { KPI_DEFINITIONS, type KpiId } from '../../src/core/kpi-ids';
import { bandOf } from '../../src/core/kpis/bands';
import type { KpiResult, KpiResults, Snapshot } from '../../src/core/snapshot';

const BANDS = parseConfig({}).bands;

export interface SampleKpi {
  readonly value: number | null;
  readonly previous?: number | null;
  readonly yearAgo?: number | null;
  readonly numerator?: number;
  readonly denominator?: number;
  readonly lowSample?: boolean;
  readonly shareOfCatalog?: number | null;
  /** The 95% interval; omitted for a KPI as older snapshots wrote it (none, no noise flags). */
  readonly interval?: readonly [number, number] | null;
  /** Whether the quarter-over-quarter change is outside the noise. */
  readonly qoqNoise?: boolean | null;
  readonly yoyNoise?: boolean | null;
}

/** Quarters in the sample trends; 2026-Q1 is missing on purpose (no data that quarter). */
export const SAMPLE_TREND_QUARTERS = ['2025-Q3', '2025-Q4', '2026-Q2', '2026-Q3'] as const;

function relative(value: number | null, earlier: number | null): number | null {
  return value === null || earlier === null || earlier === 0
    ? null
    : ((value - earlier) / Math.abs(earlier)) * 100;
}

export function sampleKpi(
  id: KpiId,
  kpi: SampleKpi,
  quarters: readonly string[] = SAMPLE_TREND_QUARTERS,
): KpiResult {
  const previous = kpi.previous ?? null;
  const yearAgo = kpi.yearAgo ?? null;
  const value = kpi.value;
  const difference = (earlier: number | null) =>
    value === null || earlier === null ? null : value - earlier;
  const trendValue = (quarter: string): number | null => {
    if (quarter === '2026-Q3') return value;
    if (quarter === '2026-Q2') return previous;
    if (quarter === '2025-Q3') return yearAgo;
    return value === null ? null : value - 1;
  };
  const bandValue = id === 'relationshipDepth' ? (kpi.shareOfCatalog ?? null) : value;
  return {
    value,
    unit: KPI_DEFINITIONS[id].unit,
    numerator: kpi.numerator ?? 0,
    denominator: kpi.denominator ?? 100,
    band: bandOf(id, bandValue, BANDS),
    lowSample: kpi.lowSample ?? false,
    ...(kpi.interval !== undefined && {
      interval: kpi.interval === null ? null : { low: kpi.interval[0], high: kpi.interval[1] },
    }),
    previous,
    deltaQoQ: difference(previous),
    ...(kpi.qoqNoise !== undefined && { deltaQoQOutsideNoise: kpi.qoqNoise }),
    yearAgo,
    deltaYoY: difference(yearAgo),
    ...(kpi.yoyNoise !== undefined && { deltaYoYOutsideNoise: kpi.yoyNoise }),
    ...(id === 'costToSupportPerClient' && {
      deltaQoQPercent: relative(value, previous),
      deltaYoYPercent: relative(value, yearAgo),
    }),
    ...(id === 'relationshipDepth' && { shareOfCatalog: kpi.shareOfCatalog ?? null }),
    trend: quarters.map((quarter) => ({ quarter, value: trendValue(quarter) })),
  };
}

/**
 * The company figures: see the comments for what each one exercises. Intervals are
 * chosen by hand, and with them whether each change is outside the noise (the MOVER rule:
 * larger than the two quarters' half-widths combined, each taken as this quarter's).
 */
export const SAMPLE_COMPANY: Record<KpiId, SampleKpi> = {
  // weak (< 60), low sample (20 < 30), up 4.9 pp within its wide noise
  clientIndependenceRate: {
    value: 55,
    previous: 50.1,
    yearAgo: 40,
    numerator: 11,
    denominator: 20,
    lowSample: true,
    interval: [34.2, 74.2],
    qoqNoise: false,
    yoyNoise: false,
  },
  // strong, +2.4 pp on the quarter (within ±6.2) and +11.5 pp on the year (outside it)
  selfServiceAdoptionRate: {
    value: 72.5,
    previous: 70.1,
    yearAgo: 61,
    numerator: 290,
    denominator: 400,
    interval: [67.9, 76.6],
    qoqNoise: false,
    yoyNoise: true,
  },
  // moderate on 62.5% of the catalog; down 0.10 (−3.85%) within ±0.14; n/a a year ago
  relationshipDepth: {
    value: 2.5,
    previous: 2.6,
    yearAgo: null,
    numerator: 1000,
    denominator: 400,
    shareOfCatalog: 62.5,
    interval: [2.4, 2.6],
    qoqNoise: false,
    yoyNoise: null,
  },
  // weak (< 70) and fell 8 pp, outside ±2.8: two reasons, and the clearest move
  empowermentSatisfactionScore: {
    value: 68,
    previous: 76,
    yearAgo: 66,
    numerator: 27200,
    denominator: 400,
    interval: [66, 70],
    qoqNoise: true,
    yoyNoise: false,
  },
  // weak (< 0); fell exactly 5 points, within ±13.6 (and not more than the default 5)
  netPromoterScore: {
    value: -10,
    previous: -5,
    yearAgo: 0,
    numerator: -40,
    denominator: 400,
    interval: [-19.6, -0.4],
    qoqNoise: false,
    yoyNoise: false,
  },
  // −0.04 pp shows as −0.0: unchanged
  customerRetentionRate: {
    value: 92,
    previous: 92.04,
    yearAgo: 90,
    numerator: 368,
    denominator: 400,
    interval: [89, 94.2],
    qoqNoise: false,
    yoyNoise: false,
  },
  // rose $1.20 (+3.0%) within ±$4.5; fell $8.80 (−17.6%) on the year: better
  costToSupportPerClient: {
    value: 41.2,
    previous: 40,
    yearAgo: 50,
    numerator: 16480,
    denominator: 400,
    interval: [38, 44.4],
    qoqNoise: false,
    yoyNoise: true,
  },
};

function results(kpis: Record<KpiId, SampleKpi>, quarters?: readonly string[]): KpiResults {
  return Object.fromEntries(
    Object.entries(kpis).map(([id, kpi]) => [id, sampleKpi(id as KpiId, kpi, quarters)]),
  ) as KpiResults;
}

/** Scales every company value, for segment figures that differ from the company's. */
function scaled(factor: number, lowSample = false): Record<KpiId, SampleKpi> {
  return Object.fromEntries(
    Object.entries(SAMPLE_COMPANY).map(([id, kpi]) => [
      id,
      {
        ...kpi,
        value: kpi.value === null ? null : kpi.value * factor,
        interval:
          kpi.interval === undefined || kpi.interval === null
            ? kpi.interval
            : [kpi.interval[0] * factor, kpi.interval[1] * factor],
        lowSample,
      },
    ]),
  ) as Record<KpiId, SampleKpi>;
}

export const HOSTILE_SEGMENT = '<script>alert(1)</script>';

export function sampleSnapshot(
  options: { companyName?: string; quarters?: readonly string[]; targets?: Snapshot['targets'] } = {},
): Snapshot {
  const quality = (file: string, extra: { versionId?: string } = {}) => ({
    present: true,
    rows: 1200,
    rejected: 3,
    examples: [],
    files: [{ file, bytes: 4096, sha256: 'ab'.repeat(32), rows: 1200, ...extra }],
  });
  return {
    schemaVersion: 1,
    quarter: '2026-Q3',
    period: { start: '2026-07-01', end: '2026-09-30', timeZone: 'UTC' },
    generatedAt: '2026-10-05T06:00:03.120Z',
    companyName: options.companyName ?? 'Smith & Jones',
    currency: 'USD',
    settings: {
      independenceThreshold: 0.8,
      minimumSample: 30,
      rejectLimitPercent: 1,
      fiscalYearStartMonth: 1,
    },
    catalogSize: 4,
    ...(options.targets !== undefined && { targets: options.targets }),
    kpis: results(SAMPLE_COMPANY, options.quarters),
    segments: {
      region: {
        EMEA: results(scaled(0.9), options.quarters),
        NA: results(scaled(1.1), options.quarters),
        // Best on every higher-is-better KPI, so it shows in the highlights.
        [HOSTILE_SEGMENT]: results(scaled(1.5), options.quarters),
        // Better still, but resting on a low sample: left out of the highlights.
        Tiny: results(scaled(2, true), options.quarters),
      },
      product: { '=HYPERLINK("http://x")': results(scaled(1.0), options.quarters) },
    },
    dataQuality: {
      clients: quality('clients.csv', { versionId: 'v3Lg7' }),
      interactions: quality('interactions.csv'),
      services: quality('services.csv'),
      surveys: quality('surveys.csv'),
      support_costs: quality('support_costs.csv'),
    },
    warnings: ['a sample warning'],
  };
}
