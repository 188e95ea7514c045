/**
 * The hourly sweep of the validate-upload function, in the order that keeps the alarm
 * honest: first the due quarter's wait for its exports is ended if it outlived its window,
 * then the heartbeat is checked and handed to the caller (a sweep that later fails on one
 * quarter must not silence it), and last the stalled uploads are reported
 * (`sweepStalledUploads`).
 */
import type { Config } from '../core/config';
import type { ExportStore } from '../core/ports';
import { formatQuarter } from '../core/quarter';
import { expireWaitingRun } from './await-exports';
import { dueQuarter } from './due-quarter';
import { checkReportHeartbeat, type Heartbeat } from './report-heartbeat';
import { type SweptQuarter, sweepStalledUploads, type UploadFeedbackDependencies } from './upload-feedback';

export interface UploadSweepDependencies extends UploadFeedbackDependencies {
  readonly store: ExportStore;
  readonly config: Config;
  /** The quarter folders under `reports/` (a delimiter listing in S3). */
  readonly reportQuarters: () => AsyncIterable<string> | Iterable<string>;
}

/** What the sweep tells its caller before it goes on to the stalled uploads. */
export interface SweepProgress {
  /** The due quarter whose wait for its exports this sweep ended, if it ended one. */
  readonly onWaitExpired: (quarter: string) => void;
  /** The heartbeat, published before any quarter is swept. */
  readonly onHeartbeat: (heartbeat: Heartbeat) => void;
}

export async function sweepUploads(
  deps: UploadSweepDependencies,
  request: { readonly now: Date; readonly reportDueDays: number } & SweepProgress,
): Promise<SweptQuarter[]> {
  const { now } = request;
  const due = formatQuarter(dueQuarter(deps.config, now));
  if (await expireWaitingRun(deps, { quarter: due, now })) request.onWaitExpired(due);
  request.onHeartbeat(await checkReportHeartbeat(deps, { now, dueDays: request.reportDueDays }));
  return sweepStalledUploads(deps, { quarters: deps.reportQuarters(), now });
}
