/**
 * Builds the report model (report-model.ts) of one message, or of the saved report, from a
 * snapshot. Every figure is rounded by the same functions as the CLI table, so the email
 * and `kpis.json` agree as displayed. The parts are built by their own modules; this one
 * decides who sees what (the recipient's segments) and puts the parts together.
 */
import type { Recipient } from '../../config';
import { kpisCsvName, reportKeys } from '../../data-root';
import { KPI_DEFINITIONS, KPI_IDS } from '../../kpi-ids';
import { formatQuarter, parseQuarter, shiftQuarter } from '../../quarter';
import type { Snapshot } from '../../snapshot';
import { attentionList, type Scope } from './attention';
import { datasetQuality, listedWarnings } from './data-quality';
import { buildView } from './full-view';
import { KPI_GUIDE } from './kpi-guide';
import type { EarlierQuarters } from './kpi-row';
import { longDate } from './long-date';
import { missingData } from './missing-data';
import type { ChartImage, ReportModel } from './report-model';
import { segmentHighlights, segmentLabel } from './segment-highlights';
import { segmentTables, shortened } from './segment-tables';
import { subjectLine, summarySentences } from './summary';

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

/** The longest segment title shown; the attachment has the whole name. */
const MAX_TITLE_LENGTH = 80;

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
