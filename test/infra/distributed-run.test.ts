import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DeliveryIncompleteError } from '../../functions/reduce-parts/index';
import { DELIVERY_INCOMPLETE_ERROR } from '../../infra/distributed-run';
import { KpiReportStack } from '../../infra/kpi-report-stack';
import type { QuarterlyKpiReportsProps } from '../../infra/quarterly-kpi-reports';
import { QUARTER_LABEL } from '../../src/core/quarter';
import { interactionsPartsPrefix } from '../../src/use-cases/distributed-run';
import { dryRunKey } from '../../src/use-cases/dry-run-view';
import { reportKeys } from '../../src/use-cases/report-keys';
import {
  actionsOf,
  allowStatementsOf,
  flatResources,
  logicalIdOf,
  type PolicyStatementJson,
  resolved,
  testApp,
} from './support/infra-app';

const INPUT = '$states.context.Execution.Input';

function build(props: Partial<QuarterlyKpiReportsProps> = {}) {
  const app = testApp();
  const stack = new KpiReportStack(app, 'Test', {
    reports: { senderEmail: 'kpi@acme.example', alarmEmail: 'alarms@acme.example', ...props },
  });
  const { reports } = stack;
  const distributed = reports.distributedReads;
  const template = Template.fromStack(stack);
  return {
    stack,
    reports,
    distributed,
    template,
    definition: definitionOf(template, logicalIdOf(stack, distributed.stateMachine.stateMachineArn)),
    bucket: logicalIdOf(stack, reports.dataBucket.bucketName),
  };
}

interface StateJson {
  readonly Type: string;
  readonly [field: string]: unknown;
}

interface Definition {
  readonly StartAt: string;
  readonly QueryLanguage?: string;
  readonly TimeoutSeconds?: number;
  readonly States: Record<string, StateJson>;
}

/** The state machine's ASL, with each reference written `<LogicalId>` or `<LogicalId.Attribute>`. */
function definitionOf(template: Template, stateMachineLogicalId: string): Definition {
  const body = template.toJSON().Resources[stateMachineLogicalId].Properties.DefinitionString as
    | string
    | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1]
          .map((part) => {
            if (typeof part === 'string') return part;
            const reference = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
            if (reference.Ref !== undefined) return `<${reference.Ref}>`;
            if (reference['Fn::GetAtt'] !== undefined) return `<${reference['Fn::GetAtt'].join('.')}>`;
            throw new Error(`unexpected part ${JSON.stringify(part)}`);
          })
          .join('');
  return JSON.parse(text) as Definition;
}

function state(definition: Definition, name: string): StateJson {
  const found = definition.States[name];
  if (found === undefined)
    throw new Error(`no state ${name} in ${Object.keys(definition.States).join(', ')}`);
  return found;
}

/** The states of the Distributed Map's item processor. */
function processorStates(definition: Definition): Record<string, StateJson> {
  return (state(definition, 'ReadParts').ItemProcessor as { States: Record<string, StateJson> }).States;
}

function s3Actions(statements: PolicyStatementJson[]): Set<string> {
  return new Set(statements.flatMap(actionsOf).filter((action) => action.toLowerCase().startsWith('s3:')));
}

const LAMBDA_SERVICE_RETRY = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.ClientExecutionTimeoutException',
  ],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 6,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
const LAMBDA_THROTTLING_RETRY = {
  ErrorEquals: ['Lambda.TooManyRequestsException'],
  IntervalSeconds: 5,
  BackoffRate: 2,
  MaxAttempts: 10,
  MaxDelaySeconds: 120,
  JitterStrategy: 'FULL',
};

