/**
 * Upload feedback for operations, shared by the two ways it is triggered: an upload under
 * `exports/<quarter>/` (S3 event) and the hourly sweep (schedule). Each check validates the
 * quarter's export set, writes `reports/<quarter>/validation.json` and tells operations
 * once per distinct set of findings: at once for rejected rows over the limit or a broken
 * header, and for a required dataset still missing only once the upload has had
 * `MISSING_GRACE_MINUTES` to complete. The sweep exists because an upload that simply
 * stops produces no further event to report the missing dataset on.
 */
import type { Config } from '../core/config';
import { reportKeys } from '../core/data-root';
import type { ExportStore, OpsNotifier } from '../core/ports';
import { parseQuarter } from '../core/quarter';
import type { ExportSetReader } from '../core/readers/export-set-reader';
import { type ValidationReport, validateQuarter } from './validate-quarter';

/** How long a multi-file upload may take before a missing dataset is reported. */
export const MISSING_GRACE_MINUTES = 60;

/** What a check needs from the outside world. */
export interface UploadFeedbackDependencies {
  readonly store: ExportStore;
  readonly config: Config;
  /** Operations' topic; `undefined` validates and records without telling anyone. */
  readonly notifier: OpsNotifier | undefined;
  /** A reader for one quarter's export set (a new one per check). */
  readonly newReader: () => ExportSetReader;
}

/** The outcome of one quarter's check. */
export interface QuarterCheck {
  readonly quarter: string;
  readonly ok: boolean;
  /** True when the only problems are required datasets not uploaded yet. */
  readonly incomplete: boolean;
  readonly notified: boolean;
}

/** The findings operations were last told about, so a repeat does not tell them again. */
export function uploadNoticeKey(quarter: string): string {
  return `${reportKeys.folder(quarter)}upload-notice.json`;
}

/** `upload-notice.json` as written for these problems: equal text means already told. */
function noticeText(problems: readonly string[]): string {
  return `${JSON.stringify({ problems }, null, 2)}\n`;
}

/**
 * When the quarter's first export file arrived, recording `now` if no upload was recorded
 * before (the first event to see the quarter wins; later ones read its time).
 */
export async function recordFirstUpload(store: ExportStore, quarter: string, now: Date): Promise<Date> {
  const key = reportKeys.firstUpload(quarter);
  if ((await store.readText(key)) === undefined) {
    await store.createIfAbsent(
      key,
      `${JSON.stringify({ quarter, at: now.toISOString() })}\n`,
      'application/json',
    );
  }
  return (await readFirstUpload(store, quarter)) ?? now;
}

/** When the quarter's first export file arrived, or `undefined` when no upload was recorded. */
export async function readFirstUpload(store: ExportStore, quarter: string): Promise<Date | undefined> {
  const text = await store.readText(reportKeys.firstUpload(quarter));
  if (text === undefined) return undefined;
  const { at } = JSON.parse(text) as { at?: unknown };
  const time = typeof at === 'string' ? new Date(at) : undefined;
  return time === undefined || Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * Validates `quarter` (a label such as `2026-Q3`), writes `validation.json`, and notifies
 * operations when the findings are worth telling and differ from the last notice.
 */
export async function checkUploadedQuarter(
  deps: UploadFeedbackDependencies,
  options: { quarter: string; firstUpload: Date; now: Date },
): Promise<QuarterCheck> {
  const { store } = deps;
  const { quarter: label, firstUpload, now } = options;
  const quarter = parseQuarter(label);
  if (quarter === undefined) throw new Error(`'${label}' is not a quarter like 2026-Q3`);
  const lastNotice = await store.readText(uploadNoticeKey(label));
  const report = await validateQuarter({
    store,
    config: deps.config,
    quarter,
    now,
    // Uploads may come before the quarter ends: feedback is about the files, not the calendar.
    allowOpenQuarter: true,
    reader: deps.newReader(),
  });
  await store.write(reportKeys.validation(label), `${JSON.stringify(report, null, 2)}\n`, 'application/json');
  const waited = now.getTime() - firstUpload.getTime();
  const worthTelling = !report.ok && (!report.incomplete || waited >= MISSING_GRACE_MINUTES * 60_000);
  // Tell operations once per distinct set of findings, however many events arrive.
  const notice = noticeText(report.problems);
  const notified = worthTelling && lastNotice !== notice && deps.notifier !== undefined;
  if (notified) {
    await deps.notifier?.notify(
      `kpi-report: the ${label} exports need fixing`,
      `${report.problems.map((problem) => `- ${problem}`).join('\n')}\n\nDetails: ${store.location}/${reportKeys.validation(label)}`,
    );
    await store.write(uploadNoticeKey(label), notice, 'application/json');
  }
  return { quarter: label, ok: report.ok, incomplete: report.incomplete, notified };
}

/** Why the sweep left a quarter alone, or `checked` when it validated it again. */
export type SweepStatus =
  | 'no-upload'
  | 'within-grace'
  | 'complete'
  | 'reported-on-upload'
  | 'already-reported'
  | 'checked';

/** What the sweep did with one quarter. */
export interface SweptQuarter {
  readonly quarter: string;
  readonly status: SweepStatus;
  readonly notified: boolean;
}

/** A quarter the sweep could not check; the others were still checked. */
export class UploadSweepError extends Error {
  override readonly name = 'UploadSweepError';
  constructor(
    readonly quarters: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`the upload sweep could not check ${quarters.join(', ')}`, options);
  }
}

