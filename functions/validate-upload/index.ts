/**
 * Upload feedback for operations, and the scheduled run that waits for its data. Files
 * dropped under `exports/<quarter>/` reach this function as S3 event notifications through
 * an SQS queue, in batches: per quarter, one validation per burst of uploads
 * (`upload-debounce.ts`; the messages of a burst still going are handed back to the queue
 * as batch item failures), written to `reports/<quarter>/validation.json` (never under
 * `exports/`, so the function cannot trigger itself). Operations are notified only when
 * the findings change: at once for rejected rows over the limit or a broken header, and
 * for a required dataset still missing only once the upload has had
 * `MISSING_GRACE_MINUTES` to complete. A valid set starts the quarter's scheduled run if it
 * is waiting for its exports (`resumeWaitingRun`). An hourly schedule sends
 * `{ "source": "sweep" }`: the sweep reports the sets still missing a dataset after the
 * grace period that no later upload came to report (`sweepStalledUploads`), ends a wait
 * past its window, and publishes the heartbeat (`ReportOverdue`, 0 or 1).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { lazyLambdaRunLauncher } from '../../src/adapters/lambda/lazy-lambda-run-launcher';
import { listReportQuarters } from '../../src/adapters/s3/report-quarters';
import { SnsOpsNotifier } from '../../src/adapters/sns/sns-notifier';
import { createWorkerBytesReader } from '../../src/adapters/workers/worker-bytes-reader';
import type { Config } from '../../src/core/config';
import type { ExportStore, OpsNotifier, RunLauncher } from '../../src/core/ports';
import type { ExportSetReader } from '../../src/core/readers/export-set-reader';
import { handleQuarterUpload, type UploadCheck } from '../../src/use-cases/quarter-upload';
import { DEFAULT_REPORT_DUE_DAYS, type Heartbeat } from '../../src/use-cases/report-heartbeat';
import type { UploadDecision } from '../../src/use-cases/upload-debounce';
import type { SweptQuarter } from '../../src/use-cases/upload-feedback';
import { sweepUploads } from '../../src/use-cases/upload-sweep';
import { lambdaSettings } from '../../src/wiring/lambda-environment';
import { latestUploadPerQuarter } from './s3-notifications';

export type { UploadCheck } from '../../src/use-cases/quarter-upload';
export { MISSING_GRACE_MINUTES } from '../../src/use-cases/upload-feedback';
export { quarterOfKey } from './s3-notifications';

/** The events the function takes: a batch of queued S3 notifications, or the sweep schedule's input. */
export const validateEventSchema = z.union([
  z.object({ source: z.literal('sweep') }),
  z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) }),
]);
export type ValidateEvent = z.infer<typeof validateEventSchema>;

export interface ValidateUploadDependencies {
  readonly store: ExportStore;
  readonly config: Config;
  /** The data root's prefix in the bucket ('' for the bucket root). */
  readonly prefix: string;
  readonly notifier: OpsNotifier | undefined;
  /** The quarter folders under `reports/`, for the sweep (a delimiter listing in S3). */
  readonly reportQuarters: () => AsyncIterable<string>;
  readonly logger: Logger;
  readonly now: () => Date;
  /**
   * A reader for one export set.
   * @default - the bytes reader (worker threads)
   */
  readonly newReader?: () => ExportSetReader;
  /** Starts a quarter's run that waits for its exports, once the set is valid; none, none is started. */
  readonly launcher?: RunLauncher | undefined;
  /** Where the sweep publishes the heartbeat (`ReportOverdue`); none, it only logs it. */
  readonly metrics?: Metrics | undefined;
  /**
   * Days after a quarter's end by which its report must be out.
   * @default DEFAULT_REPORT_DUE_DAYS
   */
  readonly reportDueDays?: number | undefined;
}

/** The answer to a batch of queued notifications: the messages to see again, and what was done. */
export interface UploadBatchResult {
  /** SQS partial batch response: these messages return to the queue. */
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
  /** Per quarter in the batch, whether it was validated, left for later, or already covered. */
  readonly decisions: { readonly quarter: string; readonly decision: UploadDecision }[];
  readonly checks: UploadCheck[];
}