describe('the distributed-run state machine', () => {
  it('is a Standard state machine in JSONata, traced, logging every event to a log group kept a year', () => {
    // Arrange
    const { stack, distributed, template, definition } = build();

    // Act
    const machine = template.toJSON().Resources[logicalIdOf(stack, distributed.stateMachine.stateMachineArn)];

    // Assert
    expect(definition.QueryLanguage).toBe('JSONata');
    expect(definition.TimeoutSeconds).toBe(6 * 3600);
    expect(machine.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [logicalIdOf(stack, distributed.logGroup.logGroupName), 'Arn'] },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/'),
      RetentionInDays: 365,
    });
  });

  it('checks the execution input first and fails an ill-formed one before listing or writing anything', () => {
    const { definition } = build();

    const check = state(definition, 'CheckInput');

    expect(definition.StartAt).toBe('CheckInput');
    expect(check).toMatchObject({
      Type: 'Choice',
      Choices: [{ Next: 'PlanRanges', Condition: expect.stringContaining(`/${QUARTER_LABEL.source}/`) }],
      Default: 'InvalidInput',
    });
    const condition = (check.Choices as { Condition: string }[])[0]?.Condition ?? '';
    for (const field of ['quarter', 'runId', 'requestedBy', 'dryRun', 'resend']) {
      expect(condition).toContain(`${INPUT}.${field}`);
    }
    expect(state(definition, 'InvalidInput')).toMatchObject({ Type: 'Fail', Error: 'InvalidInput' });
  });

  it('plans the run first with the resolve-repeats function, and goes on to read the parts with its answer', () => {
    const { stack, distributed, definition } = build();

    const plan = state(definition, 'PlanRanges');

    expect(plan).toMatchObject({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::lambda:invoke',
      Arguments: {
        FunctionName: `<${logicalIdOf(stack, distributed.resolveRepeatsFunction.functionArn)}.Arn>`,
        Payload: { step: 'plan', quarter: `{% ${INPUT}.quarter %}`, runId: `{% ${INPUT}.runId %}` },
      },
      Output: '{% $states.result.Payload %}',
      Next: 'ReadParts',
    });
    // The map over the parts passes the plan ({ ranges, parts }) on, not its own results.
    expect(state(definition, 'ReadParts')).toMatchObject({
      Output: '{% $states.input %}',
      Next: 'ResolveRepeats',
    });
  });

  it("then checks the ids for repeats with a DISTRIBUTED map over the plan's hash ranges, 0 to ranges − 1", () => {
    const { stack, distributed, definition } = build();

    const ranges = state(definition, 'ResolveRepeats');
    const resolve = (ranges.ItemProcessor as { States: Record<string, StateJson> }).States.ResolveRange;

    expect(ranges).toMatchObject({
      Type: 'Map',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      Items: '{% [0..($states.input.ranges - 1)] %}',
      ItemSelector: {
        step: 'range',
        quarter: `{% ${INPUT}.quarter %}`,
        runId: `{% ${INPUT}.runId %}`,
        range: '{% $states.context.Map.Item.Value %}',
      },
      MaxConcurrency: 40,
      Label: 'HashRanges',
      Output: '{% $states.input %}',
      Next: 'ReduceParts',
    });
    expect(resolve).toMatchObject({
      Type: 'Task',
      Arguments: {
        FunctionName: `<${logicalIdOf(stack, distributed.resolveRepeatsFunction.functionArn)}.Arn>`,
        Payload: '{% $states.input %}',
      },
      Output: '{% $states.result.Payload %}',
      End: true,
    });
  });

  it("reads the parts with a DISTRIBUTED map over the S3 objects under the quarter's interactions prefix", () => {
    const { definition, bucket } = build();
    // The use case's own prefix, with the quarter taken from the execution input.
    const [before, after] = interactionsPartsPrefix('<quarter>').split('<quarter>');

    const map = state(definition, 'ReadParts');

    expect(map).toMatchObject({
      Type: 'Map',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      ItemReader: {
        Resource: 'arn:<AWS::Partition>:states:::s3:listObjectsV2',
        Arguments: {
          Bucket: `<${bucket}>`,
          Prefix: `{% '${before}' & ${INPUT}.quarter & '${after}' %}`,
        },
      },
      Label: 'InteractionsParts',
    });
  });

  it('lists under dataPrefix when the data root has one', () => {
    const { definition } = build({ dataPrefix: 'kpi/data' });

    const map = state(definition, 'ReadParts');

    expect((map.ItemReader as { Arguments: { Prefix: string } }).Arguments.Prefix).toBe(
      `{% 'kpi/data/exports/' & ${INPUT}.quarter & '/interactions/' %}`,
    );
  });

  it('hands the map-part function the quarter, the run id and the listed key, and keeps only its result', () => {
    const { stack, distributed, definition } = build();

    const map = state(definition, 'ReadParts');
    const measure = processorStates(definition).MeasurePart;

    expect(map.ItemSelector).toEqual({
      quarter: `{% ${INPUT}.quarter %}`,
      runId: `{% ${INPUT}.runId %}`,
      key: '{% $states.context.Map.Item.Value.Key %}',
    });
    expect(measure).toMatchObject({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::lambda:invoke',
      Arguments: {
        FunctionName: `<${logicalIdOf(stack, distributed.mapPartFunction.functionArn)}.Arn>`,
        Payload: '{% $states.input %}',
      },
      Output: '{% $states.result.Payload %}',
      End: true,
    });
  });

  it('reads at most 40 parts at once unless told otherwise, and refuses a limit Step Functions would not take', () => {
    expect(state(build().definition, 'ReadParts').MaxConcurrency).toBe(40);
    expect(state(build({ distributedMaxConcurrency: 8 }).definition, 'ReadParts').MaxConcurrency).toBe(8);
    expect(() => build({ distributedMaxConcurrency: 0 })).toThrow(/maxConcurrency/);
    expect(() => build({ distributedMaxConcurrency: 2.5 })).toThrow(/maxConcurrency/);
  });

  it('retries Lambda service errors and throttling with exponential backoff and jitter, in every step', () => {
    const { definition } = build();

    const measure = processorStates(definition).MeasurePart;
    const resolve = (
      state(definition, 'ResolveRepeats').ItemProcessor as { States: Record<string, StateJson> }
    ).States.ResolveRange;
    const reduce = state(definition, 'ReduceParts');

    for (const task of [state(definition, 'PlanRanges'), measure, resolve]) {
      expect(task?.Retry).toEqual([LAMBDA_SERVICE_RETRY, LAMBDA_THROTTLING_RETRY]);
    }
    expect(reduce.Retry).toEqual(expect.arrayContaining([LAMBDA_SERVICE_RETRY, LAMBDA_THROTTLING_RETRY]));
  });

  it('retries the reduce step twice, minutes apart, on the error the reduce handler throws for unserved recipients', () => {
    const { definition } = build();

    const reduce = state(definition, 'ReduceParts');

    expect(new DeliveryIncompleteError('not delivered yet').name).toBe(DELIVERY_INCOMPLETE_ERROR);
    expect(reduce.Retry).toEqual(
      expect.arrayContaining([
        { ErrorEquals: [DELIVERY_INCOMPLETE_ERROR], IntervalSeconds: 120, BackoffRate: 2, MaxAttempts: 2 },
      ]),
    );
  });

  it("writes the Map Run's results under reports/runs/<quarter>/<runId>/ in the data bucket", () => {
    const { definition, bucket } = build({ dataPrefix: 'kpi' });
    // The run folder as the use case names it (the shuffle's parent), run id sanitised alike.
    const shuffle = reportKeys.shuffle('<quarter>', '<runId>');

    const writer = state(definition, 'ReadParts').ResultWriter;

    expect(shuffle).toBe('reports/runs/<quarter>/_runId_/shuffle/');
    expect(writer).toEqual({
      Resource: 'arn:<AWS::Partition>:states:::s3:putObject',
      Arguments: {
        Bucket: `<${bucket}>`,
        Prefix: `{% 'kpi/reports/runs/' & ${INPUT}.quarter & '/' & $replace(${INPUT}.runId, /[^A-Za-z0-9._-]/, '_') & '/map-results' %}`,
      },
    });
  });

  it('then runs the reduce-parts function with the run request, and ends there', () => {
    const { stack, distributed, definition } = build();

    const reduce = state(definition, 'ReduceParts');

    expect(state(definition, 'ResolveRepeats').Next).toBe('ReduceParts');
    expect(reduce).toMatchObject({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::lambda:invoke',
      Arguments: {
        FunctionName: `<${logicalIdOf(stack, distributed.reduceFunction.functionArn)}.Arn>`,
        Payload: {
          quarter: `{% ${INPUT}.quarter %}`,
          runId: `{% ${INPUT}.runId %}`,
          requestedBy: `{% ${INPUT}.requestedBy %}`,
          dryRun: `{% ${INPUT}.dryRun %}`,
          resend: `{% ${INPUT}.resend %}`,
          executionId: '{% $states.context.Execution.Id %}',
        },
      },
      End: true,
    });
  });

  it('on a failed plan or map, records status.json "failed" for the quarter, then fails the execution with the error', () => {
    const { definition, bucket } = build();

    const record = state(definition, 'RecordFailure');

    for (const name of ['PlanRanges', 'ReadParts', 'ResolveRepeats']) {
      expect(state(definition, name).Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'RecordFailure' }]);
    }
    expect(record).toMatchObject({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::aws-sdk:s3:putObject',
      Arguments: {
        Bucket: `<${bucket}>`,
        Key: `{% ${INPUT}.dryRun ? 'reports/dry-runs/' & ${INPUT}.quarter & '/' & $replace(${INPUT}.runId, /[^A-Za-z0-9._-]/, '_') & '/status.json' : 'reports/' & ${INPUT}.quarter & '/status.json' %}`,
        ContentType: 'application/json',
        Body: expect.stringMatching(/'status': 'failed'.*'updatedAt': \$now\(\).*'error': /),
      },
      Output: '{% $states.input %}',
      Next: 'ReadingPartsFailed',
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'ReadingPartsFailed', Output: '{% $states.input %}' }],
    });
    expect(reportKeys.status('2026-Q3')).toBe('reports/2026-Q3/status.json');
    expect(dryRunKey('2026-Q3', 'a:b', reportKeys.status('2026-Q3'))).toBe(
      'reports/dry-runs/2026-Q3/a_b/status.json',
    );
    expect(state(definition, 'ReadingPartsFailed')).toMatchObject({
      Type: 'Fail',
      Error: '{% $states.input.Error %}',
      Cause: '{% $states.input.Cause %}',
    });
  });

  it('on a failed reduce step (which records its own status), fails the execution with its error', () => {
    const { definition } = build();

    expect(state(definition, 'ReduceParts').Catch).toEqual([
      { ErrorEquals: ['States.ALL'], Next: 'ReportRunFailed' },
    ]);
    expect(state(definition, 'ReportRunFailed')).toMatchObject({
      Type: 'Fail',
      Error: '{% $states.input.Error %}',
    });
  });

  it('outputs its ARN', () => {
    const { stack, distributed, template } = build();

    template.hasOutput('DistributedRunStateMachineArn', {
      Value: resolved(stack, distributed.stateMachine.stateMachineArn),
    });
  });
});

