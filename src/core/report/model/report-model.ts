/**
 * The report model: everything the email templates show, computed from a snapshot, so the
 * templates hold no logic beyond display. Every figure is rounded by the same functions as
 * the CLI table, so the email and `kpis.json` agree as displayed.
 *
 * A recipient sees the company, or their one segment, as a full view (table and trend
 * charts), or, limited to several segments, compact per-KPI tables without charts, so that
 * every message stays within its size budget (message-budget.ts).
 */
import type { Recipient } from '../../config';
import { kpisCsvName, reportKeys } from '../../data-root';
import { KPI_DEFINITIONS, KPI_IDS, type KpiId } from '../../kpi-ids';
import { formatQuarter, parseQuarter, shiftQuarter } from '../../quarter';
import type { KpiResults, Snapshot } from '../../snapshot';
import { renderTrendChartSvg, type TrendChartInput, type TrendMove } from '../charts/trend-chart';
import { formatKpiValue } from '../format/format-values';
import { type AttentionModel, attentionList, type Scope } from './attention';
import { KPI_GUIDE } from './kpi-guide';
import { type EarlierQuarters, type KpiRowModel, kpiRow } from './kpi-row';
import { SHORT_NAMES } from './kpi-text';
import { type MissingDataModel, missingData } from './missing-data';
import { verdictOf } from './moves';
import { type SegmentTableModel, segmentTables, shortened } from './segment-tables';
import { subjectLine, summarySentences } from './summary';

export type { Verdict } from './moves';

export interface ChartModel {
  /** The image's Content-ID in the message, unique to it: `clientIndependenceRate.1.<token>@kpi-report`. */
  readonly cid: string;
  /** `cid:…`; the saved report.html has the image inlined in its place. */
  readonly src: string;
  /** The chart in words: each quarter's value and the last move, for screen readers and blocked images. */
  readonly alt: string;
  /** The image's width in CSS pixels. */
  readonly width: number;
  /** The image's height in CSS pixels. */
  readonly height: number;
}

export interface ViewRowModel extends KpiRowModel {
  /** `null` when there is only one quarter: no trend to draw. */
  readonly chart: ChartModel | null;
}

export interface ViewModel {
  /** `Company` or `Region: EMEA`. */
  readonly title: string;
  /** The seven KPIs, in the report's order: the rows of the table and the trend charts. */
  readonly kpis: readonly ViewRowModel[];
  /** Whether there is more than one quarter to draw: no trend section otherwise. */
  readonly hasTrends: boolean;
  /** How many quarters the charts show, for their heading. */
  readonly trendQuarters: number;
}

export interface SegmentEntryModel {
  /** `Region: EMEA` */
  readonly label: string;
  /** The segment's value, rounded as the table rounds it: `61.2%`. */
  readonly value: string;
}

export interface SegmentHighlightModel {
  /** The KPI's full name. */
  readonly name: string;
  /** The segment with the worst value (the highest, for cost). */
  readonly weakest: SegmentEntryModel;
  /** The segment with the best value. */
  readonly strongest: SegmentEntryModel;
}

export interface DatasetQualityModel {
  /** The dataset: `clients`, `interactions`, `services`, `surveys` or `support_costs`. */
  readonly name: string;
  /** Whether the quarter's export set has it (only the optional datasets can be missing). */
  readonly present: boolean;
  /** Rows read, with thousands separators: `1,200`. */
  readonly rows: string;
  /** Rows rejected, with thousands separators. */
  readonly rejected: string;
  /** Up to five of its files; a last entry says how many more `kpis.json` lists. */
  readonly files: readonly {
    /** The file's name in the export set, or `and 12 more files`. */
    readonly file: string;
    /** Which version was read: `S3 version …`, or the first characters of its SHA-256. */
    readonly reference: string;
  }[];
}

