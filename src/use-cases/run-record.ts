/**
 * Run-level idempotency: a run id is run once. The same request can arrive more than once
 * (EventBridge Scheduler and Lambda's event queue deliver at least once, Lambda retries a
 * failed invocation, an operator redrives the dead-letter queue), and a repeat must neither
 * read the exports again nor rewrite the published report.
 *
 * Each attempt at a run is a file `attempt-<n>.json` in the run's folder
 * (`reports/runs/<quarter>/<runId>/`), made with the store's conditional create: of two
 * callers creating attempt n, exactly one wins, so two deliveries of one request never both
 * run it. The latest attempt decides what a new request does (`nextStep`):
 *
 * - none: start attempt 1;
 * - succeeded: answer with its recorded status, touching nothing else;
 * - handed over to the distributed run's state machine: nothing to do (that run goes on
 *   there), except for its reduce step, which continues it;
 * - running under a live lease, for another owner: in progress elsewhere, so nothing to do;
 *   if that invocation dies, Lambda retries it, and the retry carries its owner;
 * - running, but by the same owner (a retry of the invocation that wrote it, which died),
 *   or with its lease run out (its invocation is past its time limit): take over;
 * - running in the run function, seen by the reduce step: take over, as the run function
 *   was only handing over (the state machine runs once it has been started);
 * - failed or partial: start the next attempt (a retry may serve who was missed).
 *
 * The owner is what retries of one delivery share: the Lambda request id (asynchronous
 * retries keep it), or the Step Functions execution for the reduce step.
 */
import * as z from 'zod';
import { reportKeys } from '../core/data-root';
import type { ExportStore } from '../core/ports';
import { type RunStatus, runStatusSchema } from './report-run';

/** A run's lease when its invocation's time limit is unknown: Lambda's maximum, 15 minutes. */
export const DEFAULT_RUN_LEASE_MS = 15 * 60_000;

/** Attempts started in one call before giving up (each lost race costs one). */
const MAX_START_ROUNDS = 5;

const attemptStateSchema = z.enum(['running', 'handed-over', 'succeeded', 'partial', 'failed']);
export type RunAttemptState = z.infer<typeof attemptStateSchema>;

/** One attempt's file, `attempt-<n>.json`: who runs it, until when, and how it ended. */
export const runAttemptRecordSchema = z.object({
  quarter: z.string(),
  runId: z.string(),
  attempt: z.number().int().min(1),
  /** Who runs this attempt; retries of one delivery share it. */
  owner: z.string().min(1),
  /** Which function made the attempt: the run function or the distributed run's reduce step. */
  stage: z.enum(['run', 'reduce']),
  requestedBy: runStatusSchema.shape.requestedBy,
  dryRun: z.boolean(),
  state: attemptStateSchema,
  startedAt: z.iso.datetime(),
  /** Until when a running attempt counts as alive: its invocation's time limit. */
  leaseUntil: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** The run's status as `status.json` got it, once the attempt ended. */
  status: runStatusSchema.optional(),
});
export type RunAttemptRecord = z.infer<typeof runAttemptRecordSchema>;

/** A request for a run, as `RunRecords.begin` weighs it against the run's latest attempt. */
export interface BeginRunRequest {
  readonly quarter: string;
  readonly runId: string;
  readonly owner: string;
  readonly requestedBy: RunStatus['requestedBy'];
  readonly dryRun: boolean;
  readonly now: Date;
  /** How long this attempt may run: the invocation's remaining time. */
  readonly leaseMs: number;
  /** The run function, or the distributed run's reduce step (which continues a handed-over run). */
  readonly stage: RunAttemptRecord['stage'];
}

/** What a request for a run should do, given the run's latest attempt. */
export type RunStep = 'start' | 'done' | 'in-progress' | 'handed-over';

/** Either an attempt this request now runs, or why there is nothing to do (with the latest attempt). */
export type RunBeginning =
  | { readonly step: 'start'; readonly attempt: RunAttempt; readonly previous?: RunAttemptRecord }
  | { readonly step: Exclude<RunStep, 'start'>; readonly latest: RunAttemptRecord };

/**
 * The rule of the module comment, on the latest attempt (undefined: none yet).
 * `ownRetry: false` after losing a race: an attempt that appeared meanwhile is never this
 * owner's earlier, dead one, even under the same owner (a duplicate event with one id).
 */
export function nextStep(
  latest: RunAttemptRecord | undefined,
  request: BeginRunRequest,
  ownRetry = true,
): RunStep {
  if (latest === undefined) return 'start';
  switch (latest.state) {
    case 'succeeded':
      return 'done';
    case 'handed-over':
      return request.stage === 'reduce' ? 'start' : 'handed-over';
    case 'running':
      if (request.stage === 'reduce' && latest.stage === 'run') return 'start';
      return (ownRetry && latest.owner === request.owner) ||
        request.now.getTime() >= Date.parse(latest.leaseUntil)
        ? 'start'
        : 'in-progress';
    case 'partial':
    case 'failed':
      return 'start';
  }
}