describe("the map-part function's role", () => {
  it("reads exports/ and the runs' folders, and writes only under reports/runs/", () => {
    const { stack, distributed, template, bucket } = build();

    const statements = allowStatementsOf(stack, template, distributed.mapPartFunction.executionRole.roleName);

    expect(flatResources(statements, 's3:GetObject').sort()).toEqual([
      `<${bucket}.Arn>/exports/*`,
      `<${bucket}.Arn>/reports/runs/*`,
    ]);
    expect(flatResources(statements, 's3:PutObject')).toEqual([`<${bucket}.Arn>/reports/runs/*`]);
    expect(flatResources(statements, 's3:ListBucket')).toEqual([`<${bucket}.Arn>`]);
  });

  it('cannot write, delete or change anything under exports/, and cannot send mail', () => {
    const { stack, distributed, template } = build();

    const statements = allowStatementsOf(stack, template, distributed.mapPartFunction.executionRole.roleName);

    expect(s3Actions(statements)).toEqual(new Set(['s3:GetObject', 's3:PutObject', 's3:ListBucket']));
    for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:RestoreObject']) {
      for (const resource of flatResources(statements, action)) expect(resource).not.toMatch(/exports/);
    }
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('ses:'))).toEqual([]);
  });
});

describe("the resolve-repeats function's role", () => {
  it("reads and writes only the runs' folders, lists the bucket, and cannot send mail", () => {
    const { stack, distributed, template, bucket } = build();

    const statements = allowStatementsOf(
      stack,
      template,
      distributed.resolveRepeatsFunction.executionRole.roleName,
    );

    expect(flatResources(statements, 's3:GetObject')).toEqual([`<${bucket}.Arn>/reports/runs/*`]);
    expect(flatResources(statements, 's3:PutObject')).toEqual([`<${bucket}.Arn>/reports/runs/*`]);
    expect(s3Actions(statements)).toEqual(new Set(['s3:GetObject', 's3:PutObject', 's3:ListBucket']));
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('ses:'))).toEqual([]);
  });
});

