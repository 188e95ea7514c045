/**
 * Quarters as the product names them (`YYYY-Qn`), with fiscal years.
 *
 * Days are counted as whole days since 1970-01-01 ("day numbers"), so a quarter is a
 * closed range of integers and comparisons never touch time zones.
 *
 * With a fiscal year starting in month M (1 = January, the calendar default), fiscal
 * year Y is named after the calendar year in which it ends: with M = 4, 2027-Q1 runs
 * from 2026-04-01 to 2026-06-30.
 */

export interface Quarter {
  readonly year: number;
  /** 1 to 4 */
  readonly index: number;
}

export interface QuarterPeriod {
  readonly quarter: Quarter;
  readonly label: string;
  /** First day, as a day number. */
  readonly start: number;
  /** Last day (inclusive), as a day number. */
  readonly end: number;
}

/**
 * A quarter label, `2026-Q3`: the year and the quarter's index. Quarter folders are named so.
 * Written with plain character classes: the state machine checks its input with this same
 * pattern, as a JSONata regular expression (infra/distributed-run-states.ts).
 */
export const QUARTER_LABEL = /^([0-9]{4})-Q([1-4])$/;
const MS_PER_DAY = 86_400_000;

export function parseQuarter(label: string): Quarter | undefined {
  const match = QUARTER_LABEL.exec(label);
  if (!match) return undefined;
  return { year: Number(match[1]), index: Number(match[2]) };
}

/** A quarter as people type it: `2026-Q3`, also `2026-q3` or ` 2026-Q3 ` (normalised). */
export function parseQuarterAsTyped(text: string): Quarter | undefined {
  return parseQuarter(text.trim().toUpperCase());
}

/** Whether `text` is a quarter label, `2026-Q3`. */
export function isQuarterLabel(text: string): boolean {
  return QUARTER_LABEL.test(text);
}

export function formatQuarter(quarter: Quarter): string {
  return `${quarter.year}-Q${quarter.index}`;
}

/** The quarter `offset` quarters after (negative: before) `quarter`. */
export function shiftQuarter(quarter: Quarter, offset: number): Quarter {
  const ordinal = quarter.year * 4 + (quarter.index - 1) + offset;
  return { year: Math.floor(ordinal / 4), index: (ordinal % 4) + 1 };
}

export function compareQuarters(a: Quarter, b: Quarter): number {
  return a.year * 4 + a.index - (b.year * 4 + b.index);
}

/**
 * Day number of a civil date; month is 1-based. Pure arithmetic (Howard Hinnant's
 * days-from-civil), because it runs for every date of every row.
 */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** `YYYY-MM-DD` of a day number. */
export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

function quarterStartMonth(quarter: Quarter, fiscalYearStartMonth: number): { year: number; month: number } {
  // Months counted from year 0, 0-based; fiscal year Y starts in month M of Y-1 when M > 1.
  const fiscalStartYear = fiscalYearStartMonth === 1 ? quarter.year : quarter.year - 1;
  const monthOrdinal = fiscalStartYear * 12 + (fiscalYearStartMonth - 1) + (quarter.index - 1) * 3;
  return { year: Math.floor(monthOrdinal / 12), month: (monthOrdinal % 12) + 1 };
}

export function quarterPeriod(quarter: Quarter, fiscalYearStartMonth = 1): QuarterPeriod {
  const first = quarterStartMonth(quarter, fiscalYearStartMonth);
  const next = quarterStartMonth(shiftQuarter(quarter, 1), fiscalYearStartMonth);
  return {
    quarter,
    label: formatQuarter(quarter),
    start: dayNumber(first.year, first.month, 1),
    end: dayNumber(next.year, next.month, 1) - 1,
  };
}

/** The quarter containing a day. */
export function quarterOfDay(day: number, fiscalYearStartMonth = 1): Quarter {
  const date = new Date(day * MS_PER_DAY);
  const monthOrdinal = date.getUTCFullYear() * 12 + date.getUTCMonth() - (fiscalYearStartMonth - 1);
  const fiscalStartYear = Math.floor(monthOrdinal / 12);
  const index = Math.floor((monthOrdinal % 12) / 3) + 1;
  return { year: fiscalYearStartMonth === 1 ? fiscalStartYear : fiscalStartYear + 1, index };
}

/** The last quarter that has fully ended on `today` (a day number in the reporting time zone). */
export function lastCompletedQuarter(today: number, fiscalYearStartMonth = 1): Quarter {
  return shiftQuarter(quarterOfDay(today, fiscalYearStartMonth), -1);
}
