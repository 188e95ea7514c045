/**
 * What the report and reduce functions do with a finished run: count it in metrics, log
 * it (recipients by hash and count: logs and execution histories hold no address), and ask
 * Lambda (or Step Functions) for a retry while some recipient can still be served. A
 * permanent SES rejection is not retried: the run's status is `failed`, with the
 * recipients and SES's reason in status.json, and `MessagesFailed` raises the alarm.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { recipientHash, redactAddresses } from '../use-cases/recipient-key';
import type { ReportRunResult } from '../use-cases/report-run';

/** A run's progress lines for the function's log, addresses replaced by their hashes. */
export function runLogLines(logger: Logger): (line: string) => void {
  return (line) => logger.info(redactAddresses(line));
}

/** Some recipients are not served yet; a retry may serve them (the ledger skips the others). */
export class DeliveryIncompleteError extends Error {
  override readonly name = 'DeliveryIncompleteError';
}

export function recordRunOutcome(
  result: ReportRunResult,
  observers: { readonly logger: Logger; readonly metrics: Metrics; readonly message: string },
): void {
  const { logger, metrics } = observers;
  const quality = Object.values(result.snapshot.dataQuality);
  metrics.addMetric(
    'RowsRead',
    MetricUnit.Count,
    quality.reduce((sum, dataset) => sum + dataset.rows, 0),
  );
  metrics.addMetric(
    'RowsRejected',
    MetricUnit.Count,
    quality.reduce((sum, dataset) => sum + dataset.rejected, 0),
  );
  metrics.addMetric('KpisComputed', MetricUnit.Count, 1);
  metrics.addMetric('MessagesSent', MetricUnit.Count, result.status.deliveries?.sent ?? 0);
  metrics.addMetric('MessagesFailed', MetricUnit.Count, result.delivery.unserved.length);
  const uncertain = result.delivery.outcomes.filter((outcome) => outcome.uncertain !== undefined);
  metrics.addMetric('MessagesUncertain', MetricUnit.Count, uncertain.length);
  const { deliveries, outbox } = result.status;
  logger.info(observers.message, {
    status: result.status.status,
    ...(deliveries !== undefined && {
      deliveries: {
        sent: deliveries.sent,
        alreadySent: deliveries.alreadySent,
        unserved: result.delivery.unserved.map((outcome) => ({
          recipient: recipientHash(outcome.recipient),
          status: outcome.status,
          permanent: outcome.permanent === true,
        })),
        uncertain: uncertain.map((outcome) => recipientHash(outcome.recipient)),
      },
    }),
    ...(outbox !== undefined && { outbox: { written: outbox.written, unwritten: outbox.unwritten.length } }),
  });
  const retryable = result.delivery.unserved.filter((outcome) => outcome.permanent !== true);
  if (retryable.length > 0) {
    throw new DeliveryIncompleteError(
      `not delivered yet to ${retryable.length} recipients (${retryable.map((outcome) => recipientHash(outcome.recipient)).join(', ')}); retrying`,
    );
  }
}
