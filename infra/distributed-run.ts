/**
 * The distributed run in AWS (`src/use-cases/distributed-run.ts` is its code), for quarters
 * whose interactions exports are too big for one
 * function's 15 minutes: a Step Functions state machine plans the run (the resolve-repeats
 * function lists the parts and picks the hash ranges), lists the quarter's interactions parts
 * in S3 with a Distributed Map and runs the map-part function on each (at most
 * `maxConcurrency` at once; the Map Run's results go under `reports/`), then a second
 * Distributed Map runs resolve-repeats on each hash range, and last the reduce-parts
 * function adds up the tallies and continues the normal run (KPIs, report, mail).
 *
 * The states are in `distributed-run-states.ts`; this construct makes the functions, the
 * state machine, its log group, its cdk-nag acknowledgements and its alarms.
 */
import { Arn, ArnFormat, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { raiseAlarm } from './alarm';
import { distributedRunStates, MAP_LABEL, RANGES_MAP_LABEL, RUNS_PATTERN } from './distributed-run-states';
import { wildcardResourceFinding } from './nag-findings';
import { ReportFunction } from './report-function';

export { DELIVERY_INCOMPLETE_ERROR } from './distributed-run-states';

export interface DistributedRunProps {
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
  /**
   * How long the state machine's log group keeps its events.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The data root's report settings object (relative to the data root), which the reduce
   * step reads as the run function does.
   * @default - none: the reduce step reads only the deployed configuration
   */
  readonly reportSettingsKey?: string;
}

/** See the module comment. */
export class DistributedRun extends Construct {
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

  constructor(scope: Construct, id: string, props: DistributedRunProps) {
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
    if (props.reportSettingsKey !== undefined) {
      this.reduceFunction.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [dataBucket.arnForObjects(`${root}${props.reportSettingsKey}`)],
        }),
      );
    }

    const states = distributedRunStates(this, {
      dataBucket,
      root,
      mapPartFunction: this.mapPartFunction,
      resolveRepeatsFunction: this.resolveRepeatsFunction,
      reduceFunction: this.reduceFunction,
      maxConcurrency: this.maxConcurrency,
    });
    this.readParts = states.readParts;
    this.resolveRepeats = states.resolveRepeats;

    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      // CloudWatch Logs' resource policy (10 per region, 5,120 characters) is not touched by
      // log groups under /aws/vendedlogs/. Named after the stack and the construct path, so
      // that two kpi-report constructs in one stack (or account) never share it.
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { separator: '-', maxLength: 200 })}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment:
        'kpi-report distributed run: plan, read the interactions parts in parallel, check their ids for repeats by hash range, then reduce and report',
      definitionBody: sfn.DefinitionBody.fromChainable(states.definition),
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

/**
 * @deprecated Renamed `DistributedRun`, the name the use case and the README give the
 * feature; the same class.
 */
export const DistributedReads = DistributedRun;
/** @deprecated Renamed `DistributedRun`. */
export type DistributedReads = DistributedRun;
/** @deprecated Renamed `DistributedRunProps`. */
export type DistributedReadsProps = DistributedRunProps;