/** The dependencies with the reader settled. */
type HandlerDependencies = ValidateUploadDependencies & { readonly newReader: () => ExportSetReader };

export function createValidateUploadHandler(deps: ValidateUploadDependencies) {
  const settled: HandlerDependencies = {
    ...deps,
    newReader: deps.newReader ?? (() => createWorkerBytesReader()),
  };
  return async (event: unknown): Promise<UploadBatchResult | SweptQuarter[]> => {
    const request = validateEventSchema.parse(event);
    return 'source' in request ? sweep(settled) : validateBatch(settled, request.Records);
  };
}

async function sweep(deps: HandlerDependencies): Promise<SweptQuarter[]> {
  const swept = await sweepUploads(deps, {
    now: deps.now(),
    reportDueDays: deps.reportDueDays ?? DEFAULT_REPORT_DUE_DAYS,
    onWaitExpired: (quarter) =>
      deps.logger.warn('the scheduled run gave up waiting for its exports', { quarter }),
    onHeartbeat: (heartbeat) => publishHeartbeat(deps, heartbeat),
  });
  for (const quarter of swept) deps.logger.info('upload sweep', { ...quarter });
  return swept;
}

async function validateBatch(
  deps: HandlerDependencies,
  messages: readonly { messageId: string; body: string }[],
): Promise<UploadBatchResult> {
  const { uploads, unreadable } = latestUploadPerQuarter(messages, deps.prefix);
  // Not S3 notifications: back to the queue, and after a few tries to the dead-letter queue.
  for (const messageId of unreadable) deps.logger.error('not an S3 event notification', { messageId });
  const result: UploadBatchResult = {
    batchItemFailures: unreadable.map((itemIdentifier) => ({ itemIdentifier })),
    decisions: [],
    checks: [],
  };
  for (const { quarter, latest, messageId } of uploads) {
    const { decision, check } = await handleQuarterUpload(deps, {
      quarter,
      latestUpload: latest,
      now: deps.now(),
    });
    result.decisions.push({ quarter, decision });
    deps.logger.info('upload batch', { quarter, decision, lastUpload: latest.toISOString() });
    // The burst is still going: its latest message comes back after the visibility timeout.
    if (decision === 'defer') result.batchItemFailures.push({ itemIdentifier: messageId });
    if (check === undefined) continue;
    deps.logger.info('export set validated', { ...check });
    result.checks.push(check);
  }
  return result;
}

/** Logs the heartbeat and publishes it as `ReportOverdue` (0 or 1), before any quarter is swept. */
function publishHeartbeat(deps: ValidateUploadDependencies, heartbeat: Heartbeat): void {
  deps.logger.info('report heartbeat', { ...heartbeat });
  deps.metrics?.addMetric('ReportOverdue', MetricUnit.Count, heartbeat.overdue ? 1 : 0);
  deps.metrics?.publishStoredMetrics();
}

function fromEnvironment() {
  const settings = lambdaSettings(process.env);
  const topicArn = settings.env.OPS_TOPIC_ARN;
  return createValidateUploadHandler({
    store: settings.store,
    config: settings.config,
    prefix: settings.env.DATA_PREFIX,
    notifier:
      topicArn === undefined
        ? undefined
        : new SnsOpsNotifier({ client: new SNSClient({ region: settings.env.AWS_REGION }), topicArn }),
    reportQuarters: () =>
      listReportQuarters({
        client: settings.s3,
        bucket: settings.env.DATA_BUCKET,
        prefix: settings.env.DATA_PREFIX,
      }),
    logger: new Logger(),
    metrics: new Metrics(),
    now: () => new Date(),
    launcher:
      settings.env.RUN_FUNCTION_NAME === undefined
        ? undefined
        : lazyLambdaRunLauncher({
            region: settings.env.AWS_REGION,
            functionName: settings.env.RUN_FUNCTION_NAME,
          }),
    reportDueDays: settings.env.REPORT_DUE_DAYS,
  });
}

let cold: ((event: unknown) => Promise<unknown>) | undefined;
export const handler = (event: unknown): Promise<unknown> => {
  cold ??= fromEnvironment();
  return cold(event);
};
