/**
 * Reads the common, well-formed shapes of the contract's fields straight from bytes. Each
 * function accepts only what it is sure of and answers NaN (or false) otherwise, so that
 * the row goes to the zod path, which decides and words the reason: the byte path never
 * rejects a row itself, so both paths reject the same rows with the same words.
 */
import type { DayInZone } from '../../dates';
import { dayNumber } from '../../quarter';

const MS_PER_DAY = 86_400_000;
const MONTH_LENGTHS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when every byte is printable ASCII and the field does not start or end with a space. */
export function isPlainToken(bytes: Uint8Array, start: number, end: number): boolean {
  if (start >= end || bytes[start] === 32 || bytes[end - 1] === 32) return false;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte < 32 || byte > 126) return false;
  }
  return true;
}

function digits(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Two ASCII digits as a number, or NaN. */
function twoDigits(bytes: Uint8Array, at: number): number {
  const tens = (bytes[at] as number) - 48;
  const ones = (bytes[at + 1] as number) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : Number.NaN;
}

/** Day numbers of 1 January for the years of the table; other years are computed. */
const TABLE_FIRST_YEAR = 1900;
const YEAR_STARTS = Int32Array.from({ length: 300 }, (_, i) => dayNumber(TABLE_FIRST_YEAR + i, 1, 1));
/** Days before each month (1-12) in a common year. */
const DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** The digit of an ASCII byte, or a value above 9 (unsigned) when it is not one. */
function digitAt(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) - 48) >>> 0;
}

/** Day number of `YYYY-MM-DD` at `at`, or NaN. */
function dateAt(bytes: Uint8Array, at: number): number {
  if (bytes[at + 4] !== 45 || bytes[at + 7] !== 45) return Number.NaN;
  const y0 = digitAt(bytes, at);
  const y1 = digitAt(bytes, at + 1);
  const y2 = digitAt(bytes, at + 2);
  const y3 = digitAt(bytes, at + 3);
  const m0 = digitAt(bytes, at + 5);
  const m1 = digitAt(bytes, at + 6);
  const d0 = digitAt(bytes, at + 8);
  const d1 = digitAt(bytes, at + 9);
  if (y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9) return Number.NaN;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  if (month < 1 || month > 12 || day < 1) return Number.NaN;
  const leap = (year & 3) === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (MONTH_LENGTHS[month] as number) + (leap && month === 2 ? 1 : 0)) return Number.NaN;
  const tableIndex = year - TABLE_FIRST_YEAR;
  if (tableIndex < 0 || tableIndex >= YEAR_STARTS.length) return dayNumber(year, month, day);
  return (
    (YEAR_STARTS[tableIndex] as number) +
    (DAYS_BEFORE_MONTH[month] as number) +
    (leap && month > 2 ? 1 : 0) +
    day -
    1
  );
}

/** A `YYYY-MM-DD` field, or NaN. */
export function parseDateBytes(bytes: Uint8Array, start: number, end: number): number {
  return end - start === 10 ? dateAt(bytes, start) : Number.NaN;
}

/**
 * A date or date-time field as a day of the reporting time zone, or NaN. Handles
 * `YYYY-MM-DD`, and `YYYY-MM-DD[T ]HH:MM:SS` with an optional fraction and an optional
 * `Z` or `±HH:MM`; other valid shapes (no seconds, `±HHMM`) go to the zod path.
 */
export function parseEventDayBytes(bytes: Uint8Array, start: number, end: number, toDay: DayInZone): number {
  const length = end - start;
  if (length === 10) return dateAt(bytes, start);
  if (length < 19) return Number.NaN;
  const separator = bytes[start + 10];
  if ((separator !== 84 && separator !== 32) || bytes[start + 13] !== 58 || bytes[start + 16] !== 58) {
    return Number.NaN;
  }
  const date = dateAt(bytes, start);
  const hours = twoDigits(bytes, start + 11);
  const minutes = twoDigits(bytes, start + 14);
  const seconds = twoDigits(bytes, start + 17);
  if (!(hours <= 23 && minutes <= 59 && seconds <= 60) || Number.isNaN(date)) return Number.NaN;
  let at = start + 19;
  if (bytes[at] === 46) {
    const fractionStart = ++at;
    while (at < end && (bytes[at] as number) >= 48 && (bytes[at] as number) <= 57) at++;
    if (at === fractionStart || at - fractionStart > 9) return Number.NaN;
  }
  if (at === end) return date;
  let shiftMinutes: number;
  if (at + 1 === end && (bytes[at] === 90 || bytes[at] === 122)) {
    shiftMinutes = 0;
  } else if (at + 6 === end && (bytes[at] === 43 || bytes[at] === 45) && bytes[at + 3] === 58) {
    const offsetHours = twoDigits(bytes, at + 1);
    const offsetMinutes = twoDigits(bytes, at + 4);
    if (Number.isNaN(offsetHours) || Number.isNaN(offsetMinutes)) return Number.NaN;
    shiftMinutes = (bytes[at] === 45 ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
    if (Math.abs(shiftMinutes) > 18 * 60) return Number.NaN;
  } else {
    return Number.NaN;
  }
  const epochMs =
    date * MS_PER_DAY + ((hours * 60 + minutes - shiftMinutes) * 60 + Math.min(seconds, 59)) * 1000;
  return toDay(epochMs);
}

/** A whole number written with 1 to 9 digits and nothing else, or NaN. */
export function parseSmallIntegerBytes(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  return length >= 1 && length <= 9 ? digits(bytes, start, length) : Number.NaN;
}

/** Whether the field, lower-cased (ASCII), equals `lowerCaseLabel`'s bytes. */
export function equalsIgnoringAsciiCase(
  bytes: Uint8Array,
  start: number,
  end: number,
  lowerCaseLabel: Uint8Array,
): boolean {
  if (end - start !== lowerCaseLabel.length) return false;
  for (let i = 0; i < lowerCaseLabel.length; i++) {
    let byte = bytes[start + i] as number;
    if (byte >= 65 && byte <= 90) byte += 32;
    if (byte !== lowerCaseLabel[i]) return false;
  }
  return true;
}

/** A lower-case label and a view of its bytes, for `equalsLabel`. */
export interface Label {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

export function labelOf(lowerCase: string): Label {
  const bytes = new TextEncoder().encode(lowerCase);
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/**
 * `equalsIgnoringAsciiCase` for a field read through `view` (a view of `bytes`): a word at
 * a time for the usual field, already lower-case; byte by byte, folding case, otherwise.
 */
export function equalsLabel(
  view: DataView,
  bytes: Uint8Array,
  start: number,
  end: number,
  label: Label,
): boolean {
  const length = label.bytes.length;
  if (end - start !== length) return false;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    if (view.getInt32(start + i, true) !== label.view.getInt32(i, true)) {
      return equalsIgnoringAsciiCase(bytes, start, end, label.bytes);
    }
  }
  for (; i < length; i++) {
    if (bytes[start + i] !== label.bytes[i]) return equalsIgnoringAsciiCase(bytes, start, end, label.bytes);
  }
  return true;
}
