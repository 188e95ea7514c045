/**
 * Everything kpi-report needs in AWS, as one reusable construct composed of small ones: the
 * data root (`DataRoot`, a bucket of its own or yours), the topics (`NotificationTopics`),
 * the SES sender (`ReportSender`), the run function, upload validation
 * (`UploadValidation`), the distributed mode (`DistributedReads`), the SES events recorder
 * (`DeliveryEventsRecorder`), the schedules (`ReportSchedules`), the IAM-authorised REST
 * API (`ReportsApi`), a dead-letter queue and the alarms (`ReportAlarms`). Names that must
 * be unique in an account (alarms, log groups, the API, the metrics' service) derive from
 * the construct's path, so several instances fit in one stack and one account.
 */
import { Annotations, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_REPORT_DUE_DAYS, DEFAULT_WAIT_FOR_EXPORTS_DAYS } from '../src/use-cases/report-deadlines';
import { REPORT_SETTINGS_KEY } from '../src/wiring/report-settings-key';
import { DataRoot } from './data-root';
import { DeliveryEventsRecorder } from './delivery-events';
import {
  checkWholeDays,
  defaultScheduleExpression,
  deployedConfiguration,
  type KpiReportConfiguration,
  normalisePrefix,
  type ReportRecipient,
  resolveSender,
  SettingsProblems,
} from './deployed-configuration';
import { DistributedReads } from './distributed-reads';
import { NotificationTopics } from './notification-topics';
import { ReportAlarms } from './report-alarms';
import { FUNCTION_DEFAULTS_CONTEXT, type FunctionDefaults, ReportFunction } from './report-function';
import { ReportSchedules } from './report-schedules';
import { ReportSender } from './report-sender';
import { type ApiThrottling, ReportsApi } from './reports-api';
import { UploadValidation } from './upload-validation';

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
   * Distributed mode: how many interactions parts the Step Functions Distributed Map reads at
   * once (each is one 2 GB map-part invocation, taken from the account's Lambda concurrency).
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
  /** The distributed mode's map step, one interactions part per call. @default - 3,538 MB, 15 minutes */
  readonly mapPart?: FunctionSize;
  /** The distributed mode's reduce step. @default - 3,538 MB, 10 minutes */
  readonly reduce?: FunctionSize;
  /** The distributed mode's plan and per-hash-range repeat check. @default - 3,538 MB, 15 minutes */
  readonly resolveRepeats?: FunctionSize;
  /** The SES events recorder. @default - 512 MB, 30 seconds */
  readonly deliveryEvents?: FunctionSize;
}

/** How long run leftovers and dry runs are kept unless `runLeftoverDays` says otherwise. */
export const DEFAULT_RUN_LEFTOVER_DAYS = 7;

/** How often the upload sweep runs unless `uploadSweepExpression` says otherwise. */
export const DEFAULT_UPLOAD_SWEEP_EXPRESSION = 'rate(1 hour)';

/** The From header used to check the configuration when the sender itself is refused. */
const PLACEHOLDER_FROM = 'KPI report <kpi-report@example.com>';

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

/**
 * kpi-report in AWS. Exports land in `<prefix>exports/<quarter>/`; each upload is validated
 * at once (ops are told when a set needs fixing), and an hourly sweep reports a set still
 * missing a dataset an hour after its first upload; the schedule runs the last completed
 * quarter on the 5th day after it ends, and the API runs any quarter on demand. Recipients,
 * targets and bands may be changed without a deploy in `<prefix>config/kpi-report.json`.
 * Failed runs end in the dead-letter queue, and every failure path has an alarm.
 */
