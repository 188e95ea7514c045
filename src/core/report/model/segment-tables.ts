/**
 * The compact view for a recipient limited to several segments: one small table per KPI,
 * a row per segment (after the company's, for comparison), no charts. Its size grows with
 * the number of segments shown, which is capped, so that a message stays within its budget
 * (message-budget.ts) whatever the configuration; the attachment holds every segment.
 */
import { KPI_DEFINITIONS, KPI_IDS, type KpiId } from '../../kpi-ids';
import type { KpiResult, Snapshot } from '../../snapshot';
import { formatKpiDelta, formatKpiValue } from '../format/format-values';
import type { Scope } from './attention';
import { NOT_AVAILABLE_TEXT, unitText } from './kpi-text';
import { VERDICT_COLORS, verdictOf } from './moves';

/** Segments shown per KPI table; the rest are counted and left to the attachment. */
export const MAX_SEGMENT_ROWS = 16;

/** Segment names are the data's: a longer one is cut, so that the table's size is bounded. */
export const MAX_LABEL_LENGTH = 40;

export interface SegmentRowModel {
  /** `Company`, then each segment's name (cut at 40 characters). */
  readonly label: string;
  /** Rounded as the CLI rounds it, or `not available`. */
  readonly value: string;
  /** `strong`, `moderate`, `weak`, or empty without a band. */
  readonly band: string;
  /** `+1.2 pp better`, `-0.4 pp within noise`, `no 2026-Q2 data` */
  readonly change: string;
  /** The change's colour: green for better, red for worse, grey otherwise (CSS). */
  readonly color: string;
  /** Whether the value rests on fewer observations than `minimumSample`. */
  readonly lowSample: boolean;
}

export interface SegmentTableModel {
  /** The KPI's id, as in `kpis.json`. */
  readonly id: KpiId;
  /** The KPI's full name. */
  readonly name: string;
  /** `services per client`, or empty for percentages. */
  readonly unit: string;
  /** Whether `unit` is not empty. */
  readonly hasUnit: boolean;
  /** The company first, then each segment (at most 16). */
  readonly rows: readonly SegmentRowModel[];
  /** `And 126 more segments, in the attachment.`, or empty. */
  readonly more: string;
  /** Whether `more` is not empty. */
  readonly hasMore: boolean;
}

const BAND_WORDS = { strong: 'strong', moderate: 'moderate', weak: 'weak' } as const;

export function segmentTables(scopes: readonly Scope[], snapshot: Snapshot): SegmentTableModel[] {
  const shown = scopes.slice(0, MAX_SEGMENT_ROWS);
  const hidden = scopes.length - shown.length;
  return KPI_IDS.map((id) => {
    const unit = unitText(id);
    return {
      id,
      name: KPI_DEFINITIONS[id].name,
      unit,
      hasUnit: unit !== '',
      rows: [
        segmentRow(id, 'Company', snapshot.kpis[id], snapshot),
        ...shown.map((scope) => segmentRow(id, shortened(scope.shortTitle), scope.results[id], snapshot)),
      ],
      more:
        hidden === 0 ? '' : `And ${hidden} more ${hidden === 1 ? 'segment' : 'segments'}, in the attachment.`,
      hasMore: hidden > 0,
    };
  });
}

function segmentRow(id: KpiId, label: string, result: KpiResult, snapshot: Snapshot): SegmentRowModel {
  const verdict = verdictOf(id, result, 'qoq');
  const change =
    result.deltaQoQ === null
      ? result.value === null
        ? ''
        : 'no change to compare'
      : `${formatKpiDelta(id, result.deltaQoQ, snapshot.currency)} ${verdict === 'noise' ? 'within noise' : verdict}`;
  return {
    label,
    value: result.value === null ? NOT_AVAILABLE_TEXT : formatKpiValue(id, result.value, snapshot.currency),
    band: result.band === null ? '' : BAND_WORDS[result.band],
    change,
    color: VERDICT_COLORS[verdict],
    lowSample: result.lowSample,
  };
}

export function shortened(label: string, max = MAX_LABEL_LENGTH): string {
  const characters = [...label];
  return characters.length <= max ? label : `${characters.slice(0, max - 1).join('')}…`;
}
