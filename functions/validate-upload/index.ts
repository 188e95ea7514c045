/**
 * Upload feedback for operations. Each file dropped under `exports/<quarter>/` triggers a
 * validation of that quarter's export set, written to `reports/<quarter>/validation.json`
 * (never under `exports/`, so the function cannot trigger itself). S3 delivers events at
 * least once and one per file, so validation is idempotent, and operations are notified
 * only when the findings change: at once for rejected rows over the limit or a broken
 * header, and for a required dataset still missing only once the upload has had
 * `MISSING_GRACE_MINUTES` to complete. An hourly schedule sends `{ "source": "sweep" }`:
 * the sweep reports the sets still missing a dataset after the grace period that no later
 * upload came to report (see `sweepStalledUploads`).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { SnsOpsNotifier } from '../../src/adapters/sns/sns-notifier';
import { createFastReader } from '../../src/adapters/workers/fast-reader';
import type { Config } from '../../src/core/config';
import type { ExportSetReader } from '../../src/core/ingest/export-set-reader';
import type { ExportStore, OpsNotifier } from '../../src/core/ports';
import {
  checkUploadedQuarter,
  recordFirstUpload,
  type SweptQuarter,
  sweepStalledUploads,
} from '../../src/use-cases/upload-feedback';
import { lambdaSettings } from '../../src/wiring/lambda-environment';
import { listReportQuarters } from './report-quarters';

export { MISSING_GRACE_MINUTES } from '../../src/use-cases/upload-feedback';

/** The events the function takes: S3's ObjectCreated notification, or the sweep schedule's input. */
export const validateEventSchema = z.union([
  z.object({ source: z.literal('sweep') }),
  z.object({
    Records: z.array(z.object({ s3: z.object({ object: z.object({ key: z.string() }) }) })),
  }),
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
   * @default - the fast reader (worker threads)
   */
  readonly newReader?: () => ExportSetReader;
}

/** What an upload event's check found, per quarter. */
export interface UploadCheck {
  readonly quarter: string;
  readonly ok: boolean;
  readonly notified: boolean;
}

/** The quarters named by the event's keys (`[prefix/]exports/<quarter>/…`), each once. */
export function quartersOf(
  event: { Records?: readonly { s3: { object: { key: string } } }[] },
  prefix: string,
): string[] {
  const root = prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`;
  const pattern = new RegExp(`^${escapeRegExp(root)}exports/(\\d{4}-Q[1-4])/`);
  const quarters = new Set<string>();
  for (const record of event.Records ?? []) {
    // S3 event keys are URL-encoded, with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const match = pattern.exec(key);
    if (match?.[1] !== undefined) quarters.add(match[1]);
  }
  return [...quarters];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createValidateUploadHandler(deps: ValidateUploadDependencies) {
  const feedback = {
    store: deps.store,
    config: deps.config,
    notifier: deps.notifier,
    newReader: deps.newReader ?? (() => createFastReader()),
  };
  return async (event: unknown): Promise<UploadCheck[] | SweptQuarter[]> => {
    const request = validateEventSchema.parse(event);
    if ('source' in request) {
      const swept = await sweepStalledUploads(feedback, {
        quarters: deps.reportQuarters(),
        now: deps.now(),
      });
      for (const quarter of swept) deps.logger.info('upload sweep', { ...quarter });
      return swept;
    }
    const results: UploadCheck[] = [];
    for (const quarter of quartersOf(request, deps.prefix)) {
      const now = deps.now();
      const firstUpload = await recordFirstUpload(deps.store, quarter, now);
      const check = await checkUploadedQuarter(feedback, { quarter, firstUpload, now });
      deps.logger.info('export set validated', { ...check });
      results.push({ quarter, ok: check.ok, notified: check.notified });
    }
    return results;
  };
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
    now: () => new Date(),
  });
}

let cold: ((event: unknown) => Promise<unknown>) | undefined;
export const handler = (event: unknown): Promise<unknown> => {
  cold ??= fromEnvironment();
  return cold(event);
};