/** A run record that does not parse: only a hand edit makes one (writes are whole objects). */
export class RunRecordError extends Error {
  override readonly name = 'RunRecordError';
}

const ATTEMPT_FILE = /(?:^|\/)attempt-(\d+)\.json$/;

function attemptKey(quarter: string, runId: string, attempt: number): string {
  return `${reportKeys.run(quarter, runId)}attempt-${String(attempt).padStart(4, '0')}.json`;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The attempts of runs, kept in the data root (see the module comment). */
export class RunRecords {
  readonly #store: ExportStore;

  constructor(store: ExportStore) {
    this.#store = store;
  }

  /**
   * Starts an attempt at the run if `nextStep` says so, or answers with the latest attempt
   * when there is nothing to do. Reads only the run's own folder.
   */
  async begin(request: BeginRunRequest): Promise<RunBeginning> {
    for (let round = 0; round < MAX_START_ROUNDS; round++) {
      const latest = await this.latest(request.quarter, request.runId);
      const step = nextStep(latest, request, round === 0);
      if (step !== 'start') return { step, latest: latest as RunAttemptRecord };
      const at = request.now.toISOString();
      const record: RunAttemptRecord = {
        quarter: request.quarter,
        runId: request.runId,
        attempt: (latest?.attempt ?? 0) + 1,
        owner: request.owner,
        stage: request.stage,
        requestedBy: request.requestedBy,
        dryRun: request.dryRun,
        state: 'running',
        startedAt: at,
        leaseUntil: new Date(request.now.getTime() + request.leaseMs).toISOString(),
        updatedAt: at,
      };
      const key = attemptKey(request.quarter, request.runId, record.attempt);
      if (await this.#store.createIfAbsent(key, json(record), 'application/json')) {
        return latest === undefined
          ? { step: 'start', attempt: new RunAttempt(this.#store, key, record) }
          : { step: 'start', attempt: new RunAttempt(this.#store, key, record), previous: latest };
      }
      // Another request created that attempt first: look again at what it is doing.
    }
    throw new Error(
      `run ${request.runId} of ${request.quarter}: another request started a new attempt ${MAX_START_ROUNDS} times while this one tried; not starting it`,
    );
  }

  /** The run's latest attempt, or undefined before the first. */
  async latest(quarter: string, runId: string): Promise<RunAttemptRecord | undefined> {
    let newest: { attempt: number; key: string } | undefined;
    // Only the attempt files: a distributed run's folder also holds its partials and map results.
    for await (const object of this.#store.list(`${reportKeys.run(quarter, runId)}attempt-`)) {
      const attempt = Number(ATTEMPT_FILE.exec(object.key)?.[1] ?? Number.NaN);
      if (Number.isInteger(attempt) && (newest === undefined || attempt > newest.attempt)) {
        newest = { attempt, key: object.key };
      }
    }
    if (newest === undefined) return undefined;
    const text = await this.#store.readText(newest.key);
    if (text === undefined) return undefined;
    let parsed: ReturnType<typeof runAttemptRecordSchema.safeParse>;
    try {
      parsed = runAttemptRecordSchema.safeParse(JSON.parse(text));
    } catch (error) {
      throw new RunRecordError(
        `${newest.key} is not JSON (${(error as Error).message}); delete it to let the run be requested again`,
      );
    }
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw new RunRecordError(
        `${newest.key} is not a run record (${problems.join('; ')}); delete it to let the run be requested again`,
      );
    }
    return parsed.data;
  }
}

/** One attempt this process started: it alone writes the attempt's file. */
export class RunAttempt {
  readonly #store: ExportStore;
  readonly #key: string;
  #record: RunAttemptRecord;

  constructor(store: ExportStore, key: string, record: RunAttemptRecord) {
    this.#store = store;
    this.#key = key;
    this.#record = record;
  }

  get record(): RunAttemptRecord {
    return this.#record;
  }

  /** Records how the run ended, with the status `status.json` got. */
  async finish(status: RunStatus): Promise<void> {
    if (status.status !== 'succeeded' && status.status !== 'partial' && status.status !== 'failed') {
      throw new Error(`a run attempt ends succeeded, partial or failed, not ${status.status}`);
    }
    await this.#save({ ...this.#record, state: status.status, updatedAt: status.updatedAt, status });
  }

  /** Records that the distributed run's state machine now carries the run. */
  async handOver(now: Date): Promise<void> {
    await this.#save({ ...this.#record, state: 'handed-over', updatedAt: now.toISOString() });
  }

  async #save(record: RunAttemptRecord): Promise<void> {
    await this.#store.write(this.#key, json(record), 'application/json');
    this.#record = record;
  }
}
