/**
 * The distributed mode in AWS, for quarters whose interactions exports are too big for one
 * function's 15 minutes: a Step Functions state machine plans the run (the resolve-repeats
 * function lists the parts and picks the hash ranges), lists the quarter's interactions parts
 * in S3 with a Distributed Map and runs the map-part function on each (at most
 * `maxConcurrency` at once; the Map Run's results go under `reports/`), then a second
 * Distributed Map runs resolve-repeats on each hash range, and last the reduce-parts
 * function adds up the tallies and continues the normal run (KPIs, report, mail).
 *
 * The state machine uses JSONata, so that the listing prefix (`exports/<quarter>/interactions/`)
 * and the result prefix are computed from each execution's input; the input is checked first,
 * so a malformed quarter can never widen either prefix.
 */
import { Arn, ArnFormat, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RUN_LEFTOVER_PREFIXES } from '../src/use-cases/report-keys';
import { raiseAlarm } from './alarm';
import { wildcardResourceFinding } from './nag-findings';
import { ReportFunction } from './report-function';

/** The runs' own folders (`reportKeys.run`), relative to the data root: the shuffle and map results. */
const RUNS_PATTERN = `${RUN_LEFTOVER_PREFIXES.runs}*`;

/** The error name the reduce-parts handler throws when recipients are still to be served. */
export const DELIVERY_INCOMPLETE_ERROR = 'DeliveryIncompleteError';

/** Errors of the Lambda service itself (not of the handler): always worth a retry. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
];
/** Lambda throttling: the account's concurrency is taken (by this map, or anything else). */
const LAMBDA_THROTTLING_ERRORS = ['Lambda.TooManyRequestsException'];

/** The Distributed Maps' labels: they name their Map Runs (and their ARNs). */
const MAP_LABEL = 'InteractionsParts';
const RANGES_MAP_LABEL = 'HashRanges';

/** The execution's input, whatever state reads it. */
const INPUT = '$states.context.Execution.Input';

/** The run id as one key segment, as `runIdSegment` makes it. */
const RUN_ID_SEGMENT = `$replace(${INPUT}.runId, /[^A-Za-z0-9._-]/, '_')`;

/** What the state machine accepts: what `SfnRunLauncher` sends. */
const VALID_INPUT = [
  `$type(${INPUT}.quarter) = 'string'`,
  `$contains(${INPUT}.quarter, /^[0-9]{4}-Q[1-4]$/)`,
  `$type(${INPUT}.runId) = 'string'`,
  `$length(${INPUT}.runId) > 0`,
  `${INPUT}.requestedBy in ['schedule', 'api', 'cli']`,
  `$type(${INPUT}.dryRun) = 'boolean'`,
  `$type(${INPUT}.resend) = 'boolean'`,
].join(' and ');

export interface DistributedReadsProps {
  /** The data root's bucket. */
  readonly dataBucket: s3.IBucket;
  /** The data root's key prefix without slashes ('' for the bucket root). */
  readonly dataPrefix: string;
  /** The kpi-report configuration as JSON (`KPI_REPORT_CONFIG` of both functions). */
  readonly configurationJson: string;
  /**
   * Lets the reduce function send the report as the run function does: the SES identity and
   * configuration set only.
   */
  readonly grantSendReport: (fn: ReportFunction) => void;
  /** Where the alarms notify. */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /**
   * How many parts are read at once, and how many hash ranges are checked at once. Each is
   * one invocation (3,538 MB), so this bounds both the Lambda concurrency taken from the
   * account and the S3 request rate.
   * @default 40
   */
  readonly maxConcurrency?: number;
  /**
   * How long one distributed run may take in all, map and reduce.
   * @default Duration.hours(6)
   */
  readonly timeout?: Duration;
}