export interface ReportModel {
  /** The clearest news, how many things need attention, the company and quarter: `Independence up 4.9 pp, 2 need attention · Northwind 2026-Q3`. */
  readonly subject: string;
  /** The inbox preview line, hidden in the body: the summary. */
  readonly preheader: string;
  /** Two or three sentences: what moved, what needs attention, what is missing. */
  readonly summary: readonly string[];
  /** `companyName` of the configuration. */
  readonly companyName: string;
  /** `2026-Q3` */
  readonly quarter: string;
  /** `1 July 2026 to 30 September 2026 (Europe/Paris)` */
  readonly periodText: string;
  /** `Computed 2026-10-01 06:00 UTC` */
  readonly generatedText: string;
  /** `Hello Alex,` with the recipient's name, or `Hello,` without one (and in the saved report). */
  readonly greeting: string;
  /** `the whole company`, `Region: EMEA`, or `8 segments`. */
  readonly audience: string;
  /** Whether the recipient is limited to segments (`email.recipients[].segments`). */
  readonly isSegmentView: boolean;
  /** Optional exports not provided and KPIs left without a value, said first. */
  readonly missingData: readonly MissingDataModel[];
  /** Whether `missingData` has entries. */
  readonly hasMissingData: boolean;
  /** Plain statements about missing earlier quarters, instead of blank changes. */
  readonly notes: readonly string[];
  /** Whether `notes` has entries. */
  readonly hasNotes: boolean;
  /** The full view (company or one segment); empty for several segments. */
  readonly views: readonly ViewModel[];
  /** Several segments: one compact table per KPI. */
  readonly segmentTables: readonly SegmentTableModel[];
  /** Whether `segmentTables` has entries (a recipient of several segments). */
  readonly hasSegmentTables: boolean;
  /** "Needs attention": each KPI in a weak band, short of its target or down by more than `email.riskDropPoints`. */
  readonly attention: readonly AttentionModel[];
  /** Whether `attention` has entries. */
  readonly hasAttention: boolean;
  /** The company view only: the weakest and strongest segment of each KPI. */
  readonly segmentHighlights: readonly SegmentHighlightModel[];
  /** Whether `segmentHighlights` has entries. */
  readonly hasSegmentHighlights: boolean;
  /** Why highlights leave some segments out (low samples, unspecified values). */
  readonly segmentNote: string;
  /** Where every figure of this message is: the attachment, or the report folder. */
  readonly attachmentSentence: string;
  /** Each dataset of the export set: rows read and rejected, and which files. */
  readonly datasets: readonly DatasetQualityModel[];
  /** One sentence per figure of the full view that rests on fewer observations than `minimumSample`. */
  readonly lowSampleFlags: readonly string[];
  /** Whether `lowSampleFlags` has entries. */
  readonly hasLowSampleFlags: boolean;
  /** The run's warnings, the first ten (then how many more `kpis.json` has). */
  readonly warnings: readonly string[];
  /** Whether the run had warnings. */
  readonly hasWarnings: boolean;
  /** Each KPI's formula, in the report's order. */
  readonly definitions: readonly {
    /** The KPI's full name. */
    readonly name: string;
    /** How it is computed, in words. */
    readonly formula: string;
  }[];
  /** The independence threshold and the minimum sample the figures were computed with. */
  readonly settingsText: string;
  /** How to read the intervals and "within noise". */
  readonly noiseText: string;
  /** A presigned link to this message's copy online (deployed, with `email.viewOnline`), or empty. */
  readonly viewOnlineUrl: string;
  /** Whether there is a `viewOnlineUrl`. */
  readonly hasViewOnline: boolean;
  /** `email.unsubscribeAddress` of the configuration, or empty. */
  readonly unsubscribeAddress: string;
  /** Whether there is an `unsubscribeAddress`. */
  readonly hasUnsubscribe: boolean;
}

/** A chart to rasterise and attach inline, with the `cid` the model refers to. */
export interface ChartImage {
  readonly cid: string;
  readonly svg: string;
}

export interface BuildReportModelInput {
  readonly snapshot: Snapshot;
  /** See `email.riskDropPoints` in the configuration. */
  readonly riskDropPoints: number;
  /** The recipient the message is for; omit for the saved company report. */
  readonly recipient?: Recipient | undefined;
  /**
   * Makes this message's Content-IDs its own (`<kpi>.<view>.<token>@kpi-report`): ids that
   * repeat across messages or quarters let some clients show one message's images in another.
   */
  readonly cidToken: string;
  /** Whether the CSV goes with the message; when too large, the email says where it is. */
  readonly csvAttached?: boolean;
  /** A link to this message online (a presigned report), or omitted. */
  readonly viewOnlineUrl?: string | undefined;
  /** The report owner's address, for unsubscribe requests, or omitted. */
  readonly unsubscribeAddress?: string | undefined;
}