export class QuarterlyKpiReports extends Construct {
  readonly dataRoot: DataRoot;
  /** The data root's bucket, created or yours. */
  readonly dataBucket: s3.IBucket;
  /** The data root's key prefix without slashes ('' for the bucket root). */
  readonly dataPrefix: string;
  /** Runs a quarter: KPIs, then the email. */
  readonly runFunction: ReportFunction;
  /** Behind the REST API: starts runs and answers their status. */
  readonly apiFunction: ReportFunction;
  /** Validates an export set on every upload, and hourly sweeps for stalled uploads. */
  readonly validateFunction: ReportFunction;
  /**
   * The distributed mode: the state machine that fans a quarter's interactions parts out to
   * map-part functions, then reduces and reports. The run function may start it.
   */
  readonly distributedReads: DistributedReads;
  /** Runs that never completed: undeliverable schedule events and failed async invocations. */
  readonly deadLetterQueue: sqs.Queue;
  /** S3's notifications of uploads under `exports/`, on their way to the validate function. */
  readonly uploadQueue: sqs.Queue;
  /** Writes SES's send and delivery events of the reports beside the delivery ledger. */
  readonly deliveryEventsFunction: ReportFunction;
  /**
   * The functions' Powertools service name, unique to this construct: the `service`
   * dimension of the custom metrics (`MessagesFailed`, `ReportOverdue`) the alarms watch, so
   * that two deployments in one account never alarm on each other's runs.
   */
  readonly serviceName: string;
  readonly schedules: ReportSchedules;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedule: scheduler.Schedule;
  /** Invokes the validate function with `{ "source": "sweep" }`. */
  readonly uploadSweep: scheduler.Schedule;
  /** The schedule expression in use, read in `timeZone`. */
  readonly scheduleExpression: string;
  readonly timeZone: string;
  readonly reportsApi: ReportsApi;
  readonly api: apigateway.RestApi;
  readonly sender: ReportSender;
  readonly emailIdentity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  /** The From address of the reports. */
  readonly senderAddress: string;
  /** Set when the sender is a domain: the CNAME records that verify it. */
  readonly dkimRecords: ses.DkimRecord[];
  readonly topics: NotificationTopics;
  readonly alarmTopic: sns.ITopic;
  /** Upload problems, bounces and complaints. */
  readonly opsTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: QuarterlyKpiReportsProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.node.setContext(FUNCTION_DEFAULTS_CONTEXT, functionDefaults(logRetention, props.functionSizing));

    // Every setting is checked before anything is built, and every problem named at once.
    const problems = new SettingsProblems();
    const sender = problems.collect(() => resolveSender(props));
    const dataPrefix = problems.collect(() => normalisePrefix(props.dataPrefix ?? '')) ?? '';
    const waitForExportsDays = props.waitForExportsDays ?? DEFAULT_WAIT_FOR_EXPORTS_DAYS;
    const reportDueDays = props.reportDueDays ?? DEFAULT_REPORT_DUE_DAYS;
    const runLeftoverDays = props.runLeftoverDays ?? DEFAULT_RUN_LEFTOVER_DAYS;
    checkWholeDays('waitForExportsDays', waitForExportsDays, problems);
    checkWholeDays('reportDueDays', reportDueDays, problems);
    checkWholeDays('runLeftoverDays', runLeftoverDays, problems);
    const deployed = deployedConfiguration(props, sender?.from ?? PLACEHOLDER_FROM, problems);
    const scheduleExpression =
      props.scheduleExpression ?? defaultScheduleExpression(deployed?.fiscalYearStartMonth);
    if (!/^(cron|rate|at)\(.+\)$/.test(scheduleExpression)) {
      problems.add(
        `scheduleExpression "${scheduleExpression}" is not an EventBridge Scheduler expression; write cron(…), rate(…) or at(…)`,
      );
    }
    const uploadSweepExpression = props.uploadSweepExpression ?? DEFAULT_UPLOAD_SWEEP_EXPRESSION;
    if (!/^(cron|rate)\(.+\)$/.test(uploadSweepExpression)) {
      problems.add(
        `uploadSweepExpression "${uploadSweepExpression}" is not a recurring EventBridge Scheduler expression; write rate(…) or cron(…)`,
      );
    }
    if (props.dataBucket !== undefined && props.existingBucketName !== undefined) {
      problems.add('give dataBucket or existingBucketName, not both');
    }
    const maxConcurrency = props.distributedMaxConcurrency;
    if (
      maxConcurrency !== undefined &&
      (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 10_000)
    ) {
      problems.add(
        `distributedMaxConcurrency (the Distributed Map's maxConcurrency) is ${maxConcurrency}; give a whole number from 1 to 10000`,
      );
    }
    problems.throwIfAny();
    if (sender === undefined || deployed === undefined) throw new Error('unreachable: problems were thrown');
    if (deployed.recipients === 0) {
      Annotations.of(this).addWarningV2(
        'kpi-report:noRecipients',
        `No recipients at deploy time: runs compute and save the report but mail nobody until ${REPORT_SETTINGS_KEY} in the data root lists some (or set recipients).`,
      );
    }
    this.timeZone = deployed.timeZone;
    this.scheduleExpression = scheduleExpression;
    this.senderAddress = sender.address;