describe("the reduce function's role", () => {
  it('reads exports/, reports/ and the report settings, writes reports/ only, like the run function', () => {
    const { stack, distributed, template, bucket } = build();

    const statements = allowStatementsOf(stack, template, distributed.reduceFunction.executionRole.roleName);

    expect(flatResources(statements, 's3:GetObject').sort()).toEqual([
      `<${bucket}.Arn>/config/kpi-report.json`,
      `<${bucket}.Arn>/exports/*`,
      `<${bucket}.Arn>/reports/*`,
    ]);
    expect(flatResources(statements, 's3:PutObject')).toEqual([`<${bucket}.Arn>/reports/*`]);
    expect(s3Actions(statements)).toEqual(new Set(['s3:GetObject', 's3:PutObject', 's3:ListBucket']));
  });

  it('sends mail with the very statement of the run function: raw mail, as the sender only', () => {
    const { stack, reports, distributed, template } = build();

    const sendingOf = (roleName: string) =>
      allowStatementsOf(stack, template, roleName).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('ses:')),
      );

    expect(sendingOf(distributed.reduceFunction.executionRole.roleName)).toEqual(
      sendingOf(reports.runFunction.executionRole.roleName),
    );
    expect(sendingOf(distributed.reduceFunction.executionRole.roleName)).toEqual([
      expect.objectContaining({ Action: 'ses:SendRawEmail', Condition: expect.anything() }),
    ]);
  });
});