/** A segment a recipient asked for that the snapshot does not have. */
export class UnknownSegmentError extends Error {
  override readonly name = 'UnknownSegmentError';
}

const count = (value: number) => value.toLocaleString('en-US');

/** The longest segment title shown; the attachment has the whole name. */
const MAX_TITLE_LENGTH = 80;

/** Files listed per dataset, and warnings listed; `kpis.json` has them all. */
const MAX_FILES_LISTED = 5;
const MAX_WARNINGS_LISTED = 10;

/** Builds what one message (or the saved report) shows. */
export function buildReportModel(input: BuildReportModelInput): { model: ReportModel; charts: ChartImage[] } {
  const { snapshot, recipient } = input;
  const isSegmentView = recipient?.segments !== undefined;
  const scopes = recipientScopes(snapshot, recipient);
  const earlier = earlierQuarters(snapshot);
  const charts: ChartImage[] = [];
  const views =
    scopes.length === 1
      ? scopes.map((scope, index) =>
          buildView(scope, index, isSegmentView, earlier, input, (image) => charts.push(image)),
        )
      : [];
  const tables = scopes.length > 1 ? segmentTables(scopes, snapshot) : [];
  const attention = attentionList(scopes, snapshot, {
    dropPoints: input.riskDropPoints,
    previousQuarter: earlier.previous.quarter,
  });
  const missing = missingData(snapshot);
  const summaryInput = { snapshot, scopes, segmentView: isSegmentView, attention, missing, earlier };
  const summary = summarySentences(summaryInput);
  const audience = !isSegmentView
    ? 'the whole company'
    : scopes.length === 1
      ? (scopes[0]?.title ?? '')
      : `${scopes.length} segments`;
  const highlights = isSegmentView ? [] : segmentHighlights(snapshot);
  const lowSampleFlags = views.flatMap((view) =>
    view.kpis
      .filter((row) => row.lowSample)
      .map(
        (row) =>
          `${isSegmentView ? `${view.title}: ` : ''}${row.name} rests on ${row.basis}, below the minimum sample of ${snapshot.settings.minimumSample}.`,
      ),
  );
  const notes = earlierQuarterNotes(earlier);
  const model: ReportModel = {
    subject: subjectLine(summaryInput),
    preheader: summary.join(' '),
    summary,
    companyName: snapshot.companyName,
    quarter: snapshot.quarter,
    periodText: `${longDate(snapshot.period.start)} to ${longDate(snapshot.period.end)} (${snapshot.period.timeZone})`,
    generatedText: `Computed ${snapshot.generatedAt.slice(0, 16).replace('T', ' ')} UTC`,
    greeting: recipient?.name === undefined ? 'Hello,' : `Hello ${recipient.name},`,
    audience,
    isSegmentView,
    missingData: missing,
    hasMissingData: missing.length > 0,
    notes,
    hasNotes: notes.length > 0,
    views,
    segmentTables: tables,
    hasSegmentTables: tables.length > 0,
    attention,
    hasAttention: attention.length > 0,
    segmentHighlights: highlights,
    hasSegmentHighlights: highlights.length > 0,
    segmentNote: `Segments resting on fewer than ${snapshot.settings.minimumSample} observations, and clients without a value for the dimension, are left out of the highlights; every segment is in the attachment.`,
    attachmentSentence: attachmentSentence(snapshot, isSegmentView, audience, input.csvAttached ?? true),
    datasets: datasetQuality(snapshot),
    lowSampleFlags,
    hasLowSampleFlags: lowSampleFlags.length > 0,
    warnings: listedWarnings(snapshot.warnings),
    hasWarnings: snapshot.warnings.length > 0,
    definitions: KPI_IDS.map((id) => ({ name: KPI_DEFINITIONS[id].name, formula: KPI_GUIDE[id].formula })),
    settingsText: `A client is independent from a self-service share of ${snapshot.settings.independenceThreshold * 100}%. Figures resting on fewer than ${snapshot.settings.minimumSample} observations are flagged as low sample.`,
    noiseText:
      'Each value has a 95% interval: the range the quarter’s figure could have taken by chance. A change is “within noise” when it is smaller than the two quarters’ intervals allow; only larger changes are called better or worse, and only those outside the noise and not on a low sample reach the summary and the subject.',
    viewOnlineUrl: input.viewOnlineUrl ?? '',
    hasViewOnline: input.viewOnlineUrl !== undefined,
    unsubscribeAddress: input.unsubscribeAddress ?? '',
    hasUnsubscribe: input.unsubscribeAddress !== undefined,
  };
  return { model, charts };
}

