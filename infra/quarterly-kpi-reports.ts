/**
 * Everything kpi-report needs in AWS, as one reusable construct: the data bucket (or an
 * existing one), the run, validate and API functions, the distributed mode (a Step Functions
 * Distributed Map with its map and reduce functions, `DistributedReads`), the quarterly
 * EventBridge Scheduler schedule and the hourly upload sweep, the IAM-authorised REST API, the SES sender identity and
 * configuration set, the operations and alarm topics, a dead-letter queue and the alarms.
 */
import { Annotations, Duration, Names, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { type configSchema, parseConfig } from '../src/core/config';
import { DEFAULT_REPORT_DUE_DAYS, DEFAULT_WAIT_FOR_EXPORTS_DAYS } from '../src/use-cases/report-deadlines';
import { RUN_LEFTOVER_PREFIXES } from '../src/use-cases/report-keys';
import { UPLOAD_QUIET_MINUTES } from '../src/use-cases/upload-debounce';
import { raiseAlarm } from './alarm';
import { DistributedReads } from './distributed-reads';
import { wildcardResourceFinding } from './nag-findings';
import { FUNCTION_SIZING, METRICS_NAMESPACE, ReportFunction } from './report-function';

/** The kpi-report configuration as written in `kpi-report.json` (every field optional). */
export type KpiReportConfiguration = z.input<typeof configSchema>;
/** One report recipient: `{ address, name?, segments? }`. */
export type ReportRecipient = NonNullable<NonNullable<KpiReportConfiguration['email']>['recipients']>[number];

/** A deployment setting that cannot work, found at synth time. */
export class DeploymentSettingsError extends Error {
  override readonly name = 'DeploymentSettingsError';
}

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
   * An existing bucket to use as the data root instead of creating one. Its security
   * settings are then yours to keep; the stack only adds the upload notification.
   * @default - a new versioned, encrypted, TLS-only bucket with access logging
   */
  readonly existingBucketName?: string;
  /**
   * The data root's key prefix in the bucket (`exports/` and `reports/` live under it).
   * @default '' (the bucket root)
   */
  readonly dataPrefix?: string;
  /**
   * Where alarms are emailed (an SNS email subscription, confirmed by a link).
   * @default - the alarm topic has no subscriber (a warning says so)
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
}

/** How long run leftovers and dry runs are kept unless `runLeftoverDays` says otherwise. */
export const DEFAULT_RUN_LEFTOVER_DAYS = 7;

/** How often the upload sweep runs unless `uploadSweepExpression` says otherwise. */
export const DEFAULT_UPLOAD_SWEEP_EXPRESSION = 'rate(1 hour)';

/** The default schedule's time of day and day of month, in the reporting time zone. */
const RUN_HOUR = 6;
const RUN_DAY_OF_MONTH = 5;

/**
 * kpi-report in AWS. Exports land in `<prefix>exports/<quarter>/`; each upload is validated
 * at once (ops are told when a set needs fixing), and an hourly sweep reports a set still
 * missing a dataset an hour after its first upload; the schedule runs the last completed
 * quarter on the 5th day after it ends, and the API runs any quarter on demand. Failed
 * runs end in the dead-letter queue, and every failure path has an alarm.
 */
export class QuarterlyKpiReports extends Construct {
  /** The data root's bucket, created or imported. */
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
  /**
   * S3's notifications of uploads under `exports/`, on their way to the validate function in
   * batches (one validation per burst of uploads; see `upload-debounce.ts`).
   */
  readonly uploadQueue: sqs.Queue;
  /** Writes SES's send and delivery events of the reports beside the delivery ledger. */
  readonly deliveryEventsFunction: ReportFunction;
  /**
   * The functions' Powertools service name, unique to this construct: the `service`
   * dimension of the custom metrics (`MessagesFailed`, `ReportOverdue`) the alarms watch, so
   * that two deployments in one account never alarm on each other's runs.
   */
  readonly serviceName: string;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedule: scheduler.Schedule;
  /**
   * Invokes the validate function with `{ "source": "sweep" }`, so that an export set still
   * missing a required dataset after the grace period is reported even if no later upload
   * arrives.
   */
  readonly uploadSweep: scheduler.Schedule;
  /** The schedule expression in use, read in `timeZone`. */
  readonly scheduleExpression: string;
  readonly timeZone: string;
  readonly api: apigateway.RestApi;
  readonly emailIdentity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  /** The From address of the reports. */
  readonly senderAddress: string;
  /** Set when the sender is a domain: the CNAME records that verify it. */
  readonly dkimRecords: ses.DkimRecord[];
  readonly alarmTopic: sns.Topic;
  /** Upload problems, bounces and complaints. */
  readonly opsTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly #reportDueDays: number;

  constructor(scope: Construct, id: string, props: QuarterlyKpiReportsProps) {
    super(scope, id);
    // Server access logs are granted by bucket policy, whatever the app's feature flags:
    // the ACL alternative cannot work on a bucket that enforces bucket-owner object ownership.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const stack = Stack.of(this);
    const sender = resolveSender(props);
    this.senderAddress = sender.address;
    this.dataPrefix = normalisePrefix(props.dataPrefix ?? '');
    const root = this.dataPrefix === '' ? '' : `${this.dataPrefix}/`;

    // Encrypted topics: CloudWatch and SES publish to them, which the AWS-managed SNS key
    // does not allow, hence a customer-managed key with those two services in its policy.
    const topicKey = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the kpi-report alarm and operations topics',
      enableKeyRotation: true,
    });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'kpi-report alarms',
      masterKey: topicKey,
      enforceSSL: true,
    });
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: 'kpi-report operations',
      masterKey: topicKey,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    } else {
      Annotations.of(this).addWarningV2(
        'kpi-report:noAlarmEmail',
        'No alarmEmail: alarms go to an SNS topic nobody is subscribed to. Set alarmEmail (-c alarmEmail=…).',
      );
    }
    if (props.opsEmail !== undefined) {
      this.opsTopic.addSubscription(new subscriptions.EmailSubscription(props.opsEmail));
    }

    // SES: the sender identity, with a configuration set whose bounces and complaints reach ops.
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      // The reports carry business figures: deliver only over TLS.
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(this.opsTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    // Every event of the reports, to the default event bus: recorded beside the ledger.
    this.configurationSet.addEventDestination('DeliveryEvents', {
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: [
        ses.EmailSendingEvent.SEND,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.DELIVERY_DELAY,
      ],
    });
    this.emailIdentity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity:
        sender.domain === undefined ? ses.Identity.email(sender.address) : ses.Identity.domain(sender.domain),
      configurationSet: this.configurationSet,
    });
    this.dkimRecords = sender.domain === undefined ? [] : this.emailIdentity.dkimRecords;
    const configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });

    const deployed = deployedConfiguration(props, sender, this.configurationSet.configurationSetName);
    const waitForExportsDays = props.waitForExportsDays ?? DEFAULT_WAIT_FOR_EXPORTS_DAYS;
    const reportDueDays = props.reportDueDays ?? DEFAULT_REPORT_DUE_DAYS;
    this.#reportDueDays = reportDueDays;
    for (const [name, days] of [
      ['waitForExportsDays', waitForExportsDays],
      ['reportDueDays', reportDueDays],
    ] as const) {
      if (!Number.isInteger(days) || days < 1) {
        throw new DeploymentSettingsError(`${name} is ${days}; give a whole number of days, at least 1`);
      }
    }
    this.timeZone = deployed.timeZone;
    this.scheduleExpression =
      props.scheduleExpression ?? defaultScheduleExpression(deployed.fiscalYearStartMonth);
    if (!/^(cron|rate|at)\(.+\)$/.test(this.scheduleExpression)) {
      throw new DeploymentSettingsError(
        `scheduleExpression "${this.scheduleExpression}" is not an EventBridge Scheduler expression; write cron(…), rate(…) or at(…)`,
      );
    }
    const uploadSweepExpression = props.uploadSweepExpression ?? DEFAULT_UPLOAD_SWEEP_EXPRESSION;
    if (!/^(cron|rate)\(.+\)$/.test(uploadSweepExpression)) {
      throw new DeploymentSettingsError(
        `uploadSweepExpression "${uploadSweepExpression}" is not a recurring EventBridge Scheduler expression; write rate(…) or cron(…)`,
      );
    }
    if (deployed.recipients === 0) {
      Annotations.of(this).addWarningV2(
        'kpi-report:noRecipients',
        'No recipients: runs compute and save the report but mail nobody. Set recipients (or configuration.email.recipients).',
      );
    }
    const configJson = stack.toJsonString(deployed.input);

    const runLeftoverDays = props.runLeftoverDays ?? DEFAULT_RUN_LEFTOVER_DAYS;
    if (!Number.isInteger(runLeftoverDays) || runLeftoverDays < 1) {
      throw new DeploymentSettingsError(
        `runLeftoverDays must be a whole number of days, at least 1, not ${runLeftoverDays}`,
      );
    }
    this.dataBucket =
      props.existingBucketName === undefined
        ? this.#createDataBucket(root, runLeftoverDays)
        : this.#importDataBucket(props.existingBucketName, root);

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

    // Benchmark: 7.0 M rows (347 MiB) in 24 s with 332 MiB RSS on 2 cores, one thread. 2,048 MB
    // gives about 1.2 vCPU and 6x the memory; 15 minutes is Lambda's maximum, over 20x that.
    // No reserved concurrency: a repeated or concurrent run is safe (the delivery ledger's
    // conditional claims send each recipient once), and reserving capacity would take it
    // from the account's pool and throttle an API run of another quarter.
    this.runFunction = new ReportFunction(this, 'RunFunction', {
      entry: 'functions/run-report/index.ts',
      description: "kpi-report: computes a quarter's KPIs and emails the report",
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: failedRuns,
    });
    this.runFunction.useDataRoot(this.dataBucket, this.dataPrefix, {
      read: ['exports/*', 'reports/*'],
      write: ['reports/*'],
    });
    // Sending the report (SendRawEmail, the only send the code makes): SES checks the role
    // against the sender's identity and also against every recipient that is itself a
    // verified identity of the account, as every recipient is in the sandbox. So: any
    // identity of the account, as long as the From address is the sender's; and the
    // configuration set.
    const fromAddress = addressOf(sender.from);
    const accountIdentities = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
    const grantSendReport = (fn: ReportFunction) => {
      fn.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendRawEmail'],
          resources: [accountIdentities, configurationSetArn],
          conditions: { StringEquals: { 'ses:FromAddress': fromAddress } },
        }),
      );
      Validations.of(fn.executionRole).acknowledge({
        id: wildcardResourceFinding(this, accountIdentities),
        reason: `SES authorises a send against each recipient that is a verified identity of the account too (every recipient, in the SES sandbox), and recipients are configuration, not resources; the statement allows SendRawEmail only with ses:FromAddress ${fromAddress}.`,
      });
    };
    this.runFunction.addEnvironmentWithAccess('KPI_REPORT_CONFIG', configJson, () =>
      grantSendReport(this.runFunction),
    );
    // A scheduled run whose exports are not ready waits for them, and tells ops once.
    this.runFunction.addEnvironment('WAIT_FOR_EXPORTS_DAYS', String(waitForExportsDays));
    const grantOpsNotices = (fn: ReportFunction) =>
      fn.addEnvironmentWithAccess('OPS_TOPIC_ARN', this.opsTopic.topicArn, () => {
        // sns:Publish plus the two key actions an encrypted topic needs, without the
        // kms:GenerateDataKey* wildcard that grantPublish adds.
        fn.executionRole.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.opsTopic.topicArn] }),
        );
        fn.executionRole.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: [topicKey.keyArn],
          }),
        );
      });
    grantOpsNotices(this.runFunction);

    // Quarters too big for one function: a Distributed Map over the interactions parts. The
    // run function gets the state machine to start (the handler's switch is wired separately).
    this.distributedReads = new DistributedReads(this, 'DistributedReads', {
      dataBucket: this.dataBucket,
      dataPrefix: this.dataPrefix,
      configurationJson: configJson,
      grantSendReport,
      alarmAction: new cloudwatchActions.SnsAction(this.alarmTopic),
      maxConcurrency: props.distributedMaxConcurrency,
    });
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

    // Validation streams the whole export set, like a run, so it gets the same CPU share.
    this.validateFunction = new ReportFunction(this, 'ValidateFunction', {
      entry: 'functions/validate-upload/index.ts',
      description: 'kpi-report: validates an export set when a file is uploaded',
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: failedRuns,
    });
    this.validateFunction.useDataRoot(this.dataBucket, this.dataPrefix, {
      read: ['exports/*', 'reports/*'],
      write: [
        'reports/*/validation.json',
        'reports/*/first-upload.json',
        // The findings ops were last told about, so they are told once.
        'reports/*/upload-notice.json',
        // The latest upload time, for one validation per burst.
        'reports/*/upload-activity.json',
        // A valid set starts the scheduled run that waits for it; the sweep ends a wait past its window.
        'reports/*/export-wait.json',
        'reports/*/status.json',
      ],
    });
    this.validateFunction.addEnvironment('KPI_REPORT_CONFIG', configJson);
    this.validateFunction.addEnvironment('REPORT_DUE_DAYS', String(reportDueDays));
    grantOpsNotices(this.validateFunction);
    this.validateFunction.addEnvironmentWithAccess('RUN_FUNCTION_NAME', this.runFunction.functionName, () =>
      this.validateFunction.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.runFunction.functionArn],
        }),
      ),
    );
    this.uploadQueue = this.#createUploadQueue();
    this.dataBucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.SqsDestination(this.uploadQueue),
      {
        prefix: `${root}exports/`,
      },
    );
    acknowledgeBucketNotificationsHandler(stack);

    this.deliveryEventsFunction = this.#createDeliveryEventsRecorder(failedRuns);

    this.apiFunction = new ReportFunction(this, 'ApiFunction', {
      entry: 'functions/reports-api/index.ts',
      description: 'kpi-report: the reports API (start a run, read its status and report link)',
    });
    this.apiFunction.useDataRoot(this.dataBucket, this.dataPrefix, {
      read: ['reports/*'],
      write: ['reports/*/status.json'],
    });
    this.apiFunction.addEnvironment('KPI_REPORT_CONFIG', configJson);
    this.apiFunction.addEnvironmentWithAccess('RUN_FUNCTION_NAME', this.runFunction.functionName, () =>
      // The unqualified function only (grantInvoke would add every version and alias).
      this.apiFunction.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.runFunction.functionArn],
        }),
      ),
    );

    // The quarterly schedule, in the reporting time zone.
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', {
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: invokes the kpi-report run function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': this.scheduleGroup.scheduleGroupArn },
        },
      }),
    });
    this.schedule = new scheduler.Schedule(this, 'QuarterlyRun', {
      description: 'kpi-report: runs the last completed quarter and emails the report',
      scheduleGroup: this.scheduleGroup,
      schedule: scheduler.ScheduleExpression.expression(this.scheduleExpression, TimeZone.of(this.timeZone)),
      target: new targets.LambdaInvoke(this.runFunction, {
        role: schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({
          source: 'schedule',
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
    Validations.of(schedulerRole).acknowledge({
      id: wildcardResourceFinding(this, `${this.runFunction.functionArn}:*`),
      reason:
        "The scheduler target grant (LambdaInvoke → grantInvoke) adds the function's qualified ARNs (versions, aliases); the role can still invoke only the run function.",
    });

    // The upload sweep: an export set still missing a dataset after the grace period is
    // reported even when no later upload arrives. Its own role, so that neither schedule can
    // invoke the other's function.
    const sweepRole = new iam.Role(this, 'UploadSweepSchedulerRole', {
      description: 'EventBridge Scheduler: invokes the kpi-report validate function for the upload sweep',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': this.scheduleGroup.scheduleGroupArn },
        },
      }),
    });
    this.uploadSweep = new scheduler.Schedule(this, 'UploadSweep', {
      description: 'kpi-report: reports export sets still missing a required dataset after the grace period',
      scheduleGroup: this.scheduleGroup,
      schedule: scheduler.ScheduleExpression.expression(uploadSweepExpression, TimeZone.of(this.timeZone)),
      target: new targets.LambdaInvoke(this.validateFunction, {
        role: sweepRole,
        input: scheduler.ScheduleTargetInput.fromObject({ source: 'sweep' }),
        retryAttempts: 3,
        // The next sweep supersedes an undelivered one.
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
    Validations.of(sweepRole).acknowledge({
      id: wildcardResourceFinding(this, `${this.validateFunction.functionArn}:*`),
      reason:
        "The scheduler target grant (LambdaInvoke → grantInvoke) adds the function's qualified ARNs (versions, aliases); the role can still invoke only the validate function.",
    });

    this.api = this.#createApi();
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
    this.#createAlarms();
  }

  /**
   * The upload queue and its consumer. S3 puts a notification per uploaded file; the
   * validate function takes them in batches (up to 100, gathered for up to 30 s), at most
   * two batches at once, and hands back the latest message of a burst still going, which
   * returns after the visibility timeout: longer than both the function's timeout (Lambda
   * requires it) and the quiet period after which a burst counts as finished.
   */
  #createUploadQueue(): sqs.Queue {
    const functionTimeout =
      FUNCTION_SIZING['functions/validate-upload/index.ts']?.timeout ?? Duration.minutes(5);
    const visibilityTimeout = Duration.minutes(
      Math.max(functionTimeout.toMinutes(), UPLOAD_QUIET_MINUTES) + 1,
    );
    const queue = new sqs.Queue(this, 'UploadQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod: Duration.days(4),
      // A message that keeps failing (not a deferral: those are handed back once or twice).
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    this.validateFunction.addEventSource(
      new SqsEventSource(queue, {
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(30),
        maxConcurrency: 2,
        reportBatchItemFailures: true,
      }),
    );
    return queue;
  }

  /**
   * SES's events of the reports (send, delivery, bounce…), published by the configuration
   * set to the default event bus, go to a small function that writes them beside the
   * delivery ledger; a run that takes over an uncertain claim settles it from there.
   */
  #createDeliveryEventsRecorder(failed: lambda.IDestination): ReportFunction {
    const fn = new ReportFunction(this, 'DeliveryEventsFunction', {
      entry: 'functions/record-delivery-event/index.ts',
      description:
        "kpi-report: records SES's send and delivery events of the reports beside the delivery ledger",
      retryAttempts: 2,
      onFailure: failed,
    });
    fn.useDataRoot(this.dataBucket, this.dataPrefix, { read: [], write: ['reports/*/deliveries/events/*'] });
    new events.Rule(this, 'DeliveryEventsRule', {
      description: "kpi-report: the SES events of this stack's configuration set",
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
      targets: [
        new eventTargets.LambdaFunction(fn, {
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    return fn;
  }

  /** Lets `grantee` call the reports API (`execute-api:Invoke` on every method). */
  grantApiInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.api.arnForExecuteApi()],
    });
  }

  #createDataBucket(root: string, runLeftoverDays: number): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // S3 server access logging writes only to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the data bucket; logging its own access would log into itself (or need a third bucket) for no audit gain.',
    });
    return new s3.Bucket(this, 'DataBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versions are the provenance the report cites and the undo for an overwritten export.
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        // What runs leave behind: working files, not the report. In a versioned bucket an
        // expiry only hides the object, so its hidden version goes a day later.
        ...[RUN_LEFTOVER_PREFIXES.runs, RUN_LEFTOVER_PREFIXES.dryRuns].map((prefix) => ({
          id: `expire-${prefix.replace(/^reports\/|\/$/g, '')}`,
          prefix: `${root}${prefix}`,
          expiration: Duration.days(runLeftoverDays),
          noncurrentVersionExpiration: Duration.days(1),
        })),
      ],
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  #importDataBucket(bucketName: string, root: string): s3.IBucket {
    Annotations.of(this).addWarningV2(
      'kpi-report:importedBucket',
      `The data bucket ${bucketName} is imported: this stack does not check or set its public access block, encryption, TLS-only policy, versioning, access logging or lifecycle rules (add rules that expire ${root}${RUN_LEFTOVER_PREFIXES.runs} and ${root}${RUN_LEFTOVER_PREFIXES.dryRuns} after a few days).`,
    );
    return s3.Bucket.fromBucketName(this, 'DataBucket', bucketName);
  }

  #createApi(): apigateway.RestApi {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    const api = new apigateway.RestApi(this, 'Api', {
      description: "kpi-report: start a quarter's run and read its status (IAM-signed requests only)",
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // The account-wide API Gateway logging role is a regional singleton; not this stack's to own.
      cloudWatchRole: false,
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: 5,
        throttlingBurstLimit: 10,
        tracingEnabled: true,
      },
    });
    const integration = new apigateway.LambdaIntegration(this.apiFunction);
    const reports = api.root.addResource('reports');
    reports.addMethod('POST', integration);
    reports.addResource('{quarter}').addMethod('GET', integration);

    Validations.of(api).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'The handler validates every request with zod (one schema, answers naming the field at fault); a gateway model would duplicate it and drift.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          "Only IAM-signed requests from the operators' own principals reach the API, throttled to 5 requests/s; a WAF web ACL adds cost without a threat it would stop.",
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Access logs record every request (status, latency, caller); execution logs need the account-wide API Gateway CloudWatch role, which this stack must not take over.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'The API is for operators and automation with AWS credentials: every method uses IAM (SigV4) authorisation instead of a Cognito user pool.',
      },
    );
    return api;
  }

  #createAlarms(): void {
    this.alarms.push(...this.distributedReads.alarms);
    const action = new cloudwatchActions.SnsAction(this.alarmTopic);
    const period = Duration.minutes(5);
    const alarm = (
      id: string,
      metric: cloudwatch.IMetric,
      description: string,
      options: {
        threshold?: number;
        evaluationPeriods?: number;
        treatMissingData?: cloudwatch.TreatMissingData;
      } = {},
    ) => {
      this.alarms.push(raiseAlarm(this, id, { metric, description, action, ...options }));
    };
    const runMetric = (metricName: string, statistic: string, metricPeriod = period) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: this.serviceName },
        statistic,
        period: metricPeriod,
      });
    alarm(
      'RunFunctionErrors',
      this.runFunction.metricErrors({ period, statistic: 'Sum' }),
      "A report run failed (Lambda retries twice, then the event goes to the dead-letter queue). See the run function's logs and reports/<quarter>/validation.json.",
    );
    alarm(
      'MessagesFailed',
      runMetric('MessagesFailed', 'Sum'),
      "Recipients did not get the report: SES refused them for good (an unverified sender or address, a paused account) or the retries ran out. reports/<quarter>/status.json lists them with SES's reason (deliveries.unserved); fix the cause, then run the quarter again: only they are mailed.",
    );
    alarm(
      'ReportOverdue',
      runMetric('ReportOverdue', 'Maximum', Duration.hours(1)),
      `The heartbeat: the last completed quarter's report has not gone out ${this.#reportDueDays} days after the quarter ended (kpis.json and a delivery record for every recipient), and no scheduled run is waiting for its exports within its window; or the hourly sweep that checks has not reported for 3 hours. See reports/<quarter>/status.json, then run the quarter through the API.`,
      // Missing data breaches: a sweep that never runs must raise this as well.
      { evaluationPeriods: 3, treatMissingData: cloudwatch.TreatMissingData.BREACHING },
    );
    alarm(
      'ValidateFunctionErrors',
      this.validateFunction.metricErrors({ period, statistic: 'Sum' }),
      "Validating an upload failed (not: the upload has problems, which goes to ops). See the validate function's logs.",
    );
    alarm(
      'DeliveryEventsFunctionErrors',
      this.deliveryEventsFunction.metricErrors({ period, statistic: 'Sum' }),
      "Recording an SES event beside the delivery ledger failed. See the delivery events function's logs.",
    );
    alarm(
      'ApiFunctionErrors',
      this.apiFunction.metricErrors({ period, statistic: 'Sum' }),
      'The reports API function failed. See its logs.',
    );
    alarm(
      'ApiServerErrors',
      this.api.metricServerError({ period, statistic: 'Sum' }),
      "The reports API answered 5xx. See the API access logs and the API function's logs.",
    );
    alarm(
      'DeadLetterQueueNotEmpty',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      'A run or validation gave up after its retries; the event is in the dead-letter queue. Fix the cause, then redrive it or run the quarter through the API.',
    );
    alarm(
      'DeadLetterQueueReceived',
      this.deadLetterQueue.metricNumberOfMessagesSent({ period, statistic: 'Sum' }),
      'A new event reached the dead-letter queue (this alarm fires again for each new one, while the queue-depth alarm stays raised): a run, a validation or an SES event record gave up after its retries.',
    );
    const reputation = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        dimensionsMap: { 'ses:configuration-set': this.configurationSet.configurationSetName },
        statistic: 'Maximum',
        period: Duration.hours(1),
      });
    alarm(
      'SesBounceRate',
      reputation('Reputation.BounceRate'),
      '5% or more of the reports bounced (SES reviews an account at 5% and may pause its sending at 10%). The bounces went to the operations topic: remove or fix those addresses.',
      { threshold: 0.05 },
    );
    alarm(
      'SesComplaintRate',
      reputation('Reputation.ComplaintRate'),
      'Recipients marked 0.1% or more of the reports as spam (SES reviews an account at 0.1% and may pause its sending at 0.5%). The complaints went to the operations topic.',
      { threshold: 0.001 },
    );
    alarm(
      'ScheduleInvocationsDropped',
      this.scheduleGroup.metricDropped({ period, statistic: 'Sum' }),
      'EventBridge Scheduler dropped the quarterly run or an upload sweep after its retries. Run the quarter through the API (a dropped sweep is made up by the next one).',
    );
    alarm(
      'ScheduleTargetErrors',
      this.scheduleGroup.metricTargetErrors({ period, statistic: 'Sum' }),
      'EventBridge Scheduler could not invoke the run function or the validate function (permissions, throttling, deleted function).',
    );
    alarm(
      'ScheduleDeadLetterFailures',
      this.scheduleGroup.metricFailedToBeSentToDLQ(undefined, { period, statistic: 'Sum' }),
      'EventBridge Scheduler could not put a failed run into the dead-letter queue: that run is lost. Run the quarter through the API.',
    );
  }
}