/**
 * The scheduled sweep: for each quarter folder under `reports/` (from a delimiter listing,
 * not a listing of every object), finds the export sets whose first upload is older than
 * the grace period and that still lack a required dataset, and checks them as an upload
 * would, so operations hear of a stalled upload without waiting for another file.
 *
 * To stay cheap every hour it reads the last `validation.json` first: a set found complete
 * (or failing for other reasons, which the upload already reported at once) is skipped, as
 * is one whose missing datasets are exactly what `upload-notice.json` already says. Only
 * the rest are read again; a repeated sweep therefore reads no export and sends nothing.
 * A quarter that fails to check does not stop the others; the sweep then throws
 * `UploadSweepError` at the end, so the function's retries and alarms see it.
 */
export async function sweepStalledUploads(
  deps: UploadFeedbackDependencies,
  options: { quarters: AsyncIterable<string> | Iterable<string>; now: Date },
): Promise<SweptQuarter[]> {
  const swept: SweptQuarter[] = [];
  const failed: { quarter: string; error: unknown }[] = [];
  for await (const quarter of options.quarters) {
    if (parseQuarter(quarter) === undefined) continue;
    try {
      swept.push(await sweepQuarter(deps, quarter, options.now));
    } catch (error) {
      failed.push({ quarter, error });
    }
  }
  if (failed.length > 0) {
    throw new UploadSweepError(
      failed.map((failure) => failure.quarter),
      { cause: failed.length === 1 ? failed[0]?.error : new AggregateError(failed.map((f) => f.error)) },
    );
  }
  return swept;
}

async function sweepQuarter(
  deps: UploadFeedbackDependencies,
  quarter: string,
  now: Date,
): Promise<SweptQuarter> {
  const skip = (status: SweepStatus): SweptQuarter => ({ quarter, status, notified: false });
  const lastText = await deps.store.readText(reportKeys.validation(quarter));
  const last = lastText === undefined ? undefined : (JSON.parse(lastText) as Partial<ValidationReport>);
  if (last?.ok === true) return skip('complete');
  // Problems beyond missing datasets were reported by the upload itself, at once.
  if (last?.incomplete === false) return skip('reported-on-upload');
  const firstUpload = await readFirstUpload(deps.store, quarter);
  if (firstUpload === undefined) return skip('no-upload');
  if (now.getTime() - firstUpload.getTime() < MISSING_GRACE_MINUTES * 60_000) return skip('within-grace');
  if (last?.problems !== undefined) {
    const lastNotice = await deps.store.readText(uploadNoticeKey(quarter));
    if (lastNotice === noticeText(last.problems)) return skip('already-reported');
  }
  const check = await checkUploadedQuarter(deps, { quarter, firstUpload, now });
  return { quarter, status: 'checked', notified: check.notified };
}
