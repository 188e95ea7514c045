/**
 * What the report and reduce functions do with a finished run: count it in metrics, log
 * it, and ask Lambda (or Step Functions) for a retry while some recipient can still be
 * served. A permanent SES rejection is not retried: the status and MessagesFailed say it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ReportRunResult } from '../use-cases/report-run';

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
  logger.info(observers.message, {
    status: result.status.status,
    deliveries: result.status.deliveries,
    outbox: result.status.outbox,
  });
  const retryable = result.delivery.unserved.filter((outcome) => outcome.permanent !== true);
  if (retryable.length > 0) {
    throw new DeliveryIncompleteError(
      `not delivered yet to ${retryable.map((outcome) => outcome.recipient).join(', ')}; retrying`,
    );
  }
}
