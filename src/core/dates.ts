/**
 * Dates and date-times of the export contract, turned into day numbers (days since
 * 1970-01-01) of the reporting time zone.
 *
 * - A date `YYYY-MM-DD` is that civil day.
 * - A date-time without an offset is read in the reporting time zone, so its day is its
 *   date part.
 * - A date-time with `Z` or an offset is an instant; its day is the civil day of that
 *   instant in the reporting time zone.
 *
 * `T` or a single space may separate date and time (RFC 3339 allows both).
 */
import { dayNumber } from './quarter';

const MS_PER_DAY = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return MONTH_LENGTHS[month - 1] as number;
}

function civilDay(yearText: string, monthText: string, dayText: string): number | undefined {
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return dayNumber(year, month, day);
}

/** Day number of a `YYYY-MM-DD` date, or `undefined` when it is not a real calendar date. */
export function parseDate(text: string): number | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  return civilDay(match[1] as string, match[2] as string, match[3] as string);
}

/** Maps an instant (epoch milliseconds) to its civil day in one time zone. */
export type DayInZone = (epochMs: number) => number;

const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z']);

/**
 * Builds a fast instant-to-day mapper for an IANA time zone. Offsets are cached per
 * 15 minutes of epoch time: every real zone changes offset on a quarter-hour.
 */
export function dayInZone(timeZone: string): DayInZone {
  if (UTC_ZONES.has(timeZone)) return (epochMs) => Math.floor(epochMs / MS_PER_DAY);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hourCycle: 'h23',
  });
  const cache = new Map<number, number>();
  const QUARTER_HOUR = 900_000;
  return (epochMs) => {
    const bucket = Math.floor(epochMs / QUARTER_HOUR);
    let offsetMs = cache.get(bucket);
    if (offsetMs === undefined) {
      const instant = bucket * QUARTER_HOUR;
      const parts = format.formatToParts(instant);
      const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
      const localMidnight = Date.UTC(part('year'), part('month') - 1, part('day'));
      // The offset is only needed to the day: local midnight minus the UTC day start.
      offsetMs = localMidnight - Math.floor(instant / MS_PER_DAY) * MS_PER_DAY;
      cache.set(bucket, offsetMs);
    }
    return Math.floor(epochMs / MS_PER_DAY) + offsetMs / MS_PER_DAY;
  };
}

function offsetMinutes(offset: string): number {
  if (offset === 'Z' || offset === 'z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

/**
 * Day number of a date or ISO 8601 date-time in the reporting time zone, or `undefined`
 * when the text is neither.
 */
export function parseEventDay(text: string, toDay: DayInZone): number | undefined {
  if (text.length === 10) return parseDate(text);
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, offset] = match;
  const date = civilDay(year as string, month as string, day as string);
  if (date === undefined) return undefined;
  const hours = Number(hour);
  const minutes = Number(minute);
  const seconds = second === undefined ? 0 : Number(second);
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  if (offset === undefined) return date;
  const shift = offsetMinutes(offset);
  if (Math.abs(shift) > 18 * 60) return undefined;
  const epochMs = date * MS_PER_DAY + ((hours * 60 + minutes - shift) * 60 + Math.min(seconds, 59)) * 1000;
  return toDay(epochMs);
}
