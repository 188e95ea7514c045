/**
 * The report model: everything the email templates show, computed from a snapshot, so the
 * templates hold no logic beyond display. Every figure is rounded here, by the same
 * functions as the CLI table, so the email and `kpis.json` agree as displayed.
 */
import type { Recipient } from '../config';
import { KPI_DEFINITIONS, KPI_IDS, type KpiId } from '../kpi-ids';
import { formatQuarter, parseQuarter, shiftQuarter } from '../quarter';
import {
  displayedDelta,
  formatKpiDelta,
  formatKpiValue,
  formatPercentChange,
  NOT_AVAILABLE,
} from '../report/format-values';
import type { Band, KpiResult, KpiResults, Snapshot } from '../snapshot';
import { KPI_GUIDE } from './kpi-guide';
import { renderTrendChartSvg } from './trend-chart';

export type Verdict = 'better' | 'worse' | 'unchanged' | 'none';

export interface BandModel {
  /** Always a word, so the band never rests on colour alone. */
  readonly word: string;
  readonly color: string;
  readonly background: string;
}

export interface DeltaModel {
  readonly available: boolean;
  /** `+2.4 pp`, `-$1.20`, or a plain phrase when there is nothing to compare. */
  readonly text: string;
  /** Cost to Support only: the relative change, `(-2.9%)`; otherwise empty. */
  readonly detail: string;
  /** ▲ up, ▼ down, or empty when unchanged or unavailable: the direction of the value. */
  readonly arrow: string;
  /** Whether the move is good for this KPI (a falling cost is better). */
  readonly verdict: Verdict;
  readonly verdictText: string;
  readonly color: string;
}

export interface ChartModel {
  readonly cid: string;
  /** `cid:…` in a message; a relative file path in the saved report.html. */
  readonly src: string;
  readonly alt: string;
  readonly width: number;
  readonly height: number;
}

export interface KpiRowModel {
  readonly id: KpiId;
  readonly name: string;
  readonly value: string;
  /** What the value rests on, e.g. "290 of 400 served clients". */
  readonly basis: string;
  readonly band: BandModel;
  readonly qoq: DeltaModel;
  readonly yoy: DeltaModel;
  readonly lowSample: boolean;
  /** The company's value, shown beside a segment's for comparison; empty in the company view. */
  readonly companyValue: string;
  readonly chart: ChartModel;
}

export interface RiskModel {
  readonly name: string;
  readonly reasons: readonly string[];
  readonly levers: readonly string[];
}

export interface ViewModel {
  /** `Company` or `Region: EMEA`. */
  readonly title: string;
  readonly kpis: readonly KpiRowModel[];
  /** The KPIs two by two, for the trend chart grid (two columns wide, one on a phone). */
  readonly chartRows: readonly (readonly KpiRowModel[])[];
  readonly risks: readonly RiskModel[];
  readonly hasRisks: boolean;
  /** Plain statements about missing earlier quarters, instead of blank deltas. */
  readonly notes: readonly string[];
  readonly hasNotes: boolean;
}

export interface SegmentEntryModel {
  readonly label: string;
  readonly value: string;
}

export interface SegmentHighlightModel {
  readonly name: string;
  readonly weakest: SegmentEntryModel;
  readonly strongest: SegmentEntryModel;
}

export interface DatasetQualityModel {
  readonly name: string;
  readonly present: boolean;
  readonly rows: string;
  readonly rejected: string;
  readonly files: readonly { readonly file: string; readonly reference: string }[];
}

export interface ReportModel {
  readonly subject: string;
  /** The inbox preview line, hidden in the body. */
  readonly preheader: string;
  readonly companyName: string;
  readonly quarter: string;
  readonly periodText: string;
  readonly generatedText: string;
  readonly greeting: string;
  /** `the whole company` or `Region: EMEA`. */
  readonly audience: string;
  readonly isSegmentView: boolean;
  readonly views: readonly ViewModel[];
  readonly segmentHighlights: readonly SegmentHighlightModel[];
  readonly hasSegmentHighlights: boolean;
  /** Why highlights leave some segments out (low samples). */
  readonly segmentNote: string;
  readonly attachmentName: string;
  readonly datasets: readonly DatasetQualityModel[];
  readonly lowSampleFlags: readonly string[];
  readonly hasLowSampleFlags: boolean;
  readonly warnings: readonly string[];
  readonly hasWarnings: boolean;
  readonly definitions: readonly { readonly name: string; readonly formula: string }[];
  readonly settingsText: string;
}