function recipientScopes(snapshot: Snapshot, recipient: Recipient | undefined): Scope[] {
  if (recipient?.segments === undefined) {
    return [{ title: 'Company', shortTitle: 'Company', results: snapshot.kpis }];
  }
  return recipient.segments.map((segment) => {
    const results = snapshot.segments[segment.dimension]?.[segment.value];
    if (results === undefined) {
      throw new UnknownSegmentError(
        `${recipient.address} is limited to ${segment.dimension} '${segment.value}', which ${snapshot.quarter}'s data does not have`,
      );
    }
    // Segment names are data: cut a very long one, so that the message's size stays bounded.
    return {
      title: shortened(segmentLabel(segment.dimension, segment.value), MAX_TITLE_LENGTH),
      shortTitle: shortened(segment.value, MAX_TITLE_LENGTH),
      results,
    };
  });
}

function segmentLabel(dimension: string, value: string): string {
  return `${dimension.charAt(0).toUpperCase()}${dimension.slice(1)}: ${value}`;
}

/** The quarters compared with, and whether the snapshot has any data for them. */
function earlierQuarters(snapshot: Snapshot): EarlierQuarters {
  const quarter = parseQuarter(snapshot.quarter);
  const label = (offset: number) => (quarter ? formatQuarter(shiftQuarter(quarter, offset)) : '');
  // Every KPI's trend lists the same quarters: those with a snapshot or an export set.
  const quarters = new Set(snapshot.kpis.clientIndependenceRate.trend.map((point) => point.quarter));
  return {
    previous: { quarter: label(-1), exists: quarters.has(label(-1)) },
    yearAgo: { quarter: label(-4), exists: quarters.has(label(-4)) },
  };
}

function earlierQuarterNotes(earlier: EarlierQuarters): string[] {
  if (!earlier.previous.exists && !earlier.yearAgo.exists) return [];
  const notes: string[] = [];
  if (!earlier.previous.exists) {
    notes.push(
      `There is no data for ${earlier.previous.quarter}, so changes on the previous quarter cannot be shown.`,
    );
  }
  if (!earlier.yearAgo.exists) {
    notes.push(`There is no data for ${earlier.yearAgo.quarter}, so changes on a year ago cannot be shown.`);
  }
  return notes;
}

function buildView(
  scope: Scope,
  index: number,
  isSegmentView: boolean,
  earlier: EarlierQuarters,
  input: BuildReportModelInput,
  addChart: (image: ChartImage) => void,
): ViewModel {
  const { snapshot } = input;
  const results: KpiResults = scope.results;
  const trendQuarters = results.clientIndependenceRate.trend.length;
  const hasTrends = trendQuarters > 1;
  const kpis = KPI_IDS.map((id): ViewRowModel => {
    const result = results[id];
    const companyValue = isSegmentView ? formatKpiValue(id, snapshot.kpis[id].value, snapshot.currency) : '';
    const row = kpiRow(id, result, snapshot, earlier, companyValue);
    if (!hasTrends) return { ...row, chart: null };
    const chart = renderTrendChartSvg({
      title: KPI_DEFINITIONS[id].name,
      shortTitle: SHORT_NAMES[id],
      move: trendMove(id, results),
      ...chartScale(id, snapshot.currency),
      points: result.trend.map((point) => ({
        quarter: point.quarter,
        value: point.value,
        label: formatKpiValue(id, point.value, snapshot.currency),
      })),
    });
    const cid = `${id}.${index + 1}.${input.cidToken}@kpi-report`;
    addChart({ cid, svg: chart.svg });
    return {
      ...row,
      chart: { cid, src: `cid:${cid}`, alt: chart.alt, width: chart.width, height: chart.height },
    };
  });
  return { title: scope.title, kpis, hasTrends, trendQuarters };
}