/** See the module comment. */
export class DistributedReads extends Construct {
  /** Reads one interactions part and writes its tally and claims under `reports/runs/`. */
  readonly mapPartFunction: ReportFunction;
  /** Plans the run, and finds the repeated ids of one hash range across every part. */
  readonly resolveRepeatsFunction: ReportFunction;
  /** Merges the partial aggregates and runs the report (KPIs, report, mail). */
  readonly reduceFunction: ReportFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  /** The Distributed Map over the parts. */
  readonly readParts: sfn.DistributedMap;
  /** The Distributed Map over the hash ranges. */
  readonly resolveRepeats: sfn.DistributedMap;
  readonly maxConcurrency: number;
  /** Failed and timed-out executions. */
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: DistributedReadsProps) {
    super(scope, id);
    // ResultWriterV2 is rendered only with this flag (otherwise the deprecated writer is used).
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    const { dataBucket, dataPrefix } = props;
    const root = dataPrefix === '' ? '' : `${dataPrefix}/`;
    this.maxConcurrency = props.maxConcurrency ?? 40;
    if (!Number.isInteger(this.maxConcurrency) || this.maxConcurrency < 1 || this.maxConcurrency > 10_000) {
      throw new RangeError(`maxConcurrency must be an integer from 1 to 10000, not ${this.maxConcurrency}`);
    }

    // Same CPU share as the run function: parsing is CPU-bound. A part must fit in one
    // invocation; 15 minutes is Lambda's maximum. Its memory does not grow with the part's
    // rows (the README gives the part sizes measured).
    this.mapPartFunction = new ReportFunction(this, 'MapPartFunction', {
      entry: 'functions/map-part/index.ts',
      description: 'kpi-report: distributed run, map step (one interactions part to a tally and id claims)',
    });
    // It reads the run's plan, its part and clients.csv (so client numbers agree across
    // parts), and writes under reports/runs/<quarter>/<runId>/shuffle/; nothing else.
    this.mapPartFunction.useDataRoot(dataBucket, dataPrefix, {
      read: ['exports/*', RUNS_PATTERN],
      write: [RUNS_PATTERN],
    });
    this.mapPartFunction.addEnvironment('KPI_REPORT_CONFIG', props.configurationJson);

    // Lists the parts to plan (ListBucket), then reads and writes only the runs' folders.
    this.resolveRepeatsFunction = new ReportFunction(this, 'ResolveRepeatsFunction', {
      entry: 'functions/resolve-repeats/index.ts',
      description: 'kpi-report: distributed run, plans the hash ranges, then finds the repeated ids of one',
    });
    this.resolveRepeatsFunction.useDataRoot(dataBucket, dataPrefix, {
      read: [RUNS_PATTERN],
      write: [RUNS_PATTERN],
    });

    this.reduceFunction = new ReportFunction(this, 'ReduceFunction', {
      entry: 'functions/reduce-parts/index.ts',
      description: 'kpi-report: distributed run, reduce step (merge the partials, then KPIs and the email)',
    });
    this.reduceFunction.useDataRoot(dataBucket, dataPrefix, {
      read: ['exports/*', 'reports/*'],
      write: ['reports/*'],
    });
    this.reduceFunction.addEnvironmentWithAccess('KPI_REPORT_CONFIG', props.configurationJson, () =>
      props.grantSendReport(this.reduceFunction),
    );

    const planRanges = tasks.LambdaInvoke.jsonata(this, 'PlanRanges', {
      stateName: 'PlanRanges',
      comment: "Lists the parts and picks the hash ranges: writes the run's plan; returns { ranges, parts }",
      lambdaFunction: this.resolveRepeatsFunction,
      payload: sfn.TaskInput.fromObject({
        step: 'plan',
        quarter: `{% ${INPUT}.quarter %}`,
        runId: `{% ${INPUT}.runId %}`,
      }),
      outputs: '{% $states.result.Payload %}',
      retryOnServiceExceptions: false,
    });
    addLambdaRetries(planRanges);

    const measurePart = tasks.LambdaInvoke.jsonata(this, 'MeasurePart', {
      stateName: 'MeasurePart',
      comment:
        'Reads one part, writes its tally and its id claims by hash range; returns { key, part, rows, rejected, claims }',
      lambdaFunction: this.mapPartFunction,
      outputs: '{% $states.result.Payload %}',
      retryOnServiceExceptions: false,
    });
    addLambdaRetries(measurePart);

    // reportKeys.run(quarter, runId), computed from the execution's input.
    const runsFolder = `'${escapeJsonata(`${root}${RUN_LEFTOVER_PREFIXES.runs}`)}' & ${INPUT}.quarter & '/' & ${RUN_ID_SEGMENT}`;
    this.readParts = sfn.DistributedMap.jsonata(this, 'ReadParts', {
      stateName: 'ReadParts',
      comment: "Runs MeasurePart on every object under the quarter's interactions prefix",
      label: MAP_LABEL,
      itemReader: new ScopedS3ObjectsItemReader({
        bucket: dataBucket,
        prefix: `{% '${escapeJsonata(`${root}exports/`)}' & ${INPUT}.quarter & '/interactions/' %}`,
        listablePrefix: `${root}exports/*`,
      }),
      itemSelector: {
        quarter: `{% ${INPUT}.quarter %}`,
        runId: `{% ${INPUT}.runId %}`,
        key: '{% $states.context.Map.Item.Value.Key %}',
      },
      maxConcurrency: this.maxConcurrency,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultWriterV2: new ScopedResultWriter({
        bucket: dataBucket,
        prefix: `{% ${runsFolder} & '/map-results' %}`,
        writablePattern: `${root}${RUNS_PATTERN}`,
      }),
      // The plan ({ ranges, parts }) goes on to the map over the ranges.
      outputs: '{% $states.input %}',
    });
    this.readParts.itemProcessor(measurePart);

    const resolveRange = tasks.LambdaInvoke.jsonata(this, 'ResolveRange', {
      stateName: 'ResolveRange',
      comment:
        'Finds the repeated ids of one hash range across every part; returns { range, claims, repeats }',
      lambdaFunction: this.resolveRepeatsFunction,
      outputs: '{% $states.result.Payload %}',
      retryOnServiceExceptions: false,
    });
    addLambdaRetries(resolveRange);
    this.resolveRepeats = sfn.DistributedMap.jsonata(this, 'ResolveRepeats', {
      stateName: 'ResolveRepeats',
      comment: 'Runs ResolveRange on every hash range of the plan, once every part is read',
      label: RANGES_MAP_LABEL,
      items: sfn.ProvideItems.jsonata('{% [0..($states.input.ranges - 1)] %}'),
      itemSelector: {
        step: 'range',
        quarter: `{% ${INPUT}.quarter %}`,
        runId: `{% ${INPUT}.runId %}`,
        range: '{% $states.context.Map.Item.Value %}',
      },
      maxConcurrency: this.maxConcurrency,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      // A few numbers per range (at most 256 ranges): the results need no ResultWriter.
      outputs: '{% $states.input %}',
    });
    this.resolveRepeats.itemProcessor(resolveRange);

    const reduceParts = tasks.LambdaInvoke.jsonata(this, 'ReduceParts', {
      stateName: 'ReduceParts',
      comment: 'Merges the partials and runs the report: KPIs, report, mail, status.json',
      lambdaFunction: this.reduceFunction,
      payload: sfn.TaskInput.fromObject({
        quarter: `{% ${INPUT}.quarter %}`,
        runId: `{% ${INPUT}.runId %}`,
        requestedBy: `{% ${INPUT}.requestedBy %}`,
        dryRun: `{% ${INPUT}.dryRun %}`,
        resend: `{% ${INPUT}.resend %}`,
        // Owns the run's attempt record: this execution's retries of the step take it over.
        executionId: '{% $states.context.Execution.Id %}',
      }),
      outputs: '{% $states.result.Payload %}',
      retryOnServiceExceptions: false,
    });
    addLambdaRetries(reduceParts);
    // Like the run function's asynchronous retries: two more attempts, minutes apart.
    reduceParts.addRetry({
      errors: [DELIVERY_INCOMPLETE_ERROR],
      interval: Duration.minutes(2),
      backoffRate: 2,
      maxAttempts: 2,
    });

    // Failure path. The reduce step records its own failure in status.json (reportRun does);
    // a failed plan or map never reaches it, so the state machine records that one itself.
    const readingFailed = sfn.Fail.jsonata(this, 'ReadingPartsFailed', {
      stateName: 'ReadingPartsFailed',
      comment: 'The plan, a part or a hash range failed (after its retries); status.json says so',
      error: '{% $states.input.Error %}',
      cause: '{% $states.input.Cause %}',
    });
    const recordFailure = tasks.CallAwsService.jsonata(this, 'RecordFailure', {
      stateName: 'RecordFailure',
      comment: "Writes status.json 'failed' for the run (a dry run's in its own folder), as reportRun would",
      service: 's3',
      action: 'putObject',
      parameters: {
        Bucket: dataBucket.bucketName,
        // A dry run's status.json is in its own folder (reportKeys.dryRun), apart from the report.
        Key: `{% ${INPUT}.dryRun ? '${escapeJsonata(`${root}${RUN_LEFTOVER_PREFIXES.dryRuns}`)}' & ${INPUT}.quarter & '/' & ${RUN_ID_SEGMENT} & '/status.json' : '${escapeJsonata(`${root}reports/`)}' & ${INPUT}.quarter & '/status.json' %}`,
        ContentType: 'application/json',
        Body: `{% $string({ 'quarter': ${INPUT}.quarter, 'runId': ${INPUT}.runId, 'status': 'failed', 'requestedBy': ${INPUT}.requestedBy, 'dryRun': ${INPUT}.dryRun, 'updatedAt': $now(), 'error': 'the distributed read of the interactions parts failed: ' & $states.input.Error & ': ' & $states.input.Cause }, true) %}`,
      },
      iamResources: [dataBucket.arnForObjects(`${root}reports/*/status.json`)],
      // The error being recorded, not the S3 answer, is what the Fail state reports.
      outputs: '{% $states.input %}',
    });
    recordFailure.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(2), maxAttempts: 3 });
    recordFailure.addCatch(readingFailed, { outputs: '{% $states.input %}' });
    recordFailure.next(readingFailed);
    for (const state of [planRanges, this.readParts, this.resolveRepeats]) {
      state.addCatch(recordFailure, { errors: [sfn.Errors.ALL] });
    }
    reduceParts.addCatch(
      sfn.Fail.jsonata(this, 'ReportRunFailed', {
        stateName: 'ReportRunFailed',
        comment: 'The reduce step failed; it recorded why in status.json',
        error: '{% $states.input.Error %}',
        cause: '{% $states.input.Cause %}',
      }),
      { errors: [sfn.Errors.ALL] },
    );

    const checkInput = sfn.Choice.jsonata(this, 'CheckInput', {
      stateName: 'CheckInput',
      comment: 'Only a well-formed run request may name the prefixes listed and written',
    })
      .when(
        sfn.Condition.jsonata(`{% ${VALID_INPUT} %}`),
        planRanges.next(this.readParts).next(this.resolveRepeats).next(reduceParts),
      )
      .otherwise(
        sfn.Fail.jsonata(this, 'InvalidInput', {
          stateName: 'InvalidInput',
          error: 'InvalidInput',
          cause:
            'The input must be { "quarter": "2026-Q3", "runId": "…", "requestedBy": "schedule" | "api" | "cli", "dryRun": false, "resend": false }',
        }),
      );

    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      // CloudWatch Logs' resource policy (10 per region, 5,120 characters) is not touched by
      // log groups under /aws/vendedlogs/. Named after the stack and the construct path, so
      // that two kpi-report constructs in one stack (or account) never share it.
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { separator: '-', maxLength: 200 })}`,
      retention: logs.RetentionDays.ONE_YEAR,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment:
        'kpi-report distributed run: plan, read the interactions parts in parallel, check their ids for repeats by hash range, then reduce and report',
      definitionBody: sfn.DefinitionBody.fromChainable(checkInput),
      queryLanguage: sfn.QueryLanguage.JSONATA,
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: props.timeout ?? Duration.hours(6),
      tracingEnabled: true,
      // The execution data is run requests, part keys and counts of rows and ids, no business figures.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.#acknowledgeServiceWildcards(dataBucket, root);
    this.#createAlarms(props.alarmAction);
  }

  /** cdk-nag's IAM5 findings on the state machine's role, one wildcard at a time. */
  #acknowledgeServiceWildcards(bucket: s3.IBucket, root: string): void {
    const { stateMachine } = this;
    Validations.of(stateMachine.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs delivery (logs:CreateLogDelivery and related) support no resource-level permissions; Step Functions documents Resource "*" for both.',
      },
      {
        id: wildcardResourceFinding(this, `${this.mapPartFunction.functionArn}:*`),
        reason:
          "The LambdaInvoke task grant adds the map-part function's qualified ARNs (versions, aliases); the role can still invoke only that function.",
      },
      {
        id: wildcardResourceFinding(this, `${this.resolveRepeatsFunction.functionArn}:*`),
        reason:
          "The LambdaInvoke task grant adds the resolve-repeats function's qualified ARNs (versions, aliases); the role can still invoke only that function.",
      },
      {
        id: wildcardResourceFinding(this, `${this.reduceFunction.functionArn}:*`),
        reason:
          "The LambdaInvoke task grant adds the reduce function's qualified ARNs (versions, aliases); the role can still invoke only that function.",
      },
      {
        id: wildcardResourceFinding(this, bucket.arnForObjects(`${root}${RUNS_PATTERN}`)),
        reason:
          "The Distributed Map's ResultWriter writes the Map Run's results under reports/runs/<quarter>/<runId>/map-results/, named per quarter and run (unknown at deploy time); the wildcard stays inside the runs' folder.",
      },
      {
        id: wildcardResourceFinding(this, bucket.arnForObjects(`${root}reports/*/status.json`)),
        reason:
          "The failure path writes the run's reports/<quarter>/status.json when the map fails (the quarter is known only at run time); no other key matches.",
      },
    );
    // The Distributed Map's own policy (CDK adds it): its child executions and Map Run redrives.
    const executions = (suffix: string) =>
      Stack.of(this).formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}${suffix}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    Validations.of(stateMachine.node.findChild('DistributedMapPolicy')).acknowledge(
      {
        id: wildcardResourceFinding(this, executions('')),
        reason:
          "DescribeExecution and StopExecution on this state machine's own executions, which the Distributed Map needs to run its child workflows; execution names are per run.",
      },
      {
        id: wildcardResourceFinding(this, executions(`/${MAP_LABEL}`)),
        reason:
          "RedriveExecution on the Map Runs of this state machine's Distributed Map over the parts (label InteractionsParts), so a failed map can be redriven; Map Run ids are per run.",
      },
      {
        id: wildcardResourceFinding(this, executions(`/${RANGES_MAP_LABEL}`)),
        reason:
          "RedriveExecution on the Map Runs of this state machine's Distributed Map over the hash ranges (label HashRanges), so a failed map can be redriven; Map Run ids are per run.",
      },
    );
  }

  #createAlarms(action: cloudwatch.IAlarmAction): void {
    const period = Duration.minutes(5);
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string) => {
      this.alarms.push(raiseAlarm(this, id, { metric, description, action }));
    };
    alarm(
      'ExecutionsFailed',
      this.stateMachine.metricFailed({ period, statistic: 'Sum' }),
      "A distributed report run failed: the plan, a part or a hash range could not be read, or the reduce step failed. See the execution in the Step Functions console, the state machine's log group and reports/<quarter>/status.json.",
    );
    alarm(
      'ExecutionsTimedOut',
      this.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
      'A distributed report run exceeded its time limit. See the execution in the Step Functions console; smaller parts or a higher maxConcurrency shorten the map.',
    );
  }
}

/** Retries on Lambda's own errors and on throttling, with exponential backoff and jitter. */
function addLambdaRetries(task: tasks.LambdaInvoke): void {
  task.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.minutes(1),
    jitterStrategy: sfn.JitterType.FULL,
  });
  task.addRetry({
    errors: LAMBDA_THROTTLING_ERRORS,
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxAttempts: 10,
    maxDelay: Duration.minutes(2),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/** A text inside a single-quoted JSONata string literal. */
function escapeJsonata(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

/**
 * `S3ObjectsItemReader` with its grant narrowed: `s3:ListBucket` only for prefixes matching
 * `listablePrefix` (the stock reader allows listing the whole bucket).
 */
class ScopedS3ObjectsItemReader implements sfn.IItemReader {
  readonly #reader: sfn.S3ObjectsItemReader;
  readonly #listablePrefix: string;

  constructor(props: { bucket: s3.IBucket; prefix: string; listablePrefix: string }) {
    this.#reader = new sfn.S3ObjectsItemReader({ bucket: props.bucket, prefix: props.prefix });
    this.#listablePrefix = props.listablePrefix;
  }

  get bucket(): s3.IBucket {
    return this.#reader.bucket;
  }

  get resource(): string {
    return this.#reader.resource;
  }

  render(queryLanguage?: sfn.QueryLanguage): unknown {
    return this.#reader.render(queryLanguage);
  }

  providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': this.#listablePrefix } },
      }),
    ];
  }

  validateItemReader(): string[] {
    return this.#reader.validateItemReader();
  }
}

/**
 * `ResultWriterV2` with its grant narrowed to `writablePattern` (the stock writer may write,
 * and read, every key of the bucket, `exports/` included).
 */
class ScopedResultWriter extends sfn.ResultWriterV2 {
  readonly #bucket: s3.IBucket;
  readonly #writablePattern: string;

  constructor(props: { bucket: s3.IBucket; prefix: string; writablePattern: string }) {
    super({ bucket: props.bucket, prefix: props.prefix });
    this.#bucket = props.bucket;
    this.#writablePattern = props.writablePattern;
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.#bucket.arnForObjects(this.#writablePattern)],
      }),
    ];
  }
}
