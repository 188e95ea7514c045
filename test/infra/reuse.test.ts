/**
 * The construct in another app: two instances in one stack, a bucket of the caller's
 * encrypted with a KMS key, and every prop away from its default; cdk-nag over all of it;
 * and every bad setting named in one error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuarterlyKpiReports, type QuarterlyKpiReportsProps } from '../../infra/quarterly-kpi-reports';
import type { ReportFunction } from '../../infra/report-function';
import { actionsOf, allowStatementsOf, resolved, resourcesOf, testApp } from './support/infra-app';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7';
const ALARM_TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:team-alarms';

/** A consumer's stack: two kpi-report instances, the second on an imported SSE-KMS bucket with every prop set. */
function consumerApp(context: Record<string, unknown> = {}) {
  const app = testApp(context);
  const stack = new Stack(app, 'Consumer', { env: ENV });
  const finance = new QuarterlyKpiReports(stack, 'Finance', {
    senderEmail: 'kpi@finance.acme.example',
    alarmEmail: 'alarms@acme.example',
  });
  const bucket = s3.Bucket.fromBucketAttributes(stack, 'SalesBucket', {
    bucketName: 'acme-sales-exports',
    encryptionKey: kms.Key.fromKeyArn(stack, 'SalesKey', KEY_ARN),
  });
  const salesProps: QuarterlyKpiReportsProps = {
    senderEmail: 'kpi@sales.acme.example',
    dataBucket: bucket,
    dataPrefix: 'kpi',
    alarmTopic: sns.Topic.fromTopicArn(stack, 'TeamAlarms', ALARM_TOPIC_ARN),
    logRetention: logs.RetentionDays.THREE_MONTHS,
    functionSizing: {
      run: { memorySize: 2048, timeout: Duration.minutes(8) },
      mapPart: { memorySize: 4096 },
      api: { timeout: Duration.seconds(10) },
    },
    apiThrottling: { rateLimit: 2, burstLimit: 4 },
  };
  const sales = new QuarterlyKpiReports(stack, 'Sales', salesProps);
  return { app, stack, finance, sales };
}

/** One synth for the tests that only read the template (the first in a worker takes long). */
let built: ReturnType<typeof consumerApp> & { template: Template };
beforeAll(() => {
  const app = consumerApp();
  built = { ...app, template: Template.fromStack(app.stack) };
}, 120_000);

/** The function's properties as in the template. */
function functionProperties(template: Template, stack: Stack, fn: ReportFunction) {
  const id = (resolved(stack, fn.functionArn) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return template.toJSON().Resources[id].Properties as Record<string, unknown>;
}

describe('two instances in one stack', () => {
  it('synthesise side by side with no name shared: API, alarms, log groups, metrics service', () => {
    // Arrange, Act
    const { finance, sales, template } = built;

    // Assert
    const values = (type: string, property: string) =>
      Object.values(template.findResources(type)).map((resource) =>
        JSON.stringify(resource.Properties?.[property]),
      );
    const apiNames = values('AWS::ApiGateway::RestApi', 'Name');
    expect(apiNames).toHaveLength(2);
    expect(new Set(apiNames).size).toBe(2);
    const alarmNames = values('AWS::CloudWatch::Alarm', 'AlarmName');
    expect(alarmNames.length).toBeGreaterThan(20);
    expect(new Set(alarmNames).size).toBe(alarmNames.length);
    const logGroupNames = values('AWS::Logs::LogGroup', 'LogGroupName').filter((name) => name !== undefined);
    expect(new Set(logGroupNames).size).toBe(logGroupNames.length);
    expect(finance.serviceName).not.toBe(sales.serviceName);
    template.resourceCountIs('AWS::Lambda::Function', 14 + 1); // seven each, and CDK's bucket notifications handler
  });

  it('pass cdk-nag with nothing unacknowledged', () => {
    // Arrange
    const { app } = consumerApp({ '@aws-cdk/core:failSynthOnValidationErrors': false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    const assembly = app.synth();

    // Assert
    const report = JSON.parse(
      readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
    ) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
    };
    const findings = report.pluginReports
      .filter((plugin) => plugin.pluginName === 'AwsSolutions')
      .flatMap((plugin) => plugin.violations.map((violation) => violation.ruleName));
    expect(findings).toEqual([]);
  });
});

describe('an imported bucket encrypted with KMS', () => {
  it("grants the key's Decrypt to every function that reads it and GenerateDataKey to those that write", () => {
    // Arrange
    const { stack, sales, template } = built;
    const keyActions = (fn: ReportFunction) =>
      allowStatementsOf(stack, template, fn.executionRole.roleName)
        .filter((statement) => resourcesOf(statement).includes(KEY_ARN))
        .flatMap(actionsOf)
        .sort();

    // Assert: no bucket made; writers and readers get the key actions they need
    const salesBuckets = Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) =>
      id.startsWith('Sales'),
    );
    expect(salesBuckets).toEqual([]);
    for (const fn of [
      sales.runFunction,
      sales.validateFunction,
      sales.apiFunction,
      sales.distributedReads.mapPartFunction,
      sales.distributedReads.reduceFunction,
      sales.deliveryEventsFunction,
    ]) {
      expect(keyActions(fn), fn.node.path).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    }
  });
});

