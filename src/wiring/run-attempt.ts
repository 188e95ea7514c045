/**
 * Run-level idempotency in the Lambda handlers (report and reduce functions): who owns an
 * invocation's attempt and for how long, and what the handler answers when a run needs
 * nothing more (see `src/use-cases/run-record.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type BeginRunRequest,
  DEFAULT_RUN_LEASE_MS,
  type RunAttempt,
  type RunRecords,
} from '../use-cases/run-record';

/** The part of Lambda's context object the run's attempt needs. */
export interface InvocationContext {
  /** Kept by Lambda's retries of an asynchronous invocation. */
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

/** What a run handler answers. `repeated`: the run needed nothing more from this request. */
export interface RunAnswer {
  readonly quarter: string;
  readonly runId: string;
  readonly status: string;
  readonly repeated?: true;
}

export type BegunRun = { readonly attempt: RunAttempt } | { readonly answer: RunAnswer };

/**
 * Starts an attempt at the run, owned by `owner` (else the invocation's request id) for the
 * invocation's remaining time; or, when the run needs nothing more, logs why and gives the
 * handler's answer: the recorded status of a finished run, `in-progress-elsewhere`, or
 * `distributed` for a run the state machine carries.
 */
export async function beginRunAttempt(options: {
  readonly records: RunRecords;
  readonly request: Omit<BeginRunRequest, 'owner' | 'leaseMs'>;
  readonly context: InvocationContext | undefined;
  readonly owner?: string | undefined;
  readonly logger: Logger;
}): Promise<BegunRun> {
  const { request, context, logger } = options;
  const owner = options.owner ?? context?.awsRequestId ?? randomUUID();
  const leaseMs = context?.getRemainingTimeInMillis?.() ?? DEFAULT_RUN_LEASE_MS;
  const begun = await options.records.begin({ ...request, owner, leaseMs });
  const base = { quarter: request.quarter, runId: request.runId };
  if (begun.step === 'start') {
    if (begun.previous !== undefined) {
      logger.info('run requested again: starting a new attempt', {
        attempt: begun.attempt.record.attempt,
        previous: {
          state: begun.previous.state,
          owner: begun.previous.owner,
          updatedAt: begun.previous.updatedAt,
        },
      });
    }
    return { attempt: begun.attempt };
  }
  const { latest } = begun;
  switch (begun.step) {
    case 'done':
      logger.info('run already finished: answering with its recorded result', {
        attempt: latest.attempt,
        finishedAt: latest.updatedAt,
      });
      return { answer: { ...base, status: latest.status?.status ?? latest.state, repeated: true } };
    case 'in-progress':
      logger.info('run in progress in another invocation: nothing to do', {
        attempt: latest.attempt,
        owner: latest.owner,
        leaseUntil: latest.leaseUntil,
      });
      return { answer: { ...base, status: 'in-progress-elsewhere', repeated: true } };
    case 'handed-over':
      logger.info('run handed over to the distributed run: nothing to do', { attempt: latest.attempt });
      return { answer: { ...base, status: 'distributed', repeated: true } };
  }
}
