/**
 * Failures that page someone, and the data a late upload brings: the alarms on failed
 * messages, the heartbeat, the dead letters and SES's reputation; names unique across two
 * stacks and two constructs; the upload queue that debounces validation; the waiting run's
 * wiring; and the SES events recorded beside the ledger.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { KpiReportStack } from '../../infra/kpi-report-stack';
import { QuarterlyKpiReports, type QuarterlyKpiReportsProps } from '../../infra/quarterly-kpi-reports';
import { allowStatementsOf, flatResources, logicalIdOf, resolved, testApp } from './support/infra-app';

const PROPS: QuarterlyKpiReportsProps = {
  senderEmail: 'kpi@acme.example',
  alarmEmail: 'alarms@acme.example',
};

function build(props: Partial<QuarterlyKpiReportsProps> = {}) {
  const app = testApp();
  const stack = new KpiReportStack(app, 'Test', { reports: { ...PROPS, ...props } });
  return { stack, reports: stack.reports, template: Template.fromStack(stack) };
}

/** The alarm watching `metricName`, as in the template. */
function alarmOn(template: Template, metricName: string) {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
    (alarm) => alarm.Properties.MetricName === metricName,
  );
  expect(found, `alarms on ${metricName}`).toHaveLength(1);
  return found[0]?.Properties as Record<string, unknown>;
}

