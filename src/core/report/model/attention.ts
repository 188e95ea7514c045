/**
 * "Needs attention": the KPIs in the weak band, short of their target, or down by more
 * than `email.riskDropPoints` and more than the noise, each with its levers. Nothing that
 * rests on a low sample, and no change within the noise, is listed (moves.ts). With
 * several segments, one entry per KPI names the segments, a few at most.
 */
import { KPI_DEFINITIONS, KPI_IDS, type KpiId } from '../../kpi-ids';
import type { KpiResults, Snapshot } from '../../snapshot';
import { KPI_GUIDE } from './kpi-guide';
import { attentionReasons } from './moves';

/** How many segments one KPI's entry names before "and N more". */
export const MAX_SEGMENTS_PER_ENTRY = 3;

export interface AttentionModel {
  /** The KPI's id, as in `kpis.json`. */
  readonly id: KpiId;
  /** The KPI's full name. */
  readonly name: string;
  /** Why it needs attention, one sentence each (for several segments, each names its segment). */
  readonly reasons: readonly string[];
  /** What usually moves this KPI, one suggestion each. */
  readonly levers: readonly string[];
  /**
   * For the summary: `Independence (53.6%, in the weak band)`, one per scope named.
   * @internal The summary's input, not a template field: templates show `reasons`.
   */
  readonly findings: readonly { readonly scope: Scope; readonly text: string }[];
}

/** A view the email reports on: the company, or one segment. */
export interface Scope {
  /** `Company` or `Region: EMEA` */
  readonly title: string;
  /** `Company` or `EMEA`, for the subject line. */
  readonly shortTitle: string;
  readonly results: KpiResults;
}

export function attentionList(
  scopes: readonly Scope[],
  snapshot: Snapshot,
  options: { readonly dropPoints: number; readonly previousQuarter: string },
): AttentionModel[] {
  const named = scopes.length > 1;
  return KPI_IDS.flatMap((id): AttentionModel[] => {
    const found = scopes.flatMap((scope) => {
      const reasons = attentionReasons(id, scope.results[id], {
        dropPoints: options.dropPoints,
        previousQuarter: options.previousQuarter,
        target: snapshot.targets?.[id],
        currency: snapshot.currency,
      });
      return reasons.length === 0 ? [] : [{ scope, reasons }];
    });
    if (found.length === 0) return [];
    const shown = found.slice(0, named ? MAX_SEGMENTS_PER_ENTRY : found.length);
    const reasons = shown.flatMap((entry) =>
      named ? [`${entry.scope.title}: ${entry.reasons.join(' ')}`] : entry.reasons,
    );
    const more = found.length - shown.length;
    if (more > 0)
      reasons.push(`And ${more} more ${more === 1 ? 'segment' : 'segments'}: see the table above.`);
    return [
      {
        id,
        name: KPI_DEFINITIONS[id].name,
        reasons,
        levers: KPI_GUIDE[id].levers,
        findings: found.map((entry) => ({ scope: entry.scope, text: firstClause(entry.reasons[0] ?? '') })),
      },
    ];
  });
}

/** `53.6% is in the weak band.` → `53.6% is in the weak band`, for a list in a sentence. */
function firstClause(sentence: string): string {
  return sentence.replace(/\.$/, '').replace(/, more than the alert threshold.*$/, '');
}
