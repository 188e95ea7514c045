/**
 * A run stopped before any work (its templates or its report settings cannot be used):
 * the run's status.json says why, so that the API's caller sees `failed`, not `queued` for
 * ever, unless that very run already finished (a repeated request keeps its recorded
 * status). Recording it never hides the reason: a failure to write is only logged.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ExportStore } from '../core/ports';
import { type RunStatus, readRunStatus, writeRunStatus } from '../use-cases/report-run';

/** The run as its status.json names it. */
export type RunIdentity = Pick<RunStatus, 'quarter' | 'runId' | 'requestedBy' | 'dryRun'>;

export async function recordFailedBeforeWork(options: {
  /** Where the run's status.json is: the data root, or a dry run's view of it. */
  readonly store: ExportStore;
  readonly run: RunIdentity;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Why the run stopped, as status.json's `error`. */
  readonly error: string;
}): Promise<void> {
  const { store, run, logger } = options;
  try {
    const current = await readRunStatus(store, run.quarter);
    const finished =
      current?.runId === run.runId && (current.status === 'succeeded' || current.status === 'partial');
    if (!finished) {
      await writeRunStatus(store, {
        ...run,
        status: 'failed',
        updatedAt: options.now().toISOString(),
        error: options.error,
      });
    }
  } catch (statusError) {
    logger.error('the failed status could not be recorded', statusError as Error);
  }
}