/**
 * The y-axis of each unit: at least 10 points for a rate (so that a 2.5-point dip does not
 * fill the chart), 20 for NPS, half a service for depth; cost takes 10% of its value.
 */
function chartScale(
  id: KpiId,
  currency: string,
): Pick<TrendChartInput, 'minimumSpan' | 'bounds' | 'formatTick'> {
  switch (KPI_DEFINITIONS[id].unit) {
    case 'percent':
      return { minimumSpan: 10, bounds: { min: 0, max: 100 }, formatTick: (value) => `${tick(value)}%` };
    case 'score':
      return { minimumSpan: 20, bounds: { min: -100, max: 100 }, formatTick: tick };
    case 'servicesPerClient':
      return { minimumSpan: 0.5, bounds: { min: 0 }, formatTick: tick };
    case 'currencyPerClient':
      return {
        formatTick: (value) =>
          new Intl.NumberFormat('en-US', {
            style: 'currency',
            currency,
            maximumFractionDigits: 2,
            minimumFractionDigits: 0,
          }).format(value),
      };
  }
}

function tick(value: number): string {
  return String(Number(value.toFixed(2)));
}

/** The last move as the table judges it: the chart never contradicts the table. */
function trendMove(id: KpiId, results: KpiResults): TrendMove {
  const verdict = verdictOf(id, results[id], 'qoq');
  if (verdict === 'better') return { kind: 'good', text: 'better' };
  if (verdict === 'worse') return { kind: 'bad', text: 'worse' };
  if (verdict === 'noise') return { kind: 'flat', text: 'within noise' };
  return { kind: 'flat', text: verdict === 'unchanged' ? 'unchanged' : '' };
}

function attachmentSentence(
  snapshot: Snapshot,
  isSegmentView: boolean,
  audience: string,
  attached: boolean,
): string {
  const name = kpisCsvName(snapshot.quarter);
  const scope = isSegmentView ? `for ${audience}` : 'for the company and each segment';
  return attached
    ? `Every figure ${scope} is in the attached ${name}.`
    : `Every figure ${scope} is in ${name}, too large to attach; it is in the report folder, ${reportKeys.folder(snapshot.quarter)}.`;
}

/** Segment values that name no segment: left out of the highlights. */
const UNSPECIFIED = '(unspecified)';

function segmentHighlights(snapshot: Snapshot): SegmentHighlightModel[] {
  const highlights: SegmentHighlightModel[] = [];
  for (const id of KPI_IDS) {
    const candidates: { label: string; value: number }[] = [];
    for (const [dimension, values] of Object.entries(snapshot.segments)) {
      for (const [segment, results] of Object.entries(values)) {
        const result = results[id];
        if (segment !== UNSPECIFIED && result.value !== null && !result.lowSample) {
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

/** Each dataset's rows and files: a few files by name (a set can have hundreds of parts). */
function datasetQuality(snapshot: Snapshot): DatasetQualityModel[] {
  return Object.entries(snapshot.dataQuality).map(([name, quality]) => {
    const files = quality.files.slice(0, MAX_FILES_LISTED).map((file) => ({
      file: file.file,
      reference:
        file.versionId === undefined ? `sha256 ${file.sha256.slice(0, 12)}…` : `S3 version ${file.versionId}`,
    }));
    const more = quality.files.length - files.length;
    if (more > 0) files.push({ file: `and ${count(more)} more files`, reference: 'listed in kpis.json' });
    return {
      name,
      present: quality.present,
      rows: count(quality.rows),
      rejected: count(quality.rejected),
      files,
    };
  });
}

function listedWarnings(warnings: readonly string[]): string[] {
  const listed = warnings.slice(0, MAX_WARNINGS_LISTED);
  const more = warnings.length - listed.length;
  return more > 0 ? [...listed, `And ${count(more)} more, listed in kpis.json.`] : listed;
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