describe("the state machine's role", () => {
  it('writes only under reports/: the Map Run results and status.json', () => {
    const { stack, distributed, template, bucket } = build();

    const statements = allowStatementsOf(stack, template, distributed.stateMachine.role.roleName);

    expect(flatResources(statements, 's3:PutObject').sort()).toEqual([
      `<${bucket}.Arn>/reports/*/status.json`,
      `<${bucket}.Arn>/reports/runs/*`,
    ]);
    expect(flatResources(statements, 's3:GetObject')).toEqual([`<${bucket}.Arn>/reports/runs/*`]);
    for (const action of ['s3:DeleteObject', 's3:PutObjectAcl']) {
      expect(flatResources(statements, action)).toEqual([]);
    }
  });

  it('lists the bucket only under exports/', () => {
    const { stack, distributed, template, bucket } = build({ dataPrefix: 'kpi' });

    const listing = allowStatementsOf(stack, template, distributed.stateMachine.role.roleName).filter(
      (statement) => actionsOf(statement).includes('s3:ListBucket'),
    );

    expect(listing).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
        Condition: { StringLike: { 's3:prefix': 'kpi/exports/*' } },
      }),
    ]);
  });

  it('invokes only the map-part, resolve-repeats and reduce functions', () => {
    const { stack, distributed, template } = build();

    const statements = allowStatementsOf(stack, template, distributed.stateMachine.role.roleName);
    const functions = [
      distributed.mapPartFunction,
      distributed.resolveRepeatsFunction,
      distributed.reduceFunction,
    ];

    expect(flatResources(statements, 'lambda:InvokeFunction').sort()).toEqual(
      functions
        .map((fn) => logicalIdOf(stack, fn.functionArn))
        .flatMap((id) => [`<${id}.Arn>`, `<${id}.Arn>:*`])
        .sort(),
    );
  });
});

