/**
 * Which quarter is reported on at a moment: the last one completed in the reporting time
 * zone (`timeZone`, `fiscalYearStartMonth`). A scheduled run reports on it, the CLI runs it
 * when `--quarter` is left out, and the heartbeat and the upload sweep watch it.
 */
import type { Config } from '../core/config';
import { dayInZone } from '../core/dates';
import { lastCompletedQuarter, type Quarter } from '../core/quarter';

export type ReportingCalendar = Pick<Config, 'timeZone' | 'fiscalYearStartMonth'>;

/** The quarter whose report is due at `at` (a date, or milliseconds since the epoch). */
export function dueQuarter(calendar: ReportingCalendar, at: Date | number): Quarter {
  const day = dayInZone(calendar.timeZone)(typeof at === 'number' ? at : at.getTime());
  return lastCompletedQuarter(day, calendar.fiscalYearStartMonth);
}

/**
 * A scheduled run: the quarter due at the schedule's time, not the clock's, and a run id
 * of that time, so a late or repeated delivery of the same event names the same quarter
 * and run (the run's record then answers the repeat, `run-record.ts`).
 */
export function scheduledRun(
  calendar: ReportingCalendar,
  scheduledTime: string,
): { readonly quarter: Quarter; readonly runId: string } {
  return { quarter: dueQuarter(calendar, Date.parse(scheduledTime)), runId: `schedule-${scheduledTime}` };
}