/**
 * S3 notifications are configured at deploy time by CDK's singleton custom resource
 * (`BucketNotificationsHandler…`, one per stack), whose role CDK builds itself.
 */
function acknowledgeBucketNotificationsHandler(stack: Stack): void {
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
    Validations.of(child).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's own custom resource that writes the bucket's notification configuration at deploy time; CDK creates its role with AWSLambdaBasicExecutionRole (its own logs only) and offers no way to replace it.",
    });
  }
}

interface Sender {
  readonly address: string;
  /** The From header: `Name <address>`. */
  readonly from: string;
  readonly domain: string | undefined;
}

const EMAIL = /^[^\s@<>]+@([^\s@<>]+\.[^\s@<>]+)$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function resolveSender(props: QuarterlyKpiReportsProps): Sender {
  const domain = props.senderDomain?.trim().toLowerCase();
  if (domain !== undefined && !DOMAIN.test(domain)) {
    throw new DeploymentSettingsError(`senderDomain "${props.senderDomain}" is not a domain name`);
  }
  const configuredFrom = props.configuration?.email?.from;
  const configuredAddress = configuredFrom === undefined ? undefined : addressOf(configuredFrom);
  let address = props.senderEmail?.trim();
  if (address === undefined && domain !== undefined) {
    address = configuredAddress?.toLowerCase().endsWith(`@${domain}`)
      ? configuredAddress
      : `kpi-report@${domain}`;
  }
  if (address === undefined) {
    throw new DeploymentSettingsError(
      'set senderEmail or senderDomain: the identity SES sends the reports from',
    );
  }
  const match = EMAIL.exec(address);
  if (match === null) throw new DeploymentSettingsError(`senderEmail "${address}" is not an email address`);
  if (domain !== undefined && match[1]?.toLowerCase() !== domain) {
    throw new DeploymentSettingsError(`senderEmail ${address} is not in senderDomain ${domain}`);
  }
  if (configuredAddress !== undefined && configuredAddress.toLowerCase() !== address.toLowerCase()) {
    throw new DeploymentSettingsError(
      `configuration.email.from (${configuredFrom}) is not the sender identity ${address}; leave it out or use that address`,
    );
  }
  return {
    address,
    from: configuredFrom ?? `${props.senderName ?? 'KPI report'} <${address}>`,
    domain,
  };
}

