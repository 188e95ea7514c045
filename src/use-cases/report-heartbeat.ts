/**
 * The heartbeat: whether the last completed quarter's report is overdue. Alarms that watch
 * errors stay quiet when nothing runs at all (a schedule that never fires, a failed run
 * nobody retried); this looks at the outcome instead. The report is out when `kpis.json`
 * exists and every configured recipient has a delivery record (when sending); it is
 * overdue once `dueDays` days have passed after the quarter's end without that, unless
 * the scheduled run is still waiting for its exports within its window (operations were
 * told). The deployed hourly sweep publishes the answer as the `ReportOverdue` metric.
 */
import type { Config } from '../core/config';
import { dayInZone } from '../core/dates';
import type { ExportStore } from '../core/ports';
import { formatDay, lastCompletedQuarter, quarterPeriod } from '../core/quarter';
import { isWaiting, readExportWait } from './await-exports';
import { DeliveryLedger } from './delivery-ledger';
import { reportKeys } from './report-keys';
import { readRunStatus } from './report-run';

export { DEFAULT_REPORT_DUE_DAYS } from './report-deadlines';

export interface Heartbeat {
  /** The last completed quarter, the one whose report is due. */
  readonly quarter: string;
  readonly overdue: boolean;
  /** Why, in a sentence, for the log. */
  readonly reason: string;
}

export async function checkReportHeartbeat(
  deps: { readonly store: ExportStore; readonly config: Config },
  options: { readonly now: Date; readonly dueDays: number },
): Promise<Heartbeat> {
  const { store, config } = deps;
  const today = dayInZone(config.timeZone)(options.now.getTime());
  const period = duePeriod(config, options.now);
  const quarter = period.label;
  const dueDay = period.end + options.dueDays;
  if (today <= dueDay) return { quarter, overdue: false, reason: `due by the end of ${formatDay(dueDay)}` };
  if (await isReported(store, config, quarter)) return { quarter, overdue: false, reason: 'reported' };
  const wait = await readExportWait(store, quarter);
  if (wait !== undefined && isWaiting(wait, options.now)) {
    return { quarter, overdue: false, reason: `waiting for its exports until ${wait.until}` };
  }
  const status = await readRunStatus(store, quarter);
  return {
    quarter,
    overdue: true,
    reason: `the ${quarter} report was due by the end of ${formatDay(dueDay)} and has not gone out (last run: ${status?.status ?? 'none'})`,
  };
}

/** The last completed quarter in the reporting time zone: the one whose report is due. */
export function reportDueQuarter(config: Config, now: Date): string {
  return duePeriod(config, now).label;
}

function duePeriod(config: Config, now: Date) {
  const today = dayInZone(config.timeZone)(now.getTime());
  return quarterPeriod(lastCompletedQuarter(today, config.fiscalYearStartMonth), config.fiscalYearStartMonth);
}

/** `kpis.json` is published and, when sending, every recipient has a delivery record. */
async function isReported(store: ExportStore, config: Config, quarter: string): Promise<boolean> {
  if ((await store.readText(reportKeys.snapshot(quarter))) === undefined) return false;
  if (!config.email.send) return true;
  const ledger = new DeliveryLedger(store);
  for (const recipient of config.email.recipients) {
    if ((await ledger.sent(quarter, recipient.address)) === undefined) return false;
  }
  return true;
}
