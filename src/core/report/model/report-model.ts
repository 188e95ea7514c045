/**
 * The report model: everything the email templates show, computed from a snapshot
 * (build-report-model.ts), so the templates hold no logic beyond display. Its types and
 * their JSDoc are the templates' field reference: `npm run docs:templates` reads them.
 *
 * A recipient sees the company, or their one segment, as a full view (table and trend
 * charts), or, limited to several segments, compact per-KPI tables without charts, so that
 * every message stays within its size budget (templates/message-budget.ts).
 */
import type { AttentionModel } from './attention';
import type { KpiRowModel } from './kpi-row';
import type { MissingDataModel } from './missing-data';
import type { SegmentTableModel } from './segment-tables';

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
