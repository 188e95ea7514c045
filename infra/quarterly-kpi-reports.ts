/**
 * Everything kpi-report needs in AWS, as one reusable construct composed of small ones, each
 * in its own file: the data root (`DataRoot`, a bucket of its own or yours), the topics
 * (`NotificationTopics`), the SES sender (`ReportSender`), the dead-letter queue
 * (`DeadLetterQueue`), the run function (`RunFunction`), upload validation
 * (`UploadValidation`), the distributed run (`DistributedRun`), the SES events recorder
 * (`DeliveryEventsRecorder`), the API's function (`ReportsApiFunction`) and the
 * IAM-authorised REST API (`ReportsApi`), the schedules (`ReportSchedules`) and the alarms
 * (`ReportAlarms`). Its props are in `quarterly-kpi-reports-props.ts`, their checks in
 * `construct-settings.ts`. Names that must be unique in an account (alarms, log groups, the
 * API, the metrics' service) derive from the construct's path, so several instances fit in
 * one stack and one account.
 */
import { Annotations, Names, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REPORT_SETTINGS_KEY } from '../src/wiring/report-settings-key';
import { checkConstructSettings } from './construct-settings';
import { DataRoot } from './data-root';
import { DeadLetterQueue } from './dead-letter-queue';
import { DeliveryEventsRecorder } from './delivery-events';
import type { KpiReportConfiguration } from './deployed-configuration';
import { DistributedRun } from './distributed-run';
import { NotificationTopics } from './notification-topics';
import { functionDefaults, type QuarterlyKpiReportsProps } from './quarterly-kpi-reports-props';
import { ReportAlarms } from './report-alarms';
import { FUNCTION_DEFAULTS_CONTEXT, type ReportFunction } from './report-function';
import { ReportSchedules } from './report-schedules';
import { ReportSender } from './report-sender';
import { ReportsApi } from './reports-api';
import { ReportsApiFunction } from './reports-api-function';
import { RunFunction } from './run-function';
import { UploadValidation } from './upload-validation';

export {
  DEFAULT_RUN_LEFTOVER_DAYS,
  DEFAULT_UPLOAD_SWEEP_EXPRESSION,
  type FunctionSize,
  type QuarterlyKpiReportsProps,
  REPORT_FUNCTION_ENTRIES,
  type ReportFunctionSizing,
} from './quarterly-kpi-reports-props';

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
  readonly runFunction: RunFunction;
  /** Behind the REST API: starts runs and answers their status. */
  readonly apiFunction: ReportFunction;
  /** Validates an export set on every upload, and hourly sweeps for stalled uploads. */
  readonly validateFunction: ReportFunction;
  /**
   * The distributed run: the state machine that fans a quarter's interactions parts out to
   * map-part functions, then reduces and reports. The run function may start it.
   */
  readonly distributedRun: DistributedRun;
  /** Runs that never completed: undeliverable schedule events and failed async invocations. */
  readonly deadLetterQueue: DeadLetterQueue;
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
    const settings = checkConstructSettings(props);
    const { sender, deployed, reportDueDays } = settings;
    if (deployed.recipients === 0) {
      Annotations.of(this).addWarningV2(
        'kpi-report:noRecipients',
        `No recipients at deploy time: runs compute and save the report but mail nobody until ${REPORT_SETTINGS_KEY} in the data root lists some (or set recipients).`,
      );
    }
    this.timeZone = deployed.timeZone;
    this.scheduleExpression = settings.scheduleExpression;
    this.senderAddress = sender.address;

    this.dataRoot = new DataRoot(this, 'DataRoot', {
      bucket: props.dataBucket,
      bucketName: props.existingBucketName,
      prefix: settings.dataPrefix,
      runLeftoverDays: settings.runLeftoverDays,
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
    const configurationJson = Stack.of(this).toJsonString({
      ...deployed.input,
      email: {
        ...deployed.input.email,
        ses: { configurationSetName: this.configurationSet.configurationSetName },
      },
    } satisfies KpiReportConfiguration);

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue');
    const failedRuns = new destinations.SqsDestination(this.deadLetterQueue);

    this.runFunction = new RunFunction(this, 'RunFunction', {
      dataRoot: this.dataRoot,
      configurationJson,
      sender: this.sender,
      topics: this.topics,
      onFailure: failedRuns,
      waitForExportsDays: settings.waitForExportsDays,
    });

    // Quarters too big for one function: a Distributed Map over the interactions parts. Its
    // construct id is the one it had as `DistributedReads`: a new id would replace the state
    // machine, its functions and its log group in a deployed stack.
    this.distributedRun = new DistributedRun(this, 'DistributedReads', {
      dataBucket: this.dataBucket,
      dataPrefix: this.dataPrefix,
      configurationJson,
      grantSendReport: (fn) => this.sender.grantSendReport(fn),
      alarmAction: new cloudwatchActions.SnsAction(this.alarmTopic),
      maxConcurrency: props.distributedMaxConcurrency,
      logRetention,
      reportSettingsKey: REPORT_SETTINGS_KEY,
    });
    this.runFunction.startsDistributedRuns(this.distributedRun.stateMachine);

    const uploads = new UploadValidation(this, 'UploadValidation', {
      dataRoot: this.dataRoot,
      configurationJson,
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

    this.apiFunction = new ReportsApiFunction(this, 'ApiFunction', {
      dataRoot: this.dataRoot,
      configurationJson,
      runFunction: this.runFunction,
    });
    this.reportsApi = new ReportsApi(this, 'ReportsApi', {
      handler: this.apiFunction,
      throttling: props.apiThrottling,
      logRetention,
    });
    this.api = this.reportsApi.restApi;

    this.schedules = new ReportSchedules(this, 'Schedules', {
      scheduleExpression: settings.scheduleExpression,
      uploadSweepExpression: settings.uploadSweepExpression,
      timeZone: this.timeZone,
      runFunction: this.runFunction,
      validateFunction: this.validateFunction,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.scheduleGroup = this.schedules.scheduleGroup;
    this.schedule = this.schedules.schedule;
    this.uploadSweep = this.schedules.uploadSweep;

    this.serviceName = Names.uniqueResourceName(this, { separator: '-', maxLength: 80 });
    for (const fn of this.#functions()) fn.addEnvironment('POWERTOOLS_SERVICE_NAME', this.serviceName);
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
    this.alarms = [...this.distributedRun.alarms, ...alarms.alarms];
  }

  /** @deprecated The same construct as `distributedRun` (its name before it matched the use case's). */
  get distributedReads(): DistributedRun {
    return this.distributedRun;
  }

  /** Lets `grantee` call the reports API (`execute-api:Invoke` on every method). */
  grantApiInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.reportsApi.grantInvoke(grantee);
  }

  /** Every function of the deployment, the distributed run's included. */
  #functions(): ReportFunction[] {
    return [
      this.runFunction,
      this.validateFunction,
      this.apiFunction,
      this.deliveryEventsFunction,
      this.distributedRun.mapPartFunction,
      this.distributedRun.resolveRepeatsFunction,
      this.distributedRun.reduceFunction,
    ];
  }
}
