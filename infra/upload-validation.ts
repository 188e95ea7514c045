/**
 * Validation of uploads: S3 notifies each upload under `exports/` to a queue, and the
 * validate function takes the notices in batches (one validation per burst of uploads; see
 * `upload-debounce.ts`), tells operations when a set needs fixing, and starts a scheduled
 * run that waits for a valid set. The hourly sweep (`ReportSchedules`) invokes it too.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { UPLOAD_QUIET_MINUTES } from '../src/use-cases/upload-debounce';
import { REPORT_SETTINGS_KEY } from '../src/wiring/report-settings-key';
import type { DataRoot } from './data-root';
import { ReportFunction } from './report-function';

export interface UploadValidationProps {
  readonly dataRoot: DataRoot;
  /** The kpi-report configuration as JSON (`KPI_REPORT_CONFIG`). */
  readonly configurationJson: string;
  /** Days after a quarter's end by which its report must be out (the heartbeat). */
  readonly reportDueDays: number;
  /** The run function, started when a valid set completes a waiting scheduled run. */
  readonly runFunction: ReportFunction;
  readonly deadLetterQueue: sqs.IQueue;
  readonly onFailure: lambda.IDestination;
}

export class UploadValidation extends Construct {
  readonly validateFunction: ReportFunction;
  /** S3's notifications of uploads under `exports/`, on their way to the validate function. */
  readonly uploadQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: UploadValidationProps) {
    super(scope, id);
    const { dataRoot } = props;
    // Validation streams the whole export set, like a run, so it gets the same CPU share.
    this.validateFunction = new ReportFunction(this, 'ValidateFunction', {
      entry: 'functions/validate-upload/index.ts',
      description: 'kpi-report: validates an export set when a file is uploaded',
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: props.onFailure,
    });
    this.validateFunction.useDataRoot(dataRoot.bucket, dataRoot.prefix, {
      read: ['exports/*', 'reports/*', REPORT_SETTINGS_KEY],
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
    this.validateFunction.addEnvironment('KPI_REPORT_CONFIG', props.configurationJson);
    this.validateFunction.addEnvironment('REPORT_DUE_DAYS', String(props.reportDueDays));
    this.validateFunction.addEnvironmentWithAccess('RUN_FUNCTION_NAME', props.runFunction.functionName, () =>
      this.validateFunction.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [props.runFunction.functionArn],
        }),
      ),
    );
    this.uploadQueue = this.#createUploadQueue(props.deadLetterQueue);
    dataRoot.bucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.SqsDestination(this.uploadQueue),
      {
        prefix: `${dataRoot.root}exports/`,
      },
    );
    acknowledgeBucketNotificationsHandler(Stack.of(this));
  }

  /**
   * The upload queue and its consumer. S3 puts a notification per uploaded file; the
   * validate function takes them in batches (up to 100, gathered for up to 30 s), at most
   * two batches at once, and hands back the latest message of a burst still going, which
   * returns after the visibility timeout: longer than both the function's timeout (Lambda
   * requires it) and the quiet period after which a burst counts as finished.
   */
  #createUploadQueue(deadLetterQueue: sqs.IQueue): sqs.Queue {
    const functionTimeout = this.validateFunction.timeout ?? Duration.minutes(5);
    const visibilityTimeout = Duration.minutes(
      Math.max(Math.ceil(functionTimeout.toSeconds() / 60), UPLOAD_QUIET_MINUTES) + 1,
    );
    const queue = new sqs.Queue(this, 'UploadQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod: Duration.days(4),
      // A message that keeps failing (not a deferral: those are handed back once or twice).
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
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
