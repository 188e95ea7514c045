/** Starts a report run as an execution of the distributed-run state machine (Step Functions). */
import { createHash } from 'node:crypto';
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RunLauncher, RunRequest } from '../../core/ports';

/** Step Functions execution names: at most 80 characters of `[A-Za-z0-9_-]`. */
const NAME_LIMIT = 80;
/** Hex digits of the SHA-256 that keep two runs apart whatever their readable part (64 bits). */
const HASH_DIGITS = 16;

/**
 * The execution name for a run: `<quarter>_<runId, sanitised and cut>_<hash>`. The same
 * quarter and run id always give the same name, so a repeated request is recognised by
 * Step Functions itself (names are unique per state machine for 90 days); the hash is over
 * the raw quarter and run id, so run ids that sanitise or cut to the same text still get
 * different names.
 */
export function executionNameFor(request: Pick<RunRequest, 'quarter' | 'runId'>): string {
  const hash = createHash('sha256')
    .update(`${request.quarter}\n${request.runId}`)
    .digest('hex')
    .slice(0, HASH_DIGITS);
  const readable = sanitise(`${request.quarter}_${request.runId}`).slice(0, NAME_LIMIT - HASH_DIGITS - 1);
  return `${readable}_${hash}`;
}

function sanitise(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '-');
}

/**
 * `StartExecution` with the run request as input (`{ quarter, runId, requestedBy, dryRun,
 * resend }`); the call returns once Step Functions has accepted the execution. A duplicate
 * request (same quarter and run id) resolves as already started: Step Functions answers it
 * with the running execution, or with `ExecutionAlreadyExists` once that one has ended.
 */
export class SfnRunLauncher implements RunLauncher {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(options: { client: SFNClient; stateMachineArn: string }) {
    this.#client = options.client;
    this.#stateMachineArn = options.stateMachineArn;
  }

  async start(request: RunRequest): Promise<void> {
    const input = {
      quarter: request.quarter,
      runId: request.runId,
      requestedBy: request.requestedBy ?? 'api',
      dryRun: request.dryRun,
      resend: request.resend,
    };
    try {
      await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name: executionNameFor(request),
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }
}