describe('props away from their defaults', () => {
  it('keep logs for the retention asked, in every function, the API access logs and the state machine', () => {
    const { sales, template } = built;

    const salesLogGroups = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) =>
      id.startsWith('Sales'),
    );

    expect(salesLogGroups.length).toBe(9); // seven functions, the API's access logs, the state machine
    for (const [id, group] of salesLogGroups) expect(group.Properties.RetentionInDays, id).toBe(90);
    expect(sales.alarms.length).toBeGreaterThan(0);
  });

  it('size the functions as asked and leave the others at their measured defaults', () => {
    const { stack, sales, template } = built;

    expect(functionProperties(template, stack, sales.runFunction)).toMatchObject({
      MemorySize: 2048,
      Timeout: 480,
    });
    expect(functionProperties(template, stack, sales.distributedReads.mapPartFunction)).toMatchObject({
      MemorySize: 4096,
      Timeout: 900,
    });
    expect(functionProperties(template, stack, sales.apiFunction)).toMatchObject({
      MemorySize: 1024,
      Timeout: 10,
    });
    expect(functionProperties(template, stack, sales.validateFunction)).toMatchObject({
      MemorySize: 3538,
      Timeout: 300,
    });
  });

  it('throttle the API as asked and raise every alarm on the existing topic', () => {
    const { stack, sales, template } = built;

    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      RestApiId: resolved(stack, sales.api.restApiId),
      MethodSettings: [
        { ThrottlingRateLimit: 2, ThrottlingBurstLimit: 4, HttpMethod: '*', ResourcePath: '/*' },
      ],
    });
    const salesAlarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) =>
      id.startsWith('Sales'),
    );
    expect(salesAlarms).toHaveLength(sales.alarms.length);
    for (const [id, alarm] of salesAlarms)
      expect(alarm.Properties.AlarmActions, id).toEqual([ALARM_TOPIC_ARN]);
    // Finance's alarm topic and ops topic, and Sales' ops topic only.
    template.resourceCountIs('AWS::SNS::Topic', 3);
  });
});

describe('settings that cannot work', () => {
  it('are named all in one error, not one per synth', () => {
    const app = testApp();
    const stack = new Stack(app, 'Broken', { env: ENV });

    expect(
      () =>
        new QuarterlyKpiReports(stack, 'Reports', {
          senderDomain: 'not a domain',
          scheduleExpression: 'every quarter',
          runLeftoverDays: 0,
          distributedMaxConcurrency: 0,
          configuration: { currency: 'euro' },
        }),
    ).toThrow(
      /5 deployment settings are not valid:\n {2}- senderDomain .*\n {2}- runLeftoverDays is 0.*\n {2}- the kpi-report configuration is not valid:\n.*currency.*\n {2}- scheduleExpression "every quarter".*\n {2}- distributedMaxConcurrency/,
    );
  });
});