/** A chart to rasterise and attach inline, with the `cid` the model refers to. */
export interface ChartImage {
  readonly cid: string;
  readonly filename: string;
  readonly svg: string;
}

export interface BuildReportModelInput {
  readonly snapshot: Snapshot;
  /** See `email.riskDropPoints` in the configuration. */
  readonly riskDropPoints: number;
  /** The recipient the message is for; omit for the saved company report. */
  readonly recipient?: Recipient | undefined;
  /** `cid` for a message, `file` for report.html next to a `charts/` folder. */
  readonly imageLinks: 'cid' | 'file';
}

/** A segment a recipient asked for that the snapshot does not have. */
export class UnknownSegmentError extends Error {
  override readonly name = 'UnknownSegmentError';
}

const BAND_STYLES: Record<Band | 'none', BandModel> = {
  strong: { word: 'Strong', color: '#14532d', background: '#dcfce7' },
  moderate: { word: 'Moderate', color: '#713f12', background: '#fef3c7' },
  weak: { word: 'Weak', color: '#7f1d1d', background: '#fee2e2' },
  none: { word: 'No band', color: '#374151', background: '#f3f4f6' },
};

const VERDICT_COLORS: Record<Verdict, string> = {
  better: '#15803d',
  worse: '#b91c1c',
  unchanged: '#4b5563',
  none: '#4b5563',
};

/** Short names for the subject line and preview text. */
const SHORT_NAMES: Record<KpiId, string> = {
  clientIndependenceRate: 'Independence',
  selfServiceAdoptionRate: 'Self-service adoption',
  relationshipDepth: 'Relationship depth',
  empowermentSatisfactionScore: 'CESS',
  netPromoterScore: 'NPS',
  customerRetentionRate: 'Retention',
  costToSupportPerClient: 'Cost to support',
};

const count = (value: number) => value.toLocaleString('en-US');

