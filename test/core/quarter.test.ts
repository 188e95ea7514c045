import { describe, expect, it } from 'vitest';
import {
  dayNumber,
  formatDay,
  lastCompletedQuarter,
  parseQuarter,
  quarterOfDay,
  quarterPeriod,
  shiftQuarter,
} from '../../src/core/quarter';

const period = (label: string, fiscalStart = 1) => {
  const p = quarterPeriod(parseQuarter(label) ?? { year: 0, index: 0 }, fiscalStart);
  return [formatDay(p.start), formatDay(p.end)];
};

describe('quarters', () => {
  it('spans calendar quarters by default, last day inclusive', () => {
    expect(period('2026-Q3')).toEqual(['2026-07-01', '2026-09-30']);
    expect(period('2024-Q1')).toEqual(['2024-01-01', '2024-03-31']);
    expect(period('2026-Q4')).toEqual(['2026-10-01', '2026-12-31']);
  });

  it('names a fiscal year after the calendar year in which it ends', () => {
    // April start: FY2027 runs 2026-04-01 to 2027-03-31.
    expect(period('2027-Q1', 4)).toEqual(['2026-04-01', '2026-06-30']);
    expect(period('2027-Q4', 4)).toEqual(['2027-01-01', '2027-03-31']);
    // October start: FY2027 Q1 is October to December 2026.
    expect(period('2027-Q1', 10)).toEqual(['2026-10-01', '2026-12-31']);
  });

  it('finds the quarter of a day, fiscal or not', () => {
    expect(quarterOfDay(dayNumber(2026, 9, 30))).toEqual({ year: 2026, index: 3 });
    expect(quarterOfDay(dayNumber(2026, 4, 1), 4)).toEqual({ year: 2027, index: 1 });
    expect(quarterOfDay(dayNumber(2027, 3, 31), 4)).toEqual({ year: 2027, index: 4 });
  });

  it('shifts across year boundaries', () => {
    expect(shiftQuarter({ year: 2026, index: 1 }, -1)).toEqual({ year: 2025, index: 4 });
    expect(shiftQuarter({ year: 2026, index: 3 }, -7)).toEqual({ year: 2024, index: 4 });
    expect(shiftQuarter({ year: 2025, index: 4 }, 1)).toEqual({ year: 2026, index: 1 });
  });

  it('takes the last completed quarter as the default', () => {
    expect(lastCompletedQuarter(dayNumber(2026, 11, 23))).toEqual({ year: 2026, index: 3 });
    expect(lastCompletedQuarter(dayNumber(2026, 1, 1))).toEqual({ year: 2025, index: 4 });
  });

  it('rejects labels that are not quarters', () => {
    expect(parseQuarter('2026-Q5')).toBeUndefined();
    expect(parseQuarter('2026Q3')).toBeUndefined();
    expect(parseQuarter('2026-Q3')).toEqual({ year: 2026, index: 3 });
  });
});

describe('day numbers', () => {
  it('match the calendar for every day from 1900 to 2100', () => {
    for (let day = Date.UTC(1900, 0, 1) / 86_400_000; day <= Date.UTC(2100, 11, 31) / 86_400_000; day++) {
      const date = new Date(day * 86_400_000);
      expect(dayNumber(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())).toBe(day);
    }
  });
});
