import { describe, expect, it } from 'vitest';
import { formatQuarter } from '../../src/core/quarter';
import { dueQuarter, scheduledRun } from '../../src/use-cases/due-quarter';

const utc = { timeZone: 'UTC', fiscalYearStartMonth: 1 };

describe('the quarter due at a moment', () => {
  it('is the last quarter ended in the reporting time zone', () => {
    // 12:00 UTC on 30 September is 01:00 on 1 October in Auckland (NZDT, UTC+13).
    const at = new Date('2026-09-30T12:00:00Z');

    expect(formatQuarter(dueQuarter(utc, at))).toBe('2026-Q2');
    expect(formatQuarter(dueQuarter({ timeZone: 'Pacific/Auckland', fiscalYearStartMonth: 1 }, at))).toBe(
      '2026-Q3',
    );
  });

  it('follows the fiscal year: with April as its first month, mid-July reports April to June', () => {
    const quarter = dueQuarter(
      { timeZone: 'UTC', fiscalYearStartMonth: 4 },
      Date.parse('2026-07-15T00:00:00Z'),
    );

    expect(formatQuarter(quarter)).toBe('2027-Q1');
  });

  it('names a scheduled run after its scheduled time, whenever it is delivered', () => {
    const run = scheduledRun(utc, '2026-10-01T06:00:00Z');

    expect({ quarter: formatQuarter(run.quarter), runId: run.runId }).toEqual({
      quarter: '2026-Q3',
      runId: 'schedule-2026-10-01T06:00:00Z',
    });
  });
});
