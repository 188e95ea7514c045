/**
 * The props of `QuarterlyKpiReports`, each `readonly` with its `@default`, and what they
 * default to: the run leftovers' lifetime, the upload sweep's rate, and each function's
 * memory and timeout over `FUNCTION_SIZING` (handed down as context to every function the
 * construct's parts make).
 */
import type { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { KpiReportConfiguration, ReportRecipient } from './deployed-configuration';
import type { FunctionDefaults } from './report-function';
import type { ApiThrottling } from './reports-api';

export interface QuarterlyKpiReportsProps {
  /**
   * The address the reports come from. Without `senderDomain`, SES verifies this address as
   * the identity (it mails a confirmation link). With `senderDomain`, it must be an address
   * in that domain.
   * @default - `kpi-report@<senderDomain>`; one of `senderEmail` and `senderDomain` is required
   */
  readonly senderEmail?: string;
  /**
   * A domain to verify in SES with Easy DKIM and send from: publish the three CNAME records
   * the stack outputs, and SES verifies the domain.
   * @default - no domain identity: `senderEmail` is verified as an address
   */
  readonly senderDomain?: string;
  /**
   * The display name in the From header.
   * @default 'KPI report'
   */
  readonly senderName?: string;
  /**
   * Who gets the report, each `{ address, name?, segments? }`. Give either this or
   * `configuration.email.recipients`, not both.
   * @default - `configuration.email.recipients`, else nobody (a warning says so)
   */
  readonly recipients?: readonly ReportRecipient[];
  /**
   * The kpi-report configuration (the contents of `kpi-report.json`), validated at synth
   * time. The construct sets `email.from` (from the sender props), `email.ses.configurationSetName`
   * (the configuration set it creates), `timeZone` and, unless given, `email.send: true`;
   * `email.ses` and `email.templateDir` must be left out (templates are bundled from
   * `templates/`).
   * @default - the built-in defaults
   */
  readonly configuration?: KpiReportConfiguration;
  /**
   * The IANA time zone of the reporting (which quarter a date-time falls in) and of the
   * schedule.
   * @default - `configuration.timeZone`, else 'UTC'
   */
  readonly timeZone?: string;
  /**
   * When the quarterly run starts: an EventBridge Scheduler expression (`cron(…)`,
   * `rate(…)` or `at(…)`), read in `timeZone`.
   * @default - 06:00 on the 5th day of the month after each quarter ends, i.e.
   * `cron(0 6 5 1,4,7,10 ? *)` for calendar quarters (months follow `fiscalYearStartMonth`)
   */
  readonly scheduleExpression?: string;
  /**
   * How often the upload sweep looks for export sets still missing a required dataset an
   * hour after their first upload (when no later upload came to report it): an EventBridge
   * Scheduler `rate(…)` or `cron(…)` expression, read in `timeZone`.
   * @default 'rate(1 hour)'
   */
  readonly uploadSweepExpression?: string;
  /**
   * A bucket of yours to use as the data root instead of creating one (`Bucket.fromBucketAttributes`
   * with its `encryptionKey` for an SSE-KMS bucket: the functions then get the key's
   * `kms:Decrypt`, and `kms:GenerateDataKey` where they write). Its security settings are
   * yours to keep; the stack only adds the upload notification. Give this or
   * `existingBucketName`, not both.
   * @default - a new versioned, encrypted, TLS-only bucket with access logging
   */
  readonly dataBucket?: s3.IBucket;
  /**
   * An existing bucket to use as the data root, by name (an SSE-S3 bucket: for SSE-KMS give
   * `dataBucket` with its key).
   * @default - see `dataBucket`
   */
  readonly existingBucketName?: string;
  /**
   * The data root's key prefix in the bucket (`exports/` and `reports/` live under it).
   * @default '' (the bucket root)
   */
  readonly dataPrefix?: string;
  /**
   * An existing SNS topic for the alarms (a team's shared alarm topic). If it is encrypted,
   * its key policy must let `cloudwatch.amazonaws.com` use `kms:Decrypt` and
   * `kms:GenerateDataKey*`.
   * @default - a topic of its own, encrypted with a customer-managed key
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Where alarms are emailed (an SNS email subscription on the alarm topic, confirmed by a link).
   * @default - no subscriber (a warning says so, unless `alarmTopic` is given)
   */
  readonly alarmEmail?: string;
  /**
   * Where operations notices are emailed: exports that need fixing, bounces and complaints.
   * @default - the operations topic has no subscriber
   */
  readonly opsEmail?: string;
  /**
   * Distributed run: how many interactions parts the Step Functions Distributed Map reads at
   * once (each is one map-part invocation, 3,538 MB by `FUNCTION_SIZING`, taken from the account's
   * Lambda concurrency).
   * @default 40
   */
  readonly distributedMaxConcurrency?: number;
  /**
   * How long a scheduled run whose export set is incomplete or invalid waits for a valid
   * one: the first upload that completes a valid set starts it. After that it gives up
   * (ops are told) and the heartbeat alarm fires.
   * @default 30 (days, counted from the scheduled time)
   */
  readonly waitForExportsDays?: number;
  /**
   * Days after a quarter ends by which its report must have gone out (`kpis.json`, and a
   * delivery record for every recipient); past that, the heartbeat alarm fires (unless the
   * run still waits for its exports). The default schedule runs on day 5: with another
   * `scheduleExpression`, set this to the schedule's day plus a margin.
   * @default 8
   */
  readonly reportDueDays?: number;
  /**
   * How many days what a run leaves behind is kept: its record, partial aggregates and Map
   * Run results (`reports/runs/`), and dry runs (`reports/dry-runs/`). An S3 lifecycle rule
   * expires them on the bucket the stack creates (an imported bucket is left as it is).
   * The record is what makes a repeated run request return the first one's result, so keep
   * it longer than a request can be repeated (events are retried for at most an hour).
   * @default 7
   */
  readonly runLeftoverDays?: number;
  /**
   * How long the functions' logs, the API's access logs and the state machine's logs are
   * kept. A quarterly job's logs should outlive the next quarter, to compare runs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Memory and timeout per function, over the measured defaults (`FUNCTION_SIZING`).
   * @default - `FUNCTION_SIZING`: 3,538 MB for the functions that read exports, 1,024 MB / 15 s for the API
   */
  readonly functionSizing?: ReportFunctionSizing;
  /**
   * The reports API's throttling (requests per second, steady and burst).
   * @default - 5 requests/s, bursts of 10
   */
  readonly apiThrottling?: ApiThrottling;
}

/** Memory and timeout of one function. */
export interface FunctionSize {
  /**
   * Memory in MB (128 to 10,240); Lambda allots CPU in proportion (one vCPU at 1,769 MB).
   * @default - the function's `FUNCTION_SIZING` entry
   */
  readonly memorySize?: number;
  /**
   * At most 15 minutes (15 seconds for the API function: API Gateway waits 29 s).
   * @default - the function's `FUNCTION_SIZING` entry
   */
  readonly timeout?: Duration;
}

/** Memory and timeout per function of a `QuarterlyKpiReports`. */
export interface ReportFunctionSizing {
  /** The run function. @default - 3,538 MB, 10 minutes */
  readonly run?: FunctionSize;
  /** The validate function. @default - 3,538 MB, 5 minutes */
  readonly validate?: FunctionSize;
  /** The reports API function. @default - 1,024 MB, 15 seconds */
  readonly api?: FunctionSize;
  /** The distributed run's map step, one interactions part per call. @default - 3,538 MB, 15 minutes */
  readonly mapPart?: FunctionSize;
  /** The distributed run's reduce step. @default - 3,538 MB, 10 minutes */
  readonly reduce?: FunctionSize;
  /** The distributed run's plan and per-hash-range repeat check. @default - 3,538 MB, 15 minutes */
  readonly resolveRepeats?: FunctionSize;
  /** The SES events recorder. @default - 512 MB, 30 seconds */
  readonly deliveryEvents?: FunctionSize;
}

/** How long run leftovers and dry runs are kept unless `runLeftoverDays` says otherwise. */
export const DEFAULT_RUN_LEFTOVER_DAYS = 7;

/** How often the upload sweep runs unless `uploadSweepExpression` says otherwise. */
export const DEFAULT_UPLOAD_SWEEP_EXPRESSION = 'rate(1 hour)';

/** The handler entry of each function, by the name its sizing is given under. */
export const REPORT_FUNCTION_ENTRIES: Readonly<Record<keyof ReportFunctionSizing, string>> = {
  run: 'functions/run-report/index.ts',
  validate: 'functions/validate-upload/index.ts',
  api: 'functions/reports-api/index.ts',
  mapPart: 'functions/map-part/index.ts',
  reduce: 'functions/reduce-parts/index.ts',
  resolveRepeats: 'functions/resolve-repeats/index.ts',
  deliveryEvents: 'functions/record-delivery-event/index.ts',
};

/** The functions' defaults as context: plain JSON, keyed by handler entry. */
export function functionDefaults(
  logRetention: logs.RetentionDays,
  sizing: ReportFunctionSizing = {},
): FunctionDefaults {
  const sized: Record<string, { memorySize?: number; timeoutSeconds?: number }> = {};
  for (const [name, size] of Object.entries(sizing) as [
    keyof ReportFunctionSizing,
    FunctionSize | undefined,
  ][]) {
    if (size === undefined) continue;
    sized[REPORT_FUNCTION_ENTRIES[name]] = {
      memorySize: size.memorySize,
      timeoutSeconds: size.timeout?.toSeconds(),
    };
  }
  return { logRetentionDays: logRetention, sizing: sized };
}
