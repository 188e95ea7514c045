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
    previous,
    deltaQoQ: difference(previous),
    yearAgo,
    deltaYoY: difference(yearAgo),
    ...(id === 'costToSupportPerClient' && {
      deltaQoQPercent: relative(value, previous),
      deltaYoYPercent: relative(value, yearAgo),
    }),
    ...(id === 'relationshipDepth' && { shareOfCatalog: kpi.shareOfCatalog ?? null }),
    trend: quarters.map((quarter) => ({ quarter, value: trendValue(quarter) })),
  };
}

/** The company figures: see the comments for what each one exercises. */
export const SAMPLE_COMPANY: Record<KpiId, SampleKpi> = {
  // weak (< 60), low sample (20 < 30), up 4.9 pp
  clientIndependenceRate: {
    value: 55,
    previous: 50.1,
    yearAgo: 40,
    numerator: 11,
    denominator: 20,
    lowSample: true,
  },
  // strong, +2.4 pp on the quarter, +11.5 pp on the year
  selfServiceAdoptionRate: { value: 72.5, previous: 70.1, yearAgo: 61, numerator: 290, denominator: 400 },
  // moderate on 62.5% of the catalog; down 0.10 (−3.85%); n/a a year ago
  relationshipDepth: {
    value: 2.5,
    previous: 2.6,
    yearAgo: null,
    numerator: 1000,
    denominator: 400,
    shareOfCatalog: 62.5,
  },
  // weak (< 70) and fell 8 pp: two reasons
  empowermentSatisfactionScore: { value: 68, previous: 76, yearAgo: 66, numerator: 27200, denominator: 400 },
  // weak (< 0); fell exactly 5 points, which is not more than the default 5
  netPromoterScore: { value: -10, previous: -5, yearAgo: 0, numerator: -40, denominator: 400 },
  // −0.04 pp shows as −0.0: unchanged
  customerRetentionRate: { value: 92, previous: 92.04, yearAgo: 90, numerator: 368, denominator: 400 },
  // rose $1.20 (+3.0%): worse; fell $8.80 (−17.6%) on the year: better
  costToSupportPerClient: { value: 41.2, previous: 40, yearAgo: 50, numerator: 16480, denominator: 400 },
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
      { ...kpi, value: kpi.value === null ? null : kpi.value * factor, lowSample },
    ]),
  ) as Record<KpiId, SampleKpi>;
}

export const HOSTILE_SEGMENT = '<script>alert(1)</script>';

export function sampleSnapshot(
  options: { companyName?: string; quarters?: readonly string[] } = {},
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
      support_costs: { present: false, rows: 0, rejected: 0, examples: [], files: [] },
    },
    warnings: ['a sample warning'],
  };
}
