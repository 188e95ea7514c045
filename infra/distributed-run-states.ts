/**
 * The distributed run's states (see `distributed-run.ts`), in JSONata: the input check, the
 * plan, the Distributed Map over the quarter's interactions parts, the Distributed Map over
 * the hash ranges, the reduce step, and the failure path that records a failed plan or map
 * in `status.json`. The listing prefix (`exports/<quarter>/interactions/`) and the result
 * prefix are computed from each execution's input; the input is checked first, so a
 * malformed quarter can never widen either prefix.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { QUARTER_LABEL } from '../src/core/quarter';
import { RUN_LEFTOVER_PREFIXES } from '../src/use-cases/report-keys';
import { ScopedResultWriter, ScopedS3ObjectsItemReader } from './scoped-s3-access';

/** The runs' own folders (`reportKeys.run`), relative to the data root: the shuffle and map results. */
export const RUNS_PATTERN = `${RUN_LEFTOVER_PREFIXES.runs}*`;

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
export const MAP_LABEL = 'InteractionsParts';
export const RANGES_MAP_LABEL = 'HashRanges';

/** The execution's input, whatever state reads it. */
const INPUT = '$states.context.Execution.Input';

/** The run id as one key segment, as `runIdSegment` makes it. */
const RUN_ID_SEGMENT = `$replace(${INPUT}.runId, /[^A-Za-z0-9._-]/, '_')`;

/** What the state machine accepts: what `SfnRunLauncher` sends. */
const VALID_INPUT = [
  `$type(${INPUT}.quarter) = 'string'`,
  // The core's quarter label, as a JSONata regular expression (JavaScript's syntax).
  `$contains(${INPUT}.quarter, /${QUARTER_LABEL.source}/)`,
  `$type(${INPUT}.runId) = 'string'`,
  `$length(${INPUT}.runId) > 0`,
  `${INPUT}.requestedBy in ['schedule', 'api', 'cli']`,
  `$type(${INPUT}.dryRun) = 'boolean'`,
  `$type(${INPUT}.resend) = 'boolean'`,
].join(' and ');

export interface DistributedRunStatesProps {
  readonly dataBucket: s3.IBucket;
  /** The data root's key prefix with its trailing slash ('' for the bucket root). */
  readonly root: string;
  readonly mapPartFunction: lambda.IFunction;
  readonly resolveRepeatsFunction: lambda.IFunction;
  readonly reduceFunction: lambda.IFunction;
  /** How many parts, and how many hash ranges, are processed at once. */
  readonly maxConcurrency: number;
}

/** The states, made in `scope` (their construct ids are part of the state machine's logical ids). */
export interface DistributedRunStates {
  /** The first state, with everything after it chained. */
  readonly definition: sfn.IChainable;
  /** The Distributed Map over the parts. */
  readonly readParts: sfn.DistributedMap;
  /** The Distributed Map over the hash ranges. */
  readonly resolveRepeats: sfn.DistributedMap;
}

