/**
 * A scheduled run that waits for its data. When the quarterly schedule fires and the
 * export set is incomplete or invalid, the run records the wait in
 * `reports/<quarter>/export-wait.json` (what is wrong, since when, until when; its own file,
 * since every run rewrites `status.json`), shows it in `status.json` as
 * `waiting-for-exports`, and tells operations once, instead of failing into the dead-letter
 * queue. Every upload is validated anyway; the first validation that finds the set valid
 * starts the run (`resumeWaitingRun`: a conditional replace of the wait, so of several
 * validations exactly one starts it). The hourly sweep ends a wait that outlived its
 * window (`expireWaitingRun`), and the heartbeat alarm fires (`report-heartbeat.ts`).
 */
import * as z from 'zod';
import type { ExportStore, OpsNotifier, RunLauncher } from '../core/ports';
import { reportKeys } from './report-keys';
import { type RunStatus, readRunStatus, writeRunStatus } from './report-run';

export { DEFAULT_WAIT_FOR_EXPORTS_DAYS } from './report-deadlines';

const DAY_MS = 86_400_000;

const exportWaitSchema = z.object({
  quarter: z.string(),
  runId: z.string(),
  /** The schedule event's time: the window counts from it. */
  scheduledTime: z.string(),
  since: z.string(),
  until: z.string(),
  problems: z.array(z.string()),
  /** When operations were told; they are told once per wait. */
  notifiedAt: z.string().optional(),
  /** `waiting` until a valid upload starts the run (`resumed`) or the window ends (`expired`). */
  state: z.enum(['waiting', 'resumed', 'expired']),
  endedAt: z.string().optional(),
});
export type ExportWait = z.infer<typeof exportWaitSchema>;