describe('starting a distributed run', () => {
  it('gives the run function STATE_MACHINE_ARN and StartExecution on this state machine only', () => {
    const { stack, reports, distributed, template } = build();
    const machine = resolved(stack, distributed.stateMachine.stateMachineArn);

    const statements = allowStatementsOf(stack, template, reports.runFunction.executionRole.roleName);
    const states = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('states:')),
    );

    const run = template.toJSON().Resources[logicalIdOf(stack, reports.runFunction.functionArn)];

    expect(run.Properties.Environment.Variables.STATE_MACHINE_ARN).toEqual(machine);
    expect(states).toEqual([expect.objectContaining({ Action: 'states:StartExecution', Resource: machine })]);
  });

  it('lets no other function start it', () => {
    const { stack, reports, distributed, template } = build();

    for (const fn of [
      reports.apiFunction,
      reports.validateFunction,
      distributed.mapPartFunction,
      distributed.resolveRepeatsFunction,
      distributed.reduceFunction,
    ]) {
      const actions = allowStatementsOf(stack, template, fn.executionRole.roleName).flatMap(actionsOf);
      expect(actions.filter((action) => action.startsWith('states:'))).toEqual([]);
    }
  });
});

describe('the distributed functions', () => {
  it('run with about 2 vCPUs (3,538 MB), the kpi-report configuration and the data root', () => {
    const { stack, distributed, template } = build({ dataPrefix: 'kpi' });
    const resources = template.toJSON().Resources;

    expect(resources[logicalIdOf(stack, distributed.mapPartFunction.functionArn)].Properties.Timeout).toBe(
      900,
    );
    expect(resources[logicalIdOf(stack, distributed.reduceFunction.functionArn)].Properties.Timeout).toBe(
      600,
    );
    expect(
      resources[logicalIdOf(stack, distributed.resolveRepeatsFunction.functionArn)].Properties.Timeout,
    ).toBe(900);
    for (const fn of [distributed.mapPartFunction, distributed.reduceFunction]) {
      expect(resources[logicalIdOf(stack, fn.functionArn)].Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: 3538,
        Environment: {
          Variables: expect.objectContaining({
            DATA_PREFIX: 'kpi',
            DATA_BUCKET: resolved(stack, stack.reports.dataBucket.bucketName),
            KPI_REPORT_CONFIG: expect.anything(),
          }),
        },
      });
    }
    // It needs no configuration: the plan and the ranges read no CSV.
    expect(
      resources[logicalIdOf(stack, distributed.resolveRepeatsFunction.functionArn)].Properties,
    ).toMatchObject({
      Architectures: ['arm64'],
      MemorySize: 3538,
      Environment: { Variables: expect.objectContaining({ DATA_PREFIX: 'kpi' }) },
    });
  });
});

describe('the distributed-run alarms', () => {
  it('alarm on a failed and on a timed-out execution, to the alarm topic', () => {
    const { stack, reports, distributed, template } = build();

    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [
          { Name: 'StateMachineArn', Value: resolved(stack, distributed.stateMachine.stateMachineArn) },
        ],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [resolved(stack, reports.alarmTopic.topicArn)],
      });
    }
    expect(reports.alarms).toEqual(expect.arrayContaining(distributed.alarms));
    expect(distributed.alarms).toHaveLength(2);
  });
});
