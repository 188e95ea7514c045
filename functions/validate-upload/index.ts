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
import { rootKeyPrefix } from '../../src/adapters/s3/root-prefix';
import { SnsOpsNotifier } from '../../src/adapters/sns/sns-notifier';
import { createWorkerBytesReader } from '../../src/adapters/workers/worker-bytes-reader';
import type { Config } from '../../src/core/config';
import { EXPORTS_FOLDER, quarterInKey } from '../../src/core/data-root';
import type { ExportStore, OpsNotifier, RunLauncher } from '../../src/core/ports';
import { formatQuarter } from '../../src/core/quarter';
import type { ExportSetReader } from '../../src/core/readers/export-set-reader';
import { expireWaitingRun, type ResumeOutcome, resumeWaitingRun } from '../../src/use-cases/await-exports';
import { dueQuarter } from '../../src/use-cases/due-quarter';
import { checkReportHeartbeat, DEFAULT_REPORT_DUE_DAYS } from '../../src/use-cases/report-heartbeat';
import { decideValidation, type UploadDecision } from '../../src/use-cases/upload-debounce';
import {
  checkUploadedQuarter,
  recordFirstUpload,
  type SweptQuarter,
  sweepStalledUploads,
} from '../../src/use-cases/upload-feedback';
import { lambdaSettings } from '../../src/wiring/lambda-environment';

export { MISSING_GRACE_MINUTES } from '../../src/use-cases/upload-feedback';

/** One S3 event notification, as S3 puts it on the queue. S3's test message has no `Records`. */
const s3NotificationSchema = z.object({
  Records: z
    .array(
      z.object({
        eventTime: z.iso.datetime({ offset: true }),
        s3: z.object({ object: z.object({ key: z.string() }) }),
      }),
    )
    .optional(),
});

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

/** What a batch's check found, per quarter validated. */
export interface UploadCheck {
  readonly quarter: string;
  readonly ok: boolean;
  readonly notified: boolean;
  /** What a valid set did about a scheduled run waiting for it. */
  readonly waitingRun?: ResumeOutcome;
}

/** The answer to a batch of queued notifications: the messages to see again, and what was done. */
export interface UploadBatchResult {
  /** SQS partial batch response: these messages return to the queue. */
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
  /** Per quarter in the batch, whether it was validated, left for later, or already covered. */
  readonly decisions: { readonly quarter: string; readonly decision: UploadDecision }[];
  readonly checks: UploadCheck[];
}

/** The quarter of an event key (`[prefix/]exports/<quarter>/…`, URL-encoded), if any. */
export function quarterOfKey(encodedKey: string, prefix: string): string | undefined {
  const root = rootKeyPrefix(prefix);
  // S3 event keys are URL-encoded, with '+' for spaces.
  const key = decodeURIComponent(encodedKey.replace(/\+/g, ' '));
  return key.startsWith(root) ? quarterInKey(key.slice(root.length), EXPORTS_FOLDER) : undefined;
}

/** The latest upload per quarter in a batch, with the message that carries it. */
interface QuarterUploads {
  latest: Date;
  latestMessageId: string;
}

export function createValidateUploadHandler(deps: ValidateUploadDependencies) {
  const feedback = {
    store: deps.store,
    config: deps.config,
    notifier: deps.notifier,
    newReader: deps.newReader ?? (() => createWorkerBytesReader()),
  };

  async function sweep(): Promise<SweptQuarter[]> {
    const now = deps.now();
    // The heartbeat first: a sweep that fails on one quarter must not silence it.
    const due = formatQuarter(dueQuarter(deps.config, now));
    if (await expireWaitingRun(deps, { quarter: due, now })) {
      deps.logger.warn('the scheduled run gave up waiting for its exports', { quarter: due });
    }
    const heartbeat = await checkReportHeartbeat(deps, {
      now,
      dueDays: deps.reportDueDays ?? DEFAULT_REPORT_DUE_DAYS,
    });
    deps.logger.info('report heartbeat', { ...heartbeat });
    deps.metrics?.addMetric('ReportOverdue', MetricUnit.Count, heartbeat.overdue ? 1 : 0);
    deps.metrics?.publishStoredMetrics();
    const swept = await sweepStalledUploads(feedback, { quarters: deps.reportQuarters(), now });
    for (const quarter of swept) deps.logger.info('upload sweep', { ...quarter });
    return swept;
  }

  async function uploads(
    messages: readonly { messageId: string; body: string }[],
  ): Promise<UploadBatchResult> {
    const failures: { itemIdentifier: string }[] = [];
    const byQuarter = new Map<string, QuarterUploads>();
    for (const message of messages) {
      const parsed = s3NotificationSchema.safeParse(safeJson(message.body));
      if (!parsed.success) {
        // Not an S3 notification: back to the queue, and after a few tries to the dead-letter queue.
        deps.logger.error('not an S3 event notification', { messageId: message.messageId });
        failures.push({ itemIdentifier: message.messageId });
        continue;
      }
      for (const record of parsed.data.Records ?? []) {
        const quarter = quarterOfKey(record.s3.object.key, deps.prefix);
        if (quarter === undefined) continue;
        const at = new Date(record.eventTime);
        const seen = byQuarter.get(quarter);
        if (seen === undefined || at > seen.latest)
          byQuarter.set(quarter, { latest: at, latestMessageId: message.messageId });
      }
    }
    const decisions: UploadBatchResult['decisions'] = [];
    const checks: UploadCheck[] = [];
    for (const [quarter, { latest, latestMessageId }] of byQuarter) {
      const now = deps.now();
      const firstUpload = await recordFirstUpload(deps.store, quarter, now);
      const decision = await decideValidation(deps.store, { quarter, latestInBatch: latest, now });
      decisions.push({ quarter, decision });
      deps.logger.info('upload batch', { quarter, decision, lastUpload: latest.toISOString() });
      if (decision === 'defer') failures.push({ itemIdentifier: latestMessageId });
      if (decision !== 'validate') continue;
      const check = await checkUploadedQuarter(feedback, { quarter, firstUpload, now });
      const waitingRun =
        check.ok && deps.launcher !== undefined
          ? await resumeWaitingRun({ store: deps.store, launcher: deps.launcher }, { quarter, now })
          : undefined;
      deps.logger.info('export set validated', { ...check, ...(waitingRun !== undefined && { waitingRun }) });
      checks.push({
        quarter,
        ok: check.ok,
        notified: check.notified,
        ...(waitingRun !== undefined && { waitingRun }),
      });
    }
    return { batchItemFailures: failures, decisions, checks };
  }

  return async (event: unknown): Promise<UploadBatchResult | SweptQuarter[]> => {
    const request = validateEventSchema.parse(event);
    return 'source' in request ? sweep() : uploads(request.Records);
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
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