/** Builds what one message (or the saved report) shows. */
export function buildReportModel(input: BuildReportModelInput): { model: ReportModel; charts: ChartImage[] } {
  const { snapshot, recipient } = input;
  const charts: ChartImage[] = [];
  const scopes = recipient?.segments?.map((segment) => {
    const results = snapshot.segments[segment.dimension]?.[segment.value];
    if (results === undefined) {
      throw new UnknownSegmentError(
        `${recipient.address} is limited to ${segment.dimension} '${segment.value}', which ${snapshot.quarter}'s data does not have`,
      );
    }
    return { title: segmentLabel(segment.dimension, segment.value), results };
  }) ?? [{ title: 'Company', results: snapshot.kpis }];
  const isSegmentView = recipient?.segments !== undefined;

  const views = scopes.map((scope, index) =>
    buildView(scope.title, scope.results, isSegmentView, input, (id, svgInput) => {
      const chart = renderTrendChartSvg(svgInput);
      const cid = `trend-${index + 1}-${id}@kpi-report`;
      const filename = `trend-${index + 1}-${id}.png`;
      charts.push({ cid, filename, svg: chart.svg });
      return {
        cid,
        src: input.imageLinks === 'cid' ? `cid:${cid}` : `charts/${filename}`,
        alt: chart.alt,
        width: chart.width,
        height: chart.height,
      };
    }),
  );
  const firstView = views[0] as ViewModel;
  const audience = isSegmentView ? scopes.map((scope) => scope.title).join(', ') : 'the whole company';
  const riskCount = views.reduce((sum, view) => sum + view.risks.length, 0);
  const headline = headlineMovement(firstView.kpis, scopes[0]?.results ?? snapshot.kpis, snapshot);
  const riskText = riskCount === 0 ? '' : `, ${riskCount} ${riskCount === 1 ? 'risk' : 'risks'}`;
  const scopeText = isSegmentView ? ` (${audience})` : '';
  const highlights = isSegmentView ? [] : segmentHighlights(snapshot);
  const lowSampleFlags = views.flatMap((view) =>
    view.kpis
      .filter((row) => row.lowSample)
      .map(
        (row) =>
          `${scopeTitle(view, isSegmentView)}${row.name} rests on ${row.basis}, below the minimum sample of ${snapshot.settings.minimumSample}.`,
      ),
  );
  const model: ReportModel = {
    subject: `${snapshot.companyName} client KPIs, ${snapshot.quarter}${scopeText}: ${headline}${riskText}`,
    preheader: firstView.kpis
      .slice(0, 3)
      .map((row) => `${SHORT_NAMES[row.id]} ${row.value}`)
      .concat(riskCount === 0 ? [] : [`${riskCount} to watch`])
      .join(' · '),
    companyName: snapshot.companyName,
    quarter: snapshot.quarter,
    periodText: `${longDate(snapshot.period.start)} to ${longDate(snapshot.period.end)} (${snapshot.period.timeZone})`,
    generatedText: `Computed ${snapshot.generatedAt.slice(0, 16).replace('T', ' ')} UTC`,
    greeting: recipient?.name === undefined ? 'Hello,' : `Hello ${recipient.name},`,
    audience,
    isSegmentView,
    views,
    segmentHighlights: highlights,
    hasSegmentHighlights: highlights.length > 0,
    segmentNote: `Segments resting on fewer than ${snapshot.settings.minimumSample} observations are left out of the highlights; every segment is in the attachment.`,
    attachmentName: csvAttachmentName(snapshot.quarter),
    datasets: datasetQuality(snapshot),
    lowSampleFlags,
    hasLowSampleFlags: lowSampleFlags.length > 0,
    warnings: snapshot.warnings,
    hasWarnings: snapshot.warnings.length > 0,
    definitions: KPI_IDS.map((id) => ({ name: KPI_DEFINITIONS[id].name, formula: KPI_GUIDE[id].formula })),
    settingsText: `A client is independent from a self-service share of ${snapshot.settings.independenceThreshold * 100}%. Figures resting on fewer than ${snapshot.settings.minimumSample} observations are flagged as low sample.`,
  };
  return { model, charts };
}

/** The name of the CSV attachment with every KPI for the company and every segment. */
export function csvAttachmentName(quarter: string): string {
  return `kpis-${quarter}.csv`;
}

function scopeTitle(view: ViewModel, isSegmentView: boolean): string {
  return isSegmentView ? `${view.title}: ` : '';
}

function segmentLabel(dimension: string, value: string): string {
  return `${dimension.charAt(0).toUpperCase()}${dimension.slice(1)}: ${value}`;
}

function buildView(
  title: string,
  results: KpiResults,
  isSegmentView: boolean,
  input: BuildReportModelInput,
  chartFor: (id: KpiId, chart: Parameters<typeof renderTrendChartSvg>[0]) => ChartModel,
): ViewModel {
  const { snapshot } = input;
  const currency = snapshot.currency;
  const quarter = parseQuarter(snapshot.quarter);
  const priorLabel = (offset: number) => (quarter ? formatQuarter(shiftQuarter(quarter, offset)) : '');
  const previousQuarter = priorLabel(-1);
  const yearAgoQuarter = priorLabel(-4);
  const hasQuarter = (label: string) =>
    results.clientIndependenceRate.trend.some((point) => point.quarter === label);
  const notes: string[] = [];
  if (!hasQuarter(previousQuarter)) {
    notes.push(
      `There is no data for ${previousQuarter}, so changes on the previous quarter cannot be shown.`,
    );
  }
  if (!hasQuarter(yearAgoQuarter)) {
    notes.push(`There is no data for ${yearAgoQuarter}, so changes on a year ago cannot be shown.`);
  }

  const kpis = KPI_IDS.map((id): KpiRowModel => {
    const result = results[id];
    const definition = KPI_DEFINITIONS[id];
    return {
      id,
      name: definition.name,
      value: valueText(id, result, currency),
      basis: basisText(id, result, currency),
      band: BAND_STYLES[result.band ?? 'none'],
      qoq: deltaModel(id, result, 'qoq', previousQuarter, hasQuarter(previousQuarter), currency),
      yoy: deltaModel(id, result, 'yoy', yearAgoQuarter, hasQuarter(yearAgoQuarter), currency),
      lowSample: result.lowSample,
      companyValue: isSegmentView ? formatKpiValue(id, snapshot.kpis[id].value, currency) : '',
      chart: chartFor(id, {
        title: definition.name,
        higherIsBetter: definition.higherIsBetter,
        points: result.trend.map((point) => ({
          quarter: point.quarter,
          value: point.value,
          label: formatKpiValue(id, point.value, currency),
        })),
      }),
    };
  });
  const risks = KPI_IDS.flatMap((id) => {
    const reasons = riskReasons(id, results[id], input.riskDropPoints, previousQuarter, currency);
    return reasons.length === 0
      ? []
      : [{ name: KPI_DEFINITIONS[id].name, reasons, levers: KPI_GUIDE[id].levers }];
  });
  const chartRows: KpiRowModel[][] = [];
  for (let index = 0; index < kpis.length; index += 2) chartRows.push(kpis.slice(index, index + 2));
  return { title, kpis, chartRows, risks, hasRisks: risks.length > 0, notes, hasNotes: notes.length > 0 };
}

