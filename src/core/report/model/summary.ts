/**
 * The executive summary and the subject line, built by code from the report's parts, so
 * that every figure in them is one of `kpis.json`: the clearest change outside the noise,
 * what needs attention, what is missing. No free text is generated.
 */
import { KPI_DEFINITIONS, KPI_IDS, type KpiId } from '../../kpi-ids';
import type { KpiResult, Snapshot } from '../../snapshot';
import type { AttentionModel, Scope } from './attention';
import type { EarlierQuarters } from './kpi-row';
import { changeMagnitude, SHORT_NAMES, targetStatus } from './kpi-text';
import { listInWords, type MissingDataModel } from './missing-data';
import { clarity, isNews, movePhrase } from './moves';

/** About what inbox lists show in full; the news comes first, so a cut loses the least. */
export const SUBJECT_MAX_LENGTH = 70;

/** How many findings the summary names before "and N more". */
const NAMED_IN_SUMMARY = 3;

interface Headline {
  readonly scope: Scope;
  readonly id: KpiId;
  readonly result: KpiResult;
}

/** The clearest quarter-over-quarter change that is news (moves.ts), over every scope. */
function clearestChange(scopes: readonly Scope[]): Headline | undefined {
  let best: { headline: Headline; clarity: number } | undefined;
  for (const scope of scopes) {
    for (const id of KPI_IDS) {
      const result = scope.results[id];
      if (!isNews(id, result, 'qoq')) continue;
      const score = clarity(result, 'qoq');
      if (best === undefined || score > best.clarity)
        best = { headline: { scope, id, result }, clarity: score };
    }
  }
  return best?.headline;
}

/**
 * Whether the snapshot predates noise flags (written before intervals existed): its
 * changes cannot be called news or noise, and the summary says so instead.
 */
function noiseNotJudged(scopes: readonly Scope[]): boolean {
  return scopes.some((scope) =>
    KPI_IDS.some(
      (id) => scope.results[id].deltaQoQ !== null && scope.results[id].deltaQoQOutsideNoise === undefined,
    ),
  );
}

function countNews(scopes: readonly Scope[]): number {
  return scopes.reduce(
    (sum, scope) => sum + KPI_IDS.filter((id) => isNews(id, scope.results[id], 'qoq')).length,
    0,
  );
}

export interface SummaryInput {
  readonly snapshot: Snapshot;
  readonly scopes: readonly Scope[];
  /** Whether the scopes are the recipient's segments (their names lead the sentences). */
  readonly segmentView: boolean;
  readonly attention: readonly AttentionModel[];
  readonly missing: readonly MissingDataModel[];
  readonly earlier: EarlierQuarters;
}

/** Two or three sentences: what moved, what needs attention, what is missing (or targets). */
export function summarySentences(input: SummaryInput): string[] {
  const { snapshot, scopes, earlier } = input;
  const sentences = [moveSentence(input)];
  sentences.push(attentionSentence(input));
  if (input.missing.length > 0) {
    sentences.push(input.missing.map((item) => item.text).join(' '));
  } else {
    const targets = targetTally(snapshot, scopes);
    if (targets !== undefined) sentences.push(targets);
  }
  if (!earlier.previous.exists && earlier.yearAgo.exists) {
    sentences[0] = `There is no data for ${earlier.previous.quarter}, so changes on last quarter cannot be shown.`;
  }
  return sentences;
}

function scopeLead(input: SummaryInput, scope: Scope): string {
  return input.segmentView ? `In ${scope.title}, ` : '';
}

function moveSentence(input: SummaryInput): string {
  const { scopes, earlier, snapshot } = input;
  if (!earlier.previous.exists && !earlier.yearAgo.exists) {
    return `${snapshot.quarter} is the first quarter on record, so there are no changes to compare yet.`;
  }
  const headline = clearestChange(scopes);
  if (headline === undefined && noiseNotJudged(scopes)) {
    return `Changes since ${earlier.previous.quarter} are not judged against their noise: this quarter's kpis.json was written before intervals existed (run the quarter again to add them).`;
  }
  if (headline === undefined) {
    return `No KPI moved by more than its noise since ${earlier.previous.quarter}.`;
  }
  const { scope, id, result } = headline;
  const others = countNews(scopes) - 1;
  const rest =
    others === 0
      ? 'the only change larger than its noise'
      : `the clearest of ${others + 1} changes larger than their noise`;
  return `${scopeLead(input, scope)}${KPI_DEFINITIONS[id].name} ${movePhrase(id, result, 'qoq', snapshot.currency)} since ${earlier.previous.quarter}, ${rest}.`;
}

