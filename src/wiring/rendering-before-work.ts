/**
 * The first thing a run handler does: open the email rendering, which compiles the templates
 * and proves them (every field checked against the report model, every kind of message
 * rendered from a sample). A problem stops the run before an export is read or anything is
 * written; then the run's status.json says why (so that the API's caller sees `failed`, not
 * `queued` for ever), unless that very run already finished, and the error is rethrown for
 * Lambda's retries, the dead-letter queue and the alarms.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ExportStore } from '../core/ports';
import { type RunStatus, readRunStatus, writeRunStatus } from '../use-cases/report-run';
import type { EmailRendering } from './email-delivery';

export async function renderingBeforeAnyWork(options: {
  readonly rendering: () => Promise<EmailRendering>;
  /** Where the run's status.json is: the data root, or a dry run's view of it. */
  readonly store: ExportStore;
  readonly run: Pick<RunStatus, 'quarter' | 'runId' | 'requestedBy' | 'dryRun'>;
  readonly now: () => Date;
  readonly logger: Logger;
}): Promise<EmailRendering> {
  const { store, run, logger } = options;
  try {
    return await options.rendering();
  } catch (error) {
    logger.error('the email templates failed their check: nothing was read or written', error as Error);
    try {
      // A repeated request for a run that finished keeps its recorded status.
      const current = await readRunStatus(store, run.quarter);
      const finished =
        current?.runId === run.runId && (current.status === 'succeeded' || current.status === 'partial');
      if (!finished) {
        await writeRunStatus(store, {
          ...run,
          status: 'failed',
          updatedAt: options.now().toISOString(),
          error: `the email templates cannot be used: ${(error as Error).message}`,
        });
      }
    } catch (statusError) {
      logger.error('the failed status could not be recorded', statusError as Error);
    }
    throw error;
  }
}
