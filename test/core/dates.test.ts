import { describe, expect, it } from 'vitest';
import { dayInZone, parseDate, parseEventDay } from '../../src/core/dates';
import { formatDay } from '../../src/core/quarter';

const utc = dayInZone('UTC');
const day = (text: string, zone = utc) => {
  const parsed = parseEventDay(text, zone);
  return parsed === undefined ? undefined : formatDay(parsed);
};

describe('dates', () => {
  it('accepts real calendar dates only', () => {
    expect(parseDate('2024-02-29')).toBeDefined();
    expect(parseDate('2026-02-29')).toBeUndefined();
    expect(parseDate('2026-13-01')).toBeUndefined();
    expect(parseDate('2026-04-31')).toBeUndefined();
    expect(parseDate('2026-7-1')).toBeUndefined();
  });

  it('moves date-times with offsets to the reporting day (the worked example I3, I7, I8, I16)', () => {
    expect(day('2026-09-01T09:00:00+02:00')).toBe('2026-09-01');
    expect(day('2026-06-30T22:30:00-05:00')).toBe('2026-07-01');
    expect(day('2026-07-01T01:00:00+09:00')).toBe('2026-06-30');
    expect(day('2026-10-01T00:30:00+02:00')).toBe('2026-09-30');
  });

  it('reads a date-time without an offset in the reporting time zone', () => {
    const newYork = dayInZone('America/New_York');
    expect(day('2026-07-01T00:15:00', newYork)).toBe('2026-07-01');
    expect(day('2026-07-01T03:00:00Z', newYork)).toBe('2026-06-30');
    expect(day('2026-07-01T05:00:00Z', newYork)).toBe('2026-07-01');
  });

  it('follows daylight saving time in the reporting zone', () => {
    const paris = dayInZone('Europe/Paris');
    // Winter: UTC+1, summer: UTC+2.
    expect(day('2026-01-14T23:30:00Z', paris)).toBe('2026-01-15');
    expect(day('2026-07-14T22:30:00Z', paris)).toBe('2026-07-15');
    expect(day('2026-07-14T21:30:00Z', paris)).toBe('2026-07-14');
  });

  it('accepts a space separator, fractions and compact offsets, and rejects impossible times', () => {
    expect(day('2026-07-01 10:00')).toBe('2026-07-01');
    expect(day('2026-07-01T23:59:59.123456Z')).toBe('2026-07-01');
    expect(day('2026-07-01T23:00:00-0130')).toBe('2026-07-02');
    expect(day('2026-07-01T24:00:00Z')).toBeUndefined();
    expect(day('2026-07-01T10:61Z')).toBeUndefined();
    expect(day('2026-07-01T10:00+25:00')).toBeUndefined();
    expect(day('yesterday')).toBeUndefined();
  });
});
