/**
 * The company view's segment highlights: the weakest and strongest segment of each KPI,
 * among the segments with enough observations and a named value.
 */
import { KPI_DEFINITIONS, KPI_IDS } from '../../kpi-ids';
import type { Snapshot } from '../../snapshot';
import { formatKpiValue } from '../format/format-values';
import type { SegmentHighlightModel } from './report-model';

/** `Region: EMEA`: the dimension capitalised, then the segment's value. */
export function segmentLabel(dimension: string, value: string): string {
  return `${dimension.charAt(0).toUpperCase()}${dimension.slice(1)}: ${value}`;
}

/** Segment values that name no segment: left out of the highlights. */
const UNSPECIFIED = '(unspecified)';

export function segmentHighlights(snapshot: Snapshot): SegmentHighlightModel[] {
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
