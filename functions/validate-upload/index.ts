/**
 * Upload feedback for operations: each file dropped under `exports/<quarter>/` triggers a
 * validation of that quarter's export set, written to `reports/<quarter>/validation.json`
 * (never under `exports/`, so the function cannot trigger itself). S3 delivers events at
 * least once and one per file, so validation is idempotent, and operations are notified
 * only when the findings change: at once for rejected rows over the limit or a broken
 * header, and for a required dataset still missing only once the upload has had
 * `MISSING_GRACE_MINUTES` to complete.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { SNSClient } from '@aws-sdk/client-sns';
import type { S3Event } from 'aws-lambda';
import { SnsOpsNotifier } from '../../src/adapters/sns/sns-notifier';
import { createFastReader } from '../../src/adapters/workers/fast-reader';
import type { Config } from '../../src/core/config';
import type { ExportStore, OpsNotifier } from '../../src/core/ports';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import { reportKeys } from '../../src/use-cases/report-keys';
import { validateQuarter } from '../../src/use-cases/validate-quarter';
import { lambdaSettings } from '../../src/wiring/lambda-environment';

/** How long a multi-file upload may take before a missing dataset is reported. */
export const MISSING_GRACE_MINUTES = 60;

export interface ValidateUploadDependencies {
  readonly store: ExportStore;
  readonly config: Config;
  /** The data root's prefix in the bucket ('' for the bucket root). */
  readonly prefix: string;
  readonly notifier: OpsNotifier | undefined;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** The quarters named by the event's keys (`[prefix/]exports/<quarter>/…`), each once. */
export function quartersOf(event: S3Event, prefix: string): string[] {
  const root = prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`;
  const quarters = new Set<string>();
  for (const record of event.Records ?? []) {
    // S3 event keys are URL-encoded, with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const match = new RegExp(`^${escapeRegExp(root)}exports/(\\d{4}-Q[1-4])/`).exec(key);
    if (match?.[1] !== undefined) quarters.add(match[1]);
  }
  return [...quarters];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createValidateUploadHandler(deps: ValidateUploadDependencies) {
  return async (event: S3Event): Promise<{ quarter: string; ok: boolean; notified: boolean }[]> => {
    const results = [];
    for (const label of quartersOf(event, deps.prefix)) {
      const quarter = parseQuarter(label) as Quarter;
      const now = deps.now();
      const firstUpload = await firstUploadTime(deps.store, label, now);
      const lastNotice = await deps.store.readText(noticeKey(label));
      const report = await validateQuarter({
        store: deps.store,
        config: deps.config,
        quarter,
        now,
        reader: createFastReader(),
      });
      await deps.store.write(
        reportKeys.validation(label),
        `${JSON.stringify(report, null, 2)}\n`,
        'application/json',
      );
      const waited = now.getTime() - firstUpload.getTime();
      const worthTelling = !report.ok && (!report.incomplete || waited >= MISSING_GRACE_MINUTES * 60_000);
      // Tell operations once per distinct set of findings, however many events arrive.
      const notice = `${JSON.stringify({ problems: report.problems }, null, 2)}\n`;
      const notified = worthTelling && lastNotice !== notice && deps.notifier !== undefined;
      if (notified) {
        await deps.notifier?.notify(
          `kpi-report: the ${label} exports need fixing`,
          `${report.problems.map((problem) => `- ${problem}`).join('\n')}\n\nDetails: ${deps.store.location}/${reportKeys.validation(label)}`,
        );
        await deps.store.write(noticeKey(label), notice, 'application/json');
      }
      deps.logger.info('export set validated', {
        quarter: label,
        ok: report.ok,
        incomplete: report.incomplete,
        notified,
      });
      results.push({ quarter: label, ok: report.ok, notified });
    }
    return results;
  };
}

/** When the quarter's first export file arrived: recorded by the first event that sees it. */
async function firstUploadTime(store: ExportStore, quarter: string, now: Date): Promise<Date> {
  const key = reportKeys.firstUpload(quarter);
  const recorded = await store.readText(key);
  if (recorded === undefined) {
    await store.createIfAbsent(
      key,
      `${JSON.stringify({ quarter, at: now.toISOString() })}\n`,
      'application/json',
    );
  }
  const { at } = JSON.parse((await store.readText(key)) ?? '{}') as { at?: string };
  return at === undefined ? now : new Date(at);
}

/** The findings operations were last told about, so a repeat event does not tell them again. */
function noticeKey(quarter: string): string {
  return `${reportKeys.folder(quarter)}upload-notice.json`;
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
    logger: new Logger(),
    now: () => new Date(),
  });
}

let cold: ((event: S3Event) => Promise<unknown>) | undefined;
export const handler = (event: S3Event): Promise<unknown> => {
  cold ??= fromEnvironment();
  return cold(event);
};