    this.dataRoot = new DataRoot(this, 'DataRoot', {
      bucket: props.dataBucket,
      bucketName: props.existingBucketName,
      prefix: dataPrefix,
      runLeftoverDays,
    });
    this.dataBucket = this.dataRoot.bucket;
    this.dataPrefix = this.dataRoot.prefix;

    this.topics = new NotificationTopics(this, 'Topics', props);
    this.alarmTopic = this.topics.alarmTopic;
    this.opsTopic = this.topics.opsTopic;
    this.sender = new ReportSender(this, 'Sender', { sender, opsTopic: this.opsTopic });
    this.configurationSet = this.sender.configurationSet;
    this.emailIdentity = this.sender.emailIdentity;
    this.dkimRecords = this.sender.dkimRecords;
    const configJson = Stack.of(this).toJsonString({
      ...deployed.input,
      email: {
        ...deployed.input.email,
        ses: { configurationSetName: this.configurationSet.configurationSetName },
      },
    } satisfies KpiReportConfiguration);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue (of the schedule target and of the functions' asynchronous invocations); a DLQ of a DLQ would only move the problem. Its alarm fires on the first message.",
    });
    const failedRuns = new destinations.SqsDestination(this.deadLetterQueue);

    this.runFunction = this.#createRunFunction(configJson, failedRuns, waitForExportsDays);

    // Quarters too big for one function: a Distributed Map over the interactions parts.
    this.distributedReads = new DistributedReads(this, 'DistributedReads', {
      dataBucket: this.dataBucket,
      dataPrefix: this.dataPrefix,
      configurationJson: configJson,
      grantSendReport: (fn) => this.sender.grantSendReport(fn),
      alarmAction: new cloudwatchActions.SnsAction(this.alarmTopic),
      maxConcurrency: props.distributedMaxConcurrency,
    });
    // Its log group is made there; its retention follows this construct's.
    (this.distributedReads.logGroup.node.defaultChild as logs.CfnLogGroup).retentionInDays = logRetention;
    // The reduce step reads the report settings too (its data-root grants are made there).
    this.distributedReads.reduceFunction.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.dataBucket.arnForObjects(`${this.dataRoot.root}${REPORT_SETTINGS_KEY}`)],
      }),
    );
    const { stateMachine } = this.distributedReads;
    this.runFunction.addEnvironmentWithAccess('STATE_MACHINE_ARN', stateMachine.stateMachineArn, () =>
      // StartExecution on this state machine only (grantStartExecution would be the same
      // action; spelt out to match the other grants).
      this.runFunction.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['states:StartExecution'],
          resources: [stateMachine.stateMachineArn],
        }),
      ),
    );

    const uploads = new UploadValidation(this, 'UploadValidation', {
      dataRoot: this.dataRoot,
      configurationJson: configJson,
      reportDueDays,
      runFunction: this.runFunction,
      deadLetterQueue: this.deadLetterQueue,
      onFailure: failedRuns,
    });
    this.validateFunction = uploads.validateFunction;
    this.uploadQueue = uploads.uploadQueue;
    this.topics.grantOpsNotices(this.validateFunction);

    this.deliveryEventsFunction = new DeliveryEventsRecorder(this, 'DeliveryEvents', {
      dataRoot: this.dataRoot,
      configurationSetName: this.configurationSet.configurationSetName,
      deadLetterQueue: this.deadLetterQueue,
      onFailure: failedRuns,
    }).function;

    this.apiFunction = this.#createApiFunction(configJson);
    this.reportsApi = new ReportsApi(this, 'ReportsApi', {
      handler: this.apiFunction,
      throttling: props.apiThrottling,
      logRetention,
    });
    this.api = this.reportsApi.restApi;

    this.schedules = new ReportSchedules(this, 'Schedules', {
      scheduleExpression,
      uploadSweepExpression,
      timeZone: this.timeZone,
      runFunction: this.runFunction,
      validateFunction: this.validateFunction,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.scheduleGroup = this.schedules.scheduleGroup;
    this.schedule = this.schedules.schedule;
    this.uploadSweep = this.schedules.uploadSweep;

    this.serviceName = Names.uniqueResourceName(this, { separator: '-', maxLength: 80 });
    for (const fn of [
      this.runFunction,
      this.validateFunction,
      this.apiFunction,
      this.deliveryEventsFunction,
      this.distributedReads.mapPartFunction,
      this.distributedReads.resolveRepeatsFunction,
      this.distributedReads.reduceFunction,
    ]) {
      fn.addEnvironment('POWERTOOLS_SERVICE_NAME', this.serviceName);
    }
    const alarms = new ReportAlarms(this, 'Alarms', {
      action: new cloudwatchActions.SnsAction(this.alarmTopic),
      serviceName: this.serviceName,
      runFunction: this.runFunction,
      validateFunction: this.validateFunction,
      apiFunction: this.apiFunction,
      deliveryEventsFunction: this.deliveryEventsFunction,
      api: this.api,
      deadLetterQueue: this.deadLetterQueue,
      configurationSetName: this.configurationSet.configurationSetName,
      scheduleGroup: this.scheduleGroup,
      reportDueDays,
    });
    this.alarms = [...this.distributedReads.alarms, ...alarms.alarms];
  }

  /**
   * The run function. Benchmark: 7.0 M rows (347 MiB) in 24 s with 332 MiB RSS on 2 cores,
   * one thread; see `FUNCTION_SIZING`. No reserved concurrency: a repeated or concurrent run
   * is safe (the delivery ledger's conditional claims send each recipient once), and
   * reserving capacity would take it from the account's pool and throttle an API run of
   * another quarter.
   */
  #createRunFunction(
    configJson: string,
    failedRuns: destinations.SqsDestination,
    waitForExportsDays: number,
  ): ReportFunction {
    const fn = new ReportFunction(this, 'RunFunction', {
      entry: 'functions/run-report/index.ts',
      description: "kpi-report: computes a quarter's KPIs and emails the report",
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: failedRuns,
    });
    fn.useDataRoot(this.dataBucket, this.dataPrefix, {
      read: ['exports/*', 'reports/*', REPORT_SETTINGS_KEY],
      write: ['reports/*'],
    });
    fn.addEnvironmentWithAccess('KPI_REPORT_CONFIG', configJson, () => this.sender.grantSendReport(fn));
    // A scheduled run whose exports are not ready waits for them, and tells ops once.
    fn.addEnvironment('WAIT_FOR_EXPORTS_DAYS', String(waitForExportsDays));
    this.topics.grantOpsNotices(fn);
    return fn;
  }

  #createApiFunction(configJson: string): ReportFunction {
    const fn = new ReportFunction(this, 'ApiFunction', {
      entry: 'functions/reports-api/index.ts',
      description: 'kpi-report: the reports API (start a run, read its status and report link)',
    });
    fn.useDataRoot(this.dataBucket, this.dataPrefix, {
      read: ['reports/*'],
      write: ['reports/*/status.json'],
    });
    fn.addEnvironment('KPI_REPORT_CONFIG', configJson);
    fn.addEnvironmentWithAccess('RUN_FUNCTION_NAME', this.runFunction.functionName, () =>
      // The unqualified function only (grantInvoke would add every version and alias).
      fn.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.runFunction.functionArn],
        }),
      ),
    );
    return fn;
  }

  /** Lets `grantee` call the reports API (`execute-api:Invoke` on every method). */
  grantApiInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.reportsApi.grantInvoke(grantee);
  }
}

/** The functions' defaults as context: plain JSON, keyed by handler entry. */
function functionDefaults(
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
