/**
 * The report models every template set is rendered with when it is compiled, before any
 * work: one message of each kind, so that each branch of a template runs at least once
 * and each field that can be null is read while null. The figures are made up.
 *
 * - the company view: trends and charts, targets met and missed, needs attention, segment
 *   highlights, a low sample, more files and warnings than are listed, a view-online link
 *   and an unsubscribe address;
 * - a recipient limited to one segment (the company's value beside each figure), in the
 *   second year of data (no year-before quarter, said in a note), whose CSV is too large
 *   to attach;
 * - a recipient of more segments than the compact tables show;
 * - the saved report of a first quarter without services, surveys or support costs: no
 *   earlier data, no charts (`chart` is null), KPIs without a value, nothing that needs
 *   attention;
 * - a recipient of two segments in that first quarter.
 */
import { defaultConfig, type Recipient } from '../../config';
import type { DatasetName } from '../../datasets/contract';
import { KPI_DEFINITIONS, KPI_IDS, type KpiId } from '../../kpi-ids';
import { bandOf } from '../../kpis/bands';
import type { KpiResult, KpiResults, Snapshot } from '../../snapshot';
import { type BuildReportModelInput, buildReportModel } from '../model/build-report-model';
import { KPI_DATASET } from '../model/kpi-text';
import type { ReportModel } from '../model/report-model';

export interface SampleReport {
  /** What kind of message this is, for error messages: `the company view`. */
  readonly label: string;
  readonly model: ReportModel;
}

const QUARTERS = ['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'] as const;
const HISTORY_QUARTERS = { 'five quarters': 5, 'no year before': 4, 'first quarter': 1 } as const;

/** Each KPI's value this quarter, the quarter before and a year before. */
const COMPANY: Record<KpiId, readonly [number, number, number]> = {
  clientIndependenceRate: [53.6, 48.7, 45],
  selfServiceAdoptionRate: [72.5, 70.1, 61],
  relationshipDepth: [2.5, 2.6, 2.4],
  empowermentSatisfactionScore: [68, 76, 66],
  netPromoterScore: [12, 10, 5],
  customerRetentionRate: [92, 92.04, 90],
  costToSupportPerClient: [41.2, 40, 50],
};

/** A first quarter's values where they differ: strong, so that nothing needs attention. */
const FIRST_QUARTER: Partial<Record<KpiId, number>> = {
  clientIndependenceRate: 85,
  selfServiceAdoptionRate: 75,
};

/** Whether each change on the quarter before is outside the noise. */
const QOQ_OUTSIDE_NOISE: ReadonlySet<KpiId> = new Set([
  'clientIndependenceRate',
  'empowermentSatisfactionScore',
]);

const REGIONS = ['EMEA', 'North America', 'APAC', ...Array.from({ length: 15 }, (_, i) => `Region ${i + 4}`)];

/** How much history a sample snapshot has: five quarters, four (no year before), or one. */
type History = 'five quarters' | 'no year before' | 'first quarter';

interface ResultOptions {
  readonly scale: number;
  readonly lowSample: ReadonlySet<KpiId>;
  readonly history: History;
  /** KPIs without a value: their dataset is missing, or (retention) there is no quarter before. */
  readonly withoutValue: ReadonlySet<KpiId>;
}

function result(id: KpiId, options: ResultOptions): KpiResult {
  const [usual, before, yearBefore] = COMPANY[id];
  const now = (options.history === 'first quarter' ? FIRST_QUARTER[id] : undefined) ?? usual;
  const value = options.withoutValue.has(id) ? null : now * options.scale;
  const lowSample = options.lowSample.has(id);
  const previous = options.history === 'first quarter' ? null : before * options.scale;
  const yearAgo = options.history === 'five quarters' ? yearBefore * options.scale : null;
  const delta = (earlier: number | null) => (value === null || earlier === null ? null : value - earlier);
  const relative = (earlier: number | null) =>
    value === null || earlier === null ? null : ((value - earlier) / Math.abs(earlier)) * 100;
  const quarters = QUARTERS.slice(QUARTERS.length - HISTORY_QUARTERS[options.history]);
  const shareOfCatalog = value === null ? null : (value / 4) * 100;
  return {
    value,
    unit: KPI_DEFINITIONS[id].unit,
    numerator: 290,
    denominator: lowSample ? 12 : 400,
    band: bandOf(id, id === 'relationshipDepth' ? shareOfCatalog : value, defaultConfig.bands),
    lowSample,
    interval: value === null ? null : { low: value - 2, high: value + 2 },
    previous,
    deltaQoQ: delta(previous),
    deltaQoQOutsideNoise: delta(previous) === null ? null : QOQ_OUTSIDE_NOISE.has(id),
    yearAgo,
    deltaYoY: delta(yearAgo),
    deltaYoYOutsideNoise: delta(yearAgo) === null ? null : id === 'costToSupportPerClient',
    ...(id === 'costToSupportPerClient' && {
      deltaQoQPercent: relative(previous),
      deltaYoYPercent: relative(yearAgo),
    }),
    ...(id === 'relationshipDepth' && { shareOfCatalog }),
    trend: quarters.map((quarter, index) => ({
      quarter,
      value: index === quarters.length - 1 ? value : before * options.scale * (1 - 0.02 * index),
    })),
  };
}