export function distributedRunStates(
  scope: Construct,
  props: DistributedRunStatesProps,
): DistributedRunStates {
  const { dataBucket, root } = props;
  const planRanges = tasks.LambdaInvoke.jsonata(scope, 'PlanRanges', {
    stateName: 'PlanRanges',
    comment: "Lists the parts and picks the hash ranges: writes the run's plan; returns { ranges, parts }",
    lambdaFunction: props.resolveRepeatsFunction,
    payload: sfn.TaskInput.fromObject({
      step: 'plan',
      quarter: `{% ${INPUT}.quarter %}`,
      runId: `{% ${INPUT}.runId %}`,
    }),
    outputs: '{% $states.result.Payload %}',
    retryOnServiceExceptions: false,
  });
  addLambdaRetries(planRanges);

  const measurePart = tasks.LambdaInvoke.jsonata(scope, 'MeasurePart', {
    stateName: 'MeasurePart',
    comment:
      'Reads one part, writes its tally and its id claims by hash range; returns { key, part, rows, rejected, claims }',
    lambdaFunction: props.mapPartFunction,
    outputs: '{% $states.result.Payload %}',
    retryOnServiceExceptions: false,
  });
  addLambdaRetries(measurePart);

  // reportKeys.run(quarter, runId), computed from the execution's input.
  const runsFolder = `'${escapeJsonata(`${root}${RUN_LEFTOVER_PREFIXES.runs}`)}' & ${INPUT}.quarter & '/' & ${RUN_ID_SEGMENT}`;
  const readParts = sfn.DistributedMap.jsonata(scope, 'ReadParts', {
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
    maxConcurrency: props.maxConcurrency,
    mapExecutionType: sfn.StateMachineType.STANDARD,
    resultWriterV2: new ScopedResultWriter({
      bucket: dataBucket,
      prefix: `{% ${runsFolder} & '/map-results' %}`,
      writablePattern: `${root}${RUNS_PATTERN}`,
    }),
    // The plan ({ ranges, parts }) goes on to the map over the ranges.
    outputs: '{% $states.input %}',
  });
  readParts.itemProcessor(measurePart);

  const resolveRange = tasks.LambdaInvoke.jsonata(scope, 'ResolveRange', {
    stateName: 'ResolveRange',
    comment: 'Finds the repeated ids of one hash range across every part; returns { range, claims, repeats }',
    lambdaFunction: props.resolveRepeatsFunction,
    outputs: '{% $states.result.Payload %}',
    retryOnServiceExceptions: false,
  });
  addLambdaRetries(resolveRange);
  const resolveRepeats = sfn.DistributedMap.jsonata(scope, 'ResolveRepeats', {
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
    maxConcurrency: props.maxConcurrency,
    mapExecutionType: sfn.StateMachineType.STANDARD,
    // A few numbers per range (at most 256 ranges): the results need no ResultWriter.
    outputs: '{% $states.input %}',
  });
  resolveRepeats.itemProcessor(resolveRange);

  const reduceParts = tasks.LambdaInvoke.jsonata(scope, 'ReduceParts', {
    stateName: 'ReduceParts',
    comment: 'Merges the partials and runs the report: KPIs, report, mail, status.json',
    lambdaFunction: props.reduceFunction,
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
  const readingFailed = sfn.Fail.jsonata(scope, 'ReadingPartsFailed', {
    stateName: 'ReadingPartsFailed',
    comment: 'The plan, a part or a hash range failed (after its retries); status.json says so',
    error: '{% $states.input.Error %}',
    cause: '{% $states.input.Cause %}',
  });
  const recordFailure = tasks.CallAwsService.jsonata(scope, 'RecordFailure', {
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
  for (const state of [planRanges, readParts, resolveRepeats]) {
    state.addCatch(recordFailure, { errors: [sfn.Errors.ALL] });
  }
  reduceParts.addCatch(
    sfn.Fail.jsonata(scope, 'ReportRunFailed', {
      stateName: 'ReportRunFailed',
      comment: 'The reduce step failed; it recorded why in status.json',
      error: '{% $states.input.Error %}',
      cause: '{% $states.input.Cause %}',
    }),
    { errors: [sfn.Errors.ALL] },
  );

  const checkInput = sfn.Choice.jsonata(scope, 'CheckInput', {
    stateName: 'CheckInput',
    comment: 'Only a well-formed run request may name the prefixes listed and written',
  })
    .when(
      sfn.Condition.jsonata(`{% ${VALID_INPUT} %}`),
      planRanges.next(readParts).next(resolveRepeats).next(reduceParts),
    )
    .otherwise(
      sfn.Fail.jsonata(scope, 'InvalidInput', {
        stateName: 'InvalidInput',
        error: 'InvalidInput',
        cause:
          'The input must be { "quarter": "2026-Q3", "runId": "…", "requestedBy": "schedule" | "api" | "cli", "dryRun": false, "resend": false }',
      }),
    );

  return { definition: checkInput, readParts, resolveRepeats };
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