function attentionSentence(input: SummaryInput): string {
  const findings = input.attention.flatMap((item) =>
    item.findings.map((finding) => ({
      name:
        input.scopes.length > 1
          ? `${finding.scope.shortTitle} ${SHORT_NAMES[item.id]}`
          : SHORT_NAMES[item.id],
      text: finding.text.replace(/^./, (c) => c.toLowerCase()),
    })),
  );
  if (findings.length === 0) return 'Nothing needs attention.';
  const named = findings.slice(0, NAMED_IN_SUMMARY).map((finding) => `${finding.name} (${finding.text})`);
  const more = findings.length - named.length;
  if (more > 0) named.push(`${more} more`);
  const subject =
    input.scopes.length > 1 ? 'segment figures need' : findings.length === 1 ? 'KPI needs' : 'KPIs need';
  return `${findings.length} ${subject} attention: ${listInWords(named)}.`;
}

/** `2 of 3 targets are met.`, over the scopes; `undefined` without targets. */
function targetTally(snapshot: Snapshot, scopes: readonly Scope[]): string | undefined {
  let total = 0;
  let met = 0;
  for (const scope of scopes) {
    for (const id of KPI_IDS) {
      const status = targetStatus(id, scope.results[id].value, snapshot.targets?.[id], snapshot.currency);
      if (status === undefined) continue;
      total++;
      if (status.met) met++;
    }
  }
  if (total === 0) return undefined;
  if (total === 1) return met === 1 ? 'The target is met.' : 'The target is not met.';
  if (met === total) return `All ${total} targets are met.`;
  return met === 0
    ? `None of the ${total} targets is met.`
    : `${met} of ${total} targets ${met === 1 ? 'is' : 'are'} met.`;
}

/**
 * The subject: the news first (the clearest change, or that there is none), how many
 * things need attention, then the company and quarter as far as they fit in about 70
 * characters, e.g. `Independence up 4.9 pp, 2 need attention · Northwind 2026-Q3`.
 */
export function subjectLine(input: SummaryInput): string {
  const { snapshot, scopes, earlier } = input;
  const headline = clearestChange(scopes);
  let news: string;
  if (!earlier.previous.exists && !earlier.yearAgo.exists) news = 'First quarter on record';
  else if (headline === undefined) news = noiseNotJudged(scopes) ? 'Client KPIs' : 'KPIs steady within noise';
  else news = headlineText(headline, input);
  const count = input.attention.reduce((sum, item) => sum + item.findings.length, 0);
  const attention = count === 0 ? '' : `, ${count} need${count === 1 ? 's' : ''} attention`;
  const lead = `${news}${attention}`;
  for (const tail of [` · ${snapshot.companyName} ${snapshot.quarter}`, ` · ${snapshot.quarter} KPIs`]) {
    if (lead.length + tail.length <= SUBJECT_MAX_LENGTH) return lead + tail;
  }
  const tail = ` · ${snapshot.quarter}`;
  return `${truncate(lead, SUBJECT_MAX_LENGTH - tail.length)}${tail}`;
}

/** `Independence up 4.9 pp`, `EMEA NPS down 8.0 pts`, `Cost to support down 6.1%`. */
function headlineText(headline: Headline, input: SummaryInput): string {
  const { id, result, scope } = headline;
  const delta = result.deltaQoQ ?? 0;
  const relative = result.deltaQoQPercent;
  const size =
    id === 'costToSupportPerClient' && relative !== null && relative !== undefined
      ? `${Math.abs(relative).toFixed(1)}%`
      : changeMagnitude(id, delta, input.snapshot.currency);
  const lead = input.segmentView ? `${scope.shortTitle} ` : '';
  return `${lead}${SHORT_NAMES[id]} ${delta > 0 ? 'up' : 'down'} ${size}`;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${[...text].slice(0, max - 1).join('')}…`;
}