function results(options: Partial<ResultOptions> = {}): KpiResults {
  const full: ResultOptions = {
    scale: 1,
    lowSample: new Set(),
    history: 'five quarters',
    withoutValue: new Set(),
    ...options,
  };
  return Object.fromEntries(KPI_IDS.map((id) => [id, result(id, full)])) as KpiResults;
}

function datasetQuality(name: DatasetName, present: boolean, files: number) {
  return {
    present,
    rows: present ? 12_400 : 0,
    rejected: present ? 3 : 0,
    examples: [],
    files: Array.from({ length: present ? files : 0 }, (_, index) => ({
      file: files === 1 ? `${name}.csv` : `${name}/part-${index + 1}.csv`,
      bytes: 4096,
      sha256: 'ab'.repeat(32),
      rows: 1200,
      ...(name === 'clients' && { versionId: 'v3Lg7' }),
    })),
  };
}

function snapshot(history: History): Snapshot {
  const first = history === 'first quarter';
  const missing: DatasetName[] = first ? ['services', 'surveys', 'support_costs'] : [];
  const withoutValue = new Set<KpiId>(
    first ? KPI_IDS.filter((id) => id === 'customerRetentionRate' || KPI_DATASET[id] !== undefined) : [],
  );
  const regionResults = (index: number) =>
    results({
      scale: 0.9 + 0.01 * index,
      lowSample: new Set(index === 2 ? KPI_IDS : []),
      history,
      withoutValue,
    });
  return {
    schemaVersion: 1,
    quarter: '2026-Q3',
    period: { start: '2026-07-01', end: '2026-09-30', timeZone: 'UTC' },
    generatedAt: '2026-10-01T06:00:00.000Z',
    companyName: 'Example & Co',
    currency: 'USD',
    settings: {
      independenceThreshold: 0.8,
      minimumSample: 30,
      rejectLimitPercent: 1,
      fiscalYearStartMonth: 1,
    },
    catalogSize: 4,
    ...(!first && {
      targets: {
        clientIndependenceRate: { value: 60, direction: 'higher' as const },
        selfServiceAdoptionRate: { value: 70, direction: 'higher' as const },
        costToSupportPerClient: { value: 45, direction: 'lower' as const },
      },
    }),
    kpis: results({ history, withoutValue, lowSample: new Set(first ? [] : ['netPromoterScore']) }),
    segments: {
      region: Object.fromEntries(REGIONS.map((name, index) => [name, regionResults(index)])),
      size: { '(unspecified)': regionResults(0), Enterprise: regionResults(1) },
    },
    dataQuality: {
      clients: datasetQuality('clients', true, 1),
      interactions: datasetQuality('interactions', true, 7),
      services: datasetQuality('services', !missing.includes('services'), 1),
      surveys: datasetQuality('surveys', !missing.includes('surveys'), 1),
      support_costs: datasetQuality('support_costs', !missing.includes('support_costs'), 1),
    },
    warnings: first ? [] : Array.from({ length: 11 }, (_, index) => `Sample warning ${index + 1}.`),
  };
}

interface SampleMessage {
  readonly label: string;
  readonly history: History;
  readonly recipient?: Recipient;
  readonly input?: Partial<BuildReportModelInput>;
}

const MESSAGES: readonly SampleMessage[] = [
  {
    label: 'the company view',
    history: 'five quarters',
    recipient: { address: 'ceo@example.com', name: 'Alex' },
    input: { viewOnlineUrl: 'https://example.com/report.html', unsubscribeAddress: 'kpi-owner@example.com' },
  },
  {
    label: 'a recipient limited to one segment',
    history: 'no year before',
    recipient: { address: 'emea@example.com', segments: [{ dimension: 'region', value: 'EMEA' }] },
    input: { csvAttached: false },
  },
  {
    label: 'a recipient of several segments',
    history: 'five quarters',
    recipient: {
      address: 'regions@example.com',
      name: 'Robin',
      segments: REGIONS.map((value) => ({ dimension: 'region', value })),
    },
  },
  { label: 'the saved report of a first quarter with missing exports', history: 'first quarter' },
  {
    label: 'a recipient of two segments in a first quarter',
    history: 'first quarter',
    recipient: {
      address: 'two@example.com',
      segments: REGIONS.slice(0, 2).map((value) => ({ dimension: 'region', value })),
    },
  },
];

let built: readonly SampleReport[] | undefined;

/** The sample models, built once (they depend on nothing but this module). */
export function sampleReports(): readonly SampleReport[] {
  built ??= MESSAGES.map((message) => ({
    label: message.label,
    model: buildReportModel({
      snapshot: snapshot(message.history),
      riskDropPoints: defaultConfig.email.riskDropPoints,
      recipient: message.recipient,
      cidToken: 'sample',
      ...message.input,
    }).model,
  }));
  return built;
}