function valueText(id: KpiId, result: KpiResult, currency: string): string {
  return formatKpiValue(id, result.value, currency);
}

function basisText(id: KpiId, result: KpiResult, currency: string): string {
  const { numerator, denominator } = result;
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
      return `${formatKpiValue(id, numerator, currency)} over ${count(denominator)} active clients`;
  }
}

/** The change that matters for risk and headlines: points, or percent for depth and cost. */
function comparableChange(id: KpiId, result: KpiResult, which: 'qoq' | 'yoy'): number | null {
  const delta = which === 'qoq' ? result.deltaQoQ : result.deltaYoY;
  const earlier = which === 'qoq' ? result.previous : result.yearAgo;
  if (delta === null || earlier === null) return null;
  const unit = KPI_DEFINITIONS[id].unit;
  if (unit === 'percent' || unit === 'score') return delta;
  return earlier === 0 ? null : (delta / Math.abs(earlier)) * 100;
}

function deltaModel(
  id: KpiId,
  result: KpiResult,
  which: 'qoq' | 'yoy',
  earlierQuarter: string,
  earlierExists: boolean,
  currency: string,
): DeltaModel {
  const delta = which === 'qoq' ? result.deltaQoQ : result.deltaYoY;
  if (delta === null) {
    const text =
      result.value === null
        ? NOT_AVAILABLE
        : earlierExists
          ? `n/a in ${earlierQuarter}`
          : `no ${earlierQuarter} data`;
    return {
      available: false,
      text,
      detail: '',
      arrow: '',
      verdict: 'none',
      verdictText: '',
      color: VERDICT_COLORS.none,
    };
  }
  const text = formatKpiDelta(id, delta, currency);
  const detail =
    id === 'costToSupportPerClient'
      ? `(${formatPercentChange(which === 'qoq' ? result.deltaQoQPercent : result.deltaYoYPercent)})`
      : '';
  // Judge the move as displayed: a delta that rounds to zero is unchanged.
  const direction = displayedDelta(id, delta) === 0 ? 0 : Math.sign(delta);
  const good = KPI_DEFINITIONS[id].higherIsBetter ? direction > 0 : direction < 0;
  const verdict: Verdict = direction === 0 ? 'unchanged' : good ? 'better' : 'worse';
  return {
    available: true,
    text,
    detail,
    arrow: direction > 0 ? '▲' : direction < 0 ? '▼' : '',
    verdict,
    verdictText: verdict,
    color: VERDICT_COLORS[verdict],
  };
}

