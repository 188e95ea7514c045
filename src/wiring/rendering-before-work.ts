/**
 * The first thing a run handler does: open the email rendering, which compiles the templates
 * and proves them (every field checked against the report model, every kind of message
 * rendered from a sample). A problem stops the run before an export is read or anything is
 * written; then the run's status.json says why (`failed-before-work.ts`), and the error is
 * rethrown for Lambda's retries, the dead-letter queue and the alarms.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ExportStore } from '../core/ports';
import type { EmailRendering } from './email-delivery';
import { type RunIdentity, recordFailedBeforeWork } from './failed-before-work';

export async function renderingBeforeAnyWork(options: {
  readonly rendering: () => Promise<EmailRendering>;
  /** Where the run's status.json is: the data root, or a dry run's view of it. */
  readonly store: ExportStore;
  readonly run: RunIdentity;
  readonly now: () => Date;
  readonly logger: Logger;
}): Promise<EmailRendering> {
  try {
    return await options.rendering();
  } catch (error) {
    options.logger.error(
      'the email templates failed their check: nothing was read or written',
      error as Error,
    );
    await recordFailedBeforeWork({
      ...options,
      error: `the email templates cannot be used: ${(error as Error).message}`,
    });
    throw error;
  }
}