/** Where a quarter's wait is kept. */
export function exportWaitKey(quarter: string): string {
  return `${reportKeys.folder(quarter)}export-wait.json`;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The quarter's wait, if a scheduled run ever waited for it. */
export async function readExportWait(store: ExportStore, quarter: string): Promise<ExportWait | undefined> {
  const text = await store.readText(exportWaitKey(quarter));
  if (text === undefined) return undefined;
  const parsed = exportWaitSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/** Whether `wait` is still waiting at `now`, within its window. */
export function isWaiting(wait: ExportWait | undefined, now: Date): boolean {
  return wait?.state === 'waiting' && Date.parse(wait.until) > now.getTime();
}

/** What the waiting scheduled run is. */
export interface WaitRequest {
  readonly quarter: string;
  readonly runId: string;
  /** The schedule event's time: the wait's window counts from it. */
  readonly scheduledTime: string;
  /** Why the export set cannot be reported on yet (`ExportSetError.problems`). */
  readonly problems: readonly string[];
  readonly now: Date;
  readonly windowDays: number;
}

/**
 * Records that the scheduled run waits for its exports and, the first time for this run,
 * tells operations what is missing and until when the run will start by itself. A repeat
 * (Scheduler's retry, or the same event delivered twice) keeps the first wait's window and
 * tells nobody again.
 */
export async function waitForExports(
  deps: { readonly store: ExportStore; readonly notifier: OpsNotifier | undefined },
  request: WaitRequest,
): Promise<RunStatus> {
  const { store } = deps;
  const { quarter, runId, now } = request;
  const earlier = await readExportWait(store, quarter);
  const same = earlier?.runId === runId && earlier.state === 'waiting' ? earlier : undefined;
  const since = same?.since ?? now.toISOString();
  const until =
    same?.until ?? new Date(Date.parse(request.scheduledTime) + request.windowDays * DAY_MS).toISOString();
  let notifiedAt = same?.notifiedAt;
  if (notifiedAt === undefined && deps.notifier !== undefined) {
    await deps.notifier.notify(
      `kpi-report: the ${quarter} report is waiting for its exports`,
      [
        `The scheduled run of ${quarter} (${runId}) found the export set incomplete or invalid:`,
        ...request.problems.map((problem) => `- ${problem}`),
        '',
        `Upload the missing or corrected files under exports/${quarter}/: the run starts by itself as soon as the set is valid, until ${until}. After that it gives up, and the ReportOverdue alarm fires.`,
        `Details: ${store.location}/${reportKeys.validation(quarter)}`,
      ].join('\n'),
    );
    notifiedAt = now.toISOString();
  }
  const wait: ExportWait = {
    quarter,
    runId,
    scheduledTime: request.scheduledTime,
    since,
    until,
    problems: [...request.problems],
    ...(notifiedAt !== undefined && { notifiedAt }),
    state: 'waiting',
  };
  await store.write(exportWaitKey(quarter), json(wait), 'application/json');
  const status: RunStatus = {
    quarter,
    runId,
    requestedBy: 'schedule',
    dryRun: false,
    status: 'waiting-for-exports',
    updatedAt: now.toISOString(),
    waiting: {
      since,
      until,
      scheduledTime: wait.scheduledTime,
      problems: wait.problems,
      ...(notifiedAt !== undefined && { notifiedAt }),
    },
  };
  await writeRunStatus(store, status);
  return status;
}

/** What a valid upload did about a waiting run. */
export type ResumeOutcome = 'started' | 'not-waiting' | 'expired' | 'started-elsewhere';

/**
 * Starts the quarter's waiting run, now that its export set is valid: marks the wait
 * `resumed` only if it is unchanged since read (so of several validations at once exactly
 * one starts the run), then starts it, as the API would, with the scheduled run's id. A
 * wait past its window is left to the sweep.
 */
export async function resumeWaitingRun(
  deps: { readonly store: ExportStore; readonly launcher: RunLauncher },
  options: { readonly quarter: string; readonly now: Date },
): Promise<ResumeOutcome> {
  const { store, launcher } = deps;
  const { quarter, now } = options;
  if (store.readVersioned === undefined || store.replaceIfUnchanged === undefined) {
    throw new Error(`${store.location} offers no conditional replace, which starting a waiting run needs`);
  }
  const read = await store.readVersioned(exportWaitKey(quarter));
  const parsed = read === undefined ? undefined : exportWaitSchema.safeParse(JSON.parse(read.text));
  const wait = parsed?.success ? parsed.data : undefined;
  if (read === undefined || wait?.state !== 'waiting') return 'not-waiting';
  if (!isWaiting(wait, now)) return 'expired';
  const resumed: ExportWait = { ...wait, state: 'resumed', endedAt: now.toISOString() };
  if (
    !(await store.replaceIfUnchanged(exportWaitKey(quarter), json(resumed), 'application/json', read.version))
  ) {
    return 'started-elsewhere';
  }
  const status = await readRunStatus(store, quarter);
  if (status?.status === 'waiting-for-exports') {
    await writeRunStatus(store, { ...status, status: 'queued', updatedAt: now.toISOString() });
  }
  await launcher.start({ runId: wait.runId, quarter, dryRun: false, resend: false, requestedBy: 'schedule' });
  return 'started';
}

/**
 * Ends a wait that outlived its window: the wait is `expired`, `status.json` says `failed`
 * with why, and operations are told once. Returns whether it ended one.
 */
export async function expireWaitingRun(
  deps: { readonly store: ExportStore; readonly notifier: OpsNotifier | undefined },
  options: { readonly quarter: string; readonly now: Date },
): Promise<boolean> {
  const { store } = deps;
  const { quarter, now } = options;
  const wait = await readExportWait(store, quarter);
  if (wait?.state !== 'waiting' || isWaiting(wait, now)) return false;
  const error = `no valid export set arrived by ${wait.until}; the scheduled run gave up waiting (run the quarter through the API once the exports are fixed)`;
  await deps.notifier?.notify(`kpi-report: the ${quarter} report gave up waiting for its exports`, error);
  await store.write(
    exportWaitKey(quarter),
    json({ ...wait, state: 'expired', endedAt: now.toISOString() }),
    'application/json',
  );
  const status = await readRunStatus(store, quarter);
  if (status?.status === 'waiting-for-exports') {
    await writeRunStatus(store, { ...status, status: 'failed', updatedAt: now.toISOString(), error });
  }
  return true;
}
