/**
 * How the dated rows of an event dataset (interactions, surveys, support costs) sit against
 * the quarter: how many there are, how many fall in the period, and the first and last day
 * seen. A row counts once it passes its own checks (dates, enums, client), before the
 * uniqueness check, in both readers. The plausibility guards read it (see
 * ingest/plausibility.ts) and reports show it, so that exports of the wrong quarter, a wrong
 * fiscal year or time zone cannot pass for a quarter with no activity.
 */
import { formatDay } from '../quarter';

/** The count as it is gathered: days as day numbers, `first` > `last` while there is none. */
export interface DatedRows {
  rows: number;
  inPeriod: number;
  first: number;
  last: number;
}

/** The count as reports show it. */
export interface DatedRowsSummary {
  /** Rows that passed their own checks, each with a date. */
  readonly rows: number;
  /** Of those, the rows whose date falls in the quarter. */
  readonly inPeriod: number;
  /** The first and last date seen, `YYYY-MM-DD`, or null when there are none. */
  readonly first: string | null;
  readonly last: string | null;
}

export function emptyDatedRows(): DatedRows {
  return { rows: 0, inPeriod: 0, first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY };
}

export function addDatedRow(dated: DatedRows, day: number, inPeriod: boolean): void {
  dated.rows++;
  if (inPeriod) dated.inPeriod++;
  if (day < dated.first) dated.first = day;
  if (day > dated.last) dated.last = day;
}

/** Both counts in one (associative and commutative, for partial aggregates). */
export function mergeDatedRows(a: DatedRows, b: DatedRows): DatedRows {
  return {
    rows: a.rows + b.rows,
    inPeriod: a.inPeriod + b.inPeriod,
    first: Math.min(a.first, b.first),
    last: Math.max(a.last, b.last),
  };
}

export function summariseDatedRows(dated: DatedRows): DatedRowsSummary {
  const some = dated.rows > 0;
  return {
    rows: dated.rows,
    inPeriod: dated.inPeriod,
    first: some ? formatDay(dated.first) : null,
    last: some ? formatDay(dated.last) : null,
  };
}