/** The address in `Name <address>` or a bare address. */
function addressOf(from: string): string {
  return (/<([^>]+)>\s*$/.exec(from)?.[1] ?? from).trim();
}

/** The configuration the functions get, checked with the same schema they parse it with. */
function deployedConfiguration(
  props: QuarterlyKpiReportsProps,
  sender: Sender,
  configurationSetName: string,
) {
  const configuration = props.configuration ?? {};
  const email = configuration.email ?? {};
  if (
    props.timeZone !== undefined &&
    configuration.timeZone !== undefined &&
    props.timeZone !== configuration.timeZone
  ) {
    throw new DeploymentSettingsError(
      `timeZone (${props.timeZone}) and configuration.timeZone (${configuration.timeZone}) differ; set one`,
    );
  }
  if (props.recipients !== undefined && email.recipients !== undefined) {
    throw new DeploymentSettingsError('give recipients or configuration.email.recipients, not both');
  }
  if (email.ses !== undefined) {
    throw new DeploymentSettingsError(
      "leave configuration.email.ses out: the functions send in the stack's region through the configuration set it creates",
    );
  }
  if (email.templateDir !== undefined) {
    throw new DeploymentSettingsError(
      'leave configuration.email.templateDir out: the functions bundle the templates/ folder; edit it and deploy',
    );
  }
  const recipients = [...(props.recipients ?? email.recipients ?? [])];
  const input: KpiReportConfiguration = {
    ...configuration,
    timeZone: props.timeZone ?? configuration.timeZone ?? 'UTC',
    email: {
      ...email,
      from: sender.from,
      recipients,
      send: email.send ?? true,
      ses: { configurationSetName },
    },
  };
  const parsed = parseConfig(input, 'the kpi-report configuration');
  return {
    input,
    timeZone: parsed.timeZone,
    fiscalYearStartMonth: parsed.fiscalYearStartMonth,
    recipients: recipients.length,
  };
}

/**
 * 06:00 on the 5th of each month in which a (fiscal) quarter starts: for calendar quarters
 * January, April, July and October.
 */
export function defaultScheduleExpression(fiscalYearStartMonth = 1): string {
  const months = [0, 3, 6, 9]
    .map((offset) => ((fiscalYearStartMonth - 1 + offset) % 12) + 1)
    .sort((a, b) => a - b);
  return `cron(0 ${RUN_HOUR} ${RUN_DAY_OF_MONTH} ${months.join(',')} ? *)`;
}

function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed !== '' && trimmed.split('/').some((segment) => ['', '.', '..'].includes(segment))) {
    throw new DeploymentSettingsError(`dataPrefix "${prefix}" has an empty, "." or ".." segment`);
  }
  return trimmed;
}