describe('alarms that page someone', () => {
  it('alarm on any failed message, counted for this deployment only', () => {
    // Act
    const { stack, reports, template } = build();

    // Assert
    expect(alarmOn(template, 'MessagesFailed')).toMatchObject({
      Namespace: 'kpi-report',
      Dimensions: [{ Name: 'service', Value: reports.serviceName }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [resolved(stack, reports.alarmTopic.topicArn)],
      AlarmDescription: expect.stringContaining('status.json lists them'),
    });
  });

  it('give every function the deployment’s own service name, the metrics’ dimension', () => {
    // Act
    const { reports, template } = build();

    // Assert
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_METRICS_NAMESPACE === 'kpi-report',
    );
    expect(functions).toHaveLength(7);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(reports.serviceName);
    }
  });

  it('raise the heartbeat when the report is overdue, or when the hourly check goes silent for 3 hours', () => {
    // Act
    const { stack, reports, template } = build({ reportDueDays: 10 });

    // Assert
    expect(alarmOn(template, 'ReportOverdue')).toMatchObject({
      Namespace: 'kpi-report',
      Dimensions: [{ Name: 'service', Value: reports.serviceName }],
      Statistic: 'Maximum',
      Period: 3600,
      EvaluationPeriods: 3,
      Threshold: 1,
      TreatMissingData: 'breaching',
      AlarmDescription: expect.stringContaining('10 days after the quarter ended'),
    });
    const validate = template.toJSON().Resources[logicalIdOf(stack, reports.validateFunction.functionArn)];
    expect(validate.Properties.Environment.Variables.REPORT_DUE_DAYS).toBe('10');
    expect(() => build({ reportDueDays: 0 })).toThrow(/reportDueDays is 0; give a whole number of days/);
  });

  it('alarm again for every new dead letter, beside the queue-depth alarm that stays raised', () => {
    // Act
    const { stack, reports, template } = build();

    // Assert
    for (const [metric, statistic] of [
      ['NumberOfMessagesSent', 'Sum'],
      ['ApproximateNumberOfMessagesVisible', 'Maximum'],
    ]) {
      expect(alarmOn(template, metric as string)).toMatchObject({
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: resolved(stack, reports.deadLetterQueue.queueName) }],
        Statistic: statistic,
        Period: 300,
        Threshold: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('alarm at the bounce and complaint rates at which SES reviews an account', () => {
    // Act
    const { stack, reports, template } = build();

    // Assert
    for (const [metric, threshold] of [
      ['Reputation.BounceRate', 0.05],
      ['Reputation.ComplaintRate', 0.001],
    ] as const) {
      expect(alarmOn(template, metric)).toMatchObject({
        Namespace: 'AWS/SES',
        Dimensions: [
          {
            Name: 'ses:configuration-set',
            Value: resolved(stack, reports.configurationSet.configurationSetName),
          },
        ],
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });
});

describe('names unique in an account', () => {
  it('never repeat an alarm name, a log group name or a service name across two stacks and two constructs', () => {
    // Arrange: two stacks, the second holding two kpi-report constructs.
    const app = testApp();
    const first = new KpiReportStack(app, 'KpiReportA', { reports: PROPS });
    const second = new Stack(app, 'KpiReportB');
    const one = new QuarterlyKpiReports(second, 'Finance', PROPS);
    const other = new QuarterlyKpiReports(second, 'Sales', PROPS);

    // Act
    const templates = [Template.fromStack(first), Template.fromStack(second)];

    // Assert
    const names = (type: string, property: string) =>
      templates.flatMap((template) =>
        Object.values(template.findResources(type)).flatMap((resource) => {
          const value = resource.Properties?.[property];
          return value === undefined ? [] : [JSON.stringify(value)];
        }),
      );
    const alarmNames = names('AWS::CloudWatch::Alarm', 'AlarmName');
    const logGroupNames = names('AWS::Logs::LogGroup', 'LogGroupName');
    expect(alarmNames).toHaveLength(
      templates.reduce((sum, t) => sum + Object.keys(t.findResources('AWS::CloudWatch::Alarm')).length, 0),
    );
    expect(new Set(alarmNames).size).toBe(alarmNames.length);
    expect(logGroupNames.length).toBeGreaterThanOrEqual(3);
    expect(new Set(logGroupNames).size).toBe(logGroupNames.length);
    const services = [first.reports.serviceName, one.serviceName, other.serviceName];
    expect(new Set(services).size).toBe(3);
    expect(alarmNames.some((name) => name.startsWith('"KpiReportB-Finance-'))).toBe(true);
  });
});

describe('validation of uploads, debounced', () => {
  it('takes upload notices from a queue in batches, two at most at once, handing back what must wait', () => {
    // Act
    const { stack, reports, template } = build();

    // Assert
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: resolved(stack, reports.uploadQueue.queueArn),
      FunctionName: resolved(stack, reports.validateFunction.functionName),
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 30,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      // Longer than the validate function's 5 minutes and than the 5-minute quiet period.
      VisibilityTimeout: 360,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: resolved(stack, reports.deadLetterQueue.queueArn),
        maxReceiveCount: 5,
      },
    });
  });
});

describe('a scheduled run that waits for its exports', () => {
  it('tells the run function how long to wait and lets it tell operations', () => {
    // Act
    const { stack, reports, template } = build({ waitForExportsDays: 45 });

    // Assert
    const run = template.toJSON().Resources[logicalIdOf(stack, reports.runFunction.functionArn)];
    expect(run.Properties.Environment.Variables).toMatchObject({
      WAIT_FOR_EXPORTS_DAYS: '45',
      OPS_TOPIC_ARN: resolved(stack, reports.opsTopic.topicArn),
    });
    const statements = allowStatementsOf(stack, template, reports.runFunction.executionRole.roleName);
    expect(flatResources(statements, 'sns:Publish')).toEqual([
      `<${logicalIdOf(stack, reports.opsTopic.topicArn)}>`,
    ]);
  });

  it('lets the validate function start the run function, and nothing else', () => {
    // Act
    const { stack, reports, template } = build();

    // Assert
    const validate = template.toJSON().Resources[logicalIdOf(stack, reports.validateFunction.functionArn)];
    expect(validate.Properties.Environment.Variables.RUN_FUNCTION_NAME).toEqual(
      resolved(stack, reports.runFunction.functionName),
    );
    const statements = allowStatementsOf(stack, template, reports.validateFunction.executionRole.roleName);
    expect(flatResources(statements, 'lambda:InvokeFunction')).toEqual([
      `<${logicalIdOf(stack, reports.runFunction.functionArn)}.Arn>`,
    ]);
  });
});

describe("SES's events beside the ledger", () => {
  it("publishes the reports' events to EventBridge and records this configuration set's in the data root", () => {
    // Act
    const { stack, reports, template } = build();

    // Assert
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        EventBridgeDestination: Match.anyValue(),
        MatchingEventTypes: Match.arrayWith(['send', 'delivery']),
      }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        detail: {
          mail: {
            tags: {
              'ses:configuration-set': [resolved(stack, reports.configurationSet.configurationSetName)],
            },
          },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: resolved(stack, reports.deliveryEventsFunction.functionArn),
          DeadLetterConfig: { Arn: resolved(stack, reports.deadLetterQueue.queueArn) },
        }),
      ],
    });
    const bucket = logicalIdOf(stack, reports.dataBucket.bucketName);
    const statements = allowStatementsOf(
      stack,
      template,
      reports.deliveryEventsFunction.executionRole.roleName,
    );
    expect(flatResources(statements, 's3:PutObject')).toEqual([
      `<${bucket}.Arn>/reports/*/deliveries/events/*`,
    ]);
    expect(flatResources(statements, 's3:GetObject')).toEqual([]);
  });
});