function riskReasons(
  id: KpiId,
  result: KpiResult,
  dropPoints: number,
  previousQuarter: string,
  currency: string,
): string[] {
  const reasons: string[] = [];
  if (result.band === 'weak') {
    reasons.push(`${formatKpiValue(id, result.value, currency)} is in the weak band.`);
  }
  const change = comparableChange(id, result, 'qoq');
  if (change !== null) {
    const worsening = KPI_DEFINITIONS[id].higherIsBetter ? -change : change;
    if (worsening > dropPoints) {
      const unit = KPI_DEFINITIONS[id].unit;
      const magnitude = unsigned(formatKpiDelta(id, Math.abs(result.deltaQoQ ?? 0), currency));
      const moved =
        unit === 'percent' || unit === 'score'
          ? magnitude
          : `${magnitude} (${unsigned(formatPercentChange(Math.abs(change)))})`;
      reasons.push(
        `${KPI_DEFINITIONS[id].higherIsBetter ? 'Fell' : 'Rose'} ${moved} since ${previousQuarter}, more than the alert threshold of ${dropPoints}${unit === 'percent' || unit === 'score' ? ' points' : '%'}.`,
      );
    }
  }
  return reasons;
}

function unsigned(text: string): string {
  return text.replace(/^\+/, '');
}

/** The biggest quarter-over-quarter move, e.g. "NPS up 6.0 pts", or "KPIs steady". */
function headlineMovement(rows: readonly KpiRowModel[], results: KpiResults, snapshot: Snapshot): string {
  let best: { id: KpiId; size: number } | undefined;
  for (const id of KPI_IDS) {
    const change = comparableChange(id, results[id], 'qoq');
    if (change === null) continue;
    if (best === undefined || Math.abs(change) > best.size) best = { id, size: Math.abs(change) };
  }
  if (best === undefined) return `${rows.length} KPIs, no earlier quarter to compare`;
  const row = rows.find((candidate) => candidate.id === best.id);
  if (row === undefined || row.qoq.verdict === 'unchanged') return 'KPIs steady on last quarter';
  const result = results[best.id];
  const delta = result.deltaQoQ ?? 0;
  const unit = KPI_DEFINITIONS[best.id].unit;
  const magnitude =
    unit === 'percent' || unit === 'score'
      ? unsigned(formatKpiDelta(best.id, Math.abs(delta), snapshot.currency))
      : unsigned(formatPercentChange(Math.abs(comparableChange(best.id, result, 'qoq') ?? 0)));
  return `${SHORT_NAMES[best.id]} ${delta > 0 ? 'up' : 'down'} ${magnitude}`;
}

function segmentHighlights(snapshot: Snapshot): SegmentHighlightModel[] {
  const highlights: SegmentHighlightModel[] = [];
  for (const id of KPI_IDS) {
    const candidates: { label: string; value: number }[] = [];
    for (const [dimension, values] of Object.entries(snapshot.segments)) {
      for (const [segment, results] of Object.entries(values)) {
        const result = results[id];
        if (result.value !== null && !result.lowSample) {
          candidates.push({ label: segmentLabel(dimension, segment), value: result.value });
        }
      }
    }
    if (candidates.length < 2) continue;
    const sign = KPI_DEFINITIONS[id].higherIsBetter ? 1 : -1;
    candidates.sort((a, b) => sign * (a.value - b.value) || a.label.localeCompare(b.label));
    const weakest = candidates[0] as { label: string; value: number };
    const strongest = candidates[candidates.length - 1] as { label: string; value: number };
    highlights.push({
      name: KPI_DEFINITIONS[id].name,
      weakest: { label: weakest.label, value: formatKpiValue(id, weakest.value, snapshot.currency) },
      strongest: { label: strongest.label, value: formatKpiValue(id, strongest.value, snapshot.currency) },
    });
  }
  return highlights;
}

function datasetQuality(snapshot: Snapshot): DatasetQualityModel[] {
  return Object.entries(snapshot.dataQuality).map(([name, quality]) => ({
    name,
    present: quality.present,
    rows: count(quality.rows),
    rejected: count(quality.rejected),
    files: quality.files.map((file) => ({
      file: file.file,
      reference:
        file.versionId === undefined ? `sha256 ${file.sha256.slice(0, 12)}…` : `S3 version ${file.versionId}`,
    })),
  }));
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function longDate(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return `${date} ${MONTHS[(month ?? 1) - 1]} ${year}`;
}
