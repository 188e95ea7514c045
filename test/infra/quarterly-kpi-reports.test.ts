import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { KpiReportStack } from '../../infra/kpi-report-stack';
import type { QuarterlyKpiReportsProps } from '../../infra/quarterly-kpi-reports';
import { reportKeys } from '../../src/use-cases/report-keys';
import {
  actionsOf,
  allowStatementsOf,
  flatResources,
  logicalIdOf,
  resolved,
  testApp,
} from './support/infra-app';

const SENDER = 'kpi@acme.example';

function build(props: Partial<QuarterlyKpiReportsProps> = {}) {
  const app = testApp();
  const stack = new KpiReportStack(app, 'Test', {
    reports: { senderEmail: SENDER, alarmEmail: 'alarms@acme.example', ...props },
  });
  return { stack, reports: stack.reports, template: Template.fromStack(stack) };
}

/** The KPI_REPORT_CONFIG a function gets, with each reference replaced by `<logicalId>`. */
function deployedConfig(template: Template, functionLogicalId: string): Record<string, unknown> {
  const fn = template.toJSON().Resources[functionLogicalId];
  const value = fn.Properties.Environment.Variables.KPI_REPORT_CONFIG as
    | string
    | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof value === 'string'
      ? value
      : value['Fn::Join'][1]
          .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
          .join('');
  return JSON.parse(text) as Record<string, unknown>;
}

describe('the quarterly schedule', () => {
  it('runs at 06:00 on the 5th of January, April, July and October in the reporting time zone', () => {
    // Arrange
    const { template } = build({ timeZone: 'Europe/Paris' });

    // Assert: the quarterly run and the upload sweep
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 5 1,4,7,10 ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'ENABLED',
    });
  });

  it('invokes the run function with the schedule event naming the scheduled time', () => {
    const { stack, reports, template } = build();

    const schedule = template.toJSON().Resources[logicalIdOf(stack, reports.schedule.scheduleArn)];

    expect(schedule?.Properties.Target.Arn).toEqual(resolved(stack, reports.runFunction.functionArn));
    expect(JSON.parse(schedule?.Properties.Target.Input as string)).toEqual({
      source: 'schedule',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });

  it('follows the fiscal year: quarters starting in February run in February, May, August and November', () => {
    const { template } = build({ configuration: { fiscalYearStartMonth: 2 } });

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 5 2,5,8,11 ? *)',
      ScheduleExpressionTimezone: 'UTC',
    });
  });

  it('takes the time zone from the configuration when the prop is not set', () => {
    const { template } = build({ configuration: { timeZone: 'America/New_York' } });

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpressionTimezone: 'America/New_York',
    });
  });

  it('uses a given schedule expression and refuses one EventBridge Scheduler would not take', () => {
    const { template } = build({ scheduleExpression: 'cron(30 7 1 1,4,7,10 ? *)' });

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 7 1 1,4,7,10 ? *)',
    });
    expect(() => build({ scheduleExpression: '0 6 5 1,4,7,10 *' })).toThrow(
      /not an EventBridge Scheduler expression/,
    );
  });

  it('refuses a time zone that is not an IANA name', () => {
    expect(() => build({ timeZone: 'Paris' })).toThrow(/timeZone: not an IANA time zone/);
  });
});

describe('the upload sweep', () => {
  it('runs every hour and invokes the validate function with the sweep event', () => {
    // Arrange
    const { stack, reports, template } = build({ timeZone: 'Europe/Paris' });

    // Act
    const sweep = template.toJSON().Resources[logicalIdOf(stack, reports.uploadSweep.scheduleArn)];

    // Assert
    expect(sweep?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      GroupName: resolved(stack, reports.scheduleGroup.scheduleGroupName),
      Target: { Arn: resolved(stack, reports.validateFunction.functionArn) },
    });
    expect(JSON.parse(sweep?.Properties.Target.Input as string)).toEqual({ source: 'sweep' });
  });

  it('retries 3 times within an hour, then dead-letters the event into the shared queue', () => {
    const { stack, reports, template } = build();

    const sweep = template.toJSON().Resources[logicalIdOf(stack, reports.uploadSweep.scheduleArn)];

    expect(sweep?.Properties.Target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: resolved(stack, reports.deadLetterQueue.queueArn) },
    });
  });

  it('assumes a role of its own that can invoke only the validate function and dead-letter', () => {
    const { stack, reports, template } = build();
    const sweepRole = reports.schedules.uploadSweepRole;
    const resources = template.toJSON().Resources;
    const sweep = resources[logicalIdOf(stack, reports.uploadSweep.scheduleArn)];
    const quarterly = resources[logicalIdOf(stack, reports.schedule.scheduleArn)];
    const validate = `<${logicalIdOf(stack, reports.validateFunction.functionArn)}.Arn>`;

    const statements = allowStatementsOf(stack, template, sweepRole.roleName);

    expect(sweep?.Properties.Target.RoleArn).toEqual(resolved(stack, sweepRole.roleArn));
    expect(quarterly?.Properties.Target.RoleArn).not.toEqual(resolved(stack, sweepRole.roleArn));
    expect(statements.flatMap(actionsOf).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    expect(flatResources(statements, 'lambda:InvokeFunction').sort()).toEqual([validate, `${validate}:*`]);
    expect(flatResources(statements, 'sqs:SendMessage')).toEqual([
      `<${logicalIdOf(stack, reports.deadLetterQueue.queueArn)}.Arn>`,
    ]);
  });

  it('takes another recurring expression, and refuses one that is not', () => {
    const { stack, reports, template } = build({ uploadSweepExpression: 'rate(15 minutes)' });

    const sweep = template.toJSON().Resources[logicalIdOf(stack, reports.uploadSweep.scheduleArn)];

    expect(sweep?.Properties.ScheduleExpression).toBe('rate(15 minutes)');
    expect(() => build({ uploadSweepExpression: 'at(2026-10-05T06:00:00)' })).toThrow(
      /uploadSweepExpression .* not a recurring/,
    );
  });

  it('lets the validate function write only its own files under reports/, and the wait and status it ends', () => {
    const { stack, reports, template } = build();
    const bucket = logicalIdOf(stack, reports.dataBucket.bucketName);

    const statements = allowStatementsOf(stack, template, reports.validateFunction.executionRole.roleName);

    expect(flatResources(statements, 's3:PutObject').sort()).toEqual([
      `<${bucket}.Arn>/reports/*/export-wait.json`,
      `<${bucket}.Arn>/reports/*/first-upload.json`,
      `<${bucket}.Arn>/reports/*/status.json`,
      `<${bucket}.Arn>/reports/*/upload-activity.json`,
      `<${bucket}.Arn>/reports/*/upload-notice.json`,
      `<${bucket}.Arn>/reports/*/validation.json`,
    ]);
    expect(flatResources(statements, 's3:ListBucket')).toEqual([`<${bucket}.Arn>`]);
  });
});

describe('retries and the dead-letter queue', () => {
  it('retries the schedule 3 times within an hour, then dead-letters the event', () => {
    const { stack, reports, template } = build();

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: resolved(stack, reports.deadLetterQueue.queueArn) },
      }),
    });
  });

  it('retries a failed asynchronous run twice and sends it to the same dead-letter queue', () => {
    const { stack, reports, template } = build();

    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: resolved(stack, reports.runFunction.functionName),
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: resolved(stack, reports.deadLetterQueue.queueArn) } },
    });
  });

  it('keeps the dead letters encrypted for 14 days and accepts them over TLS only', () => {
    const { stack, reports, template } = build();

    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [resolved(stack, reports.deadLetterQueue.queueUrl)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('the reports API', () => {
  it('has POST /reports and GET /reports/{quarter}, and every method requires IAM authorisation', () => {
    const { template } = build();

    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const paths = Object.values(template.findResources('AWS::ApiGateway::Resource')).map(
      (resource) => resource.Properties.PathPart,
    );

    expect(methods.map((method) => method.Properties.HttpMethod).sort()).toEqual(['GET', 'POST']);
    expect(paths.sort()).toEqual(['reports', '{quarter}']);
    for (const method of methods) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('has no method without authorisation', () => {
    const { template } = build();

    expect(
      template.findResources('AWS::ApiGateway::Method', {
        Properties: { AuthorizationType: Match.not('AWS_IAM') },
      }),
    ).toEqual({});
  });

  it('outputs the stage URL without a trailing slash, so that "$ReportsApiUrl/reports" is the path', () => {
    const { stack, reports, template } = build();

    template.hasOutput('ReportsApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            resolved(stack, reports.api.restApiId),
            '.execute-api.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/',
            resolved(stack, reports.api.deploymentStage.stageName),
          ],
        ],
      },
    });
  });

  it('logs each request to its own log group and throttles the stage', () => {
    const { template } = build();

    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, HttpMethod: '*' }),
      ]),
    });
  });

  it('lets the API function invoke only the run function and write only status.json under reports/', () => {
    const { stack, reports, template } = build();
    const bucket = logicalIdOf(stack, reports.dataBucket.bucketName);

    const statements = allowStatementsOf(stack, template, reports.apiFunction.executionRole.roleName);

    expect(flatResources(statements, 'lambda:InvokeFunction')).toEqual([
      `<${logicalIdOf(stack, reports.runFunction.functionArn)}.Arn>`,
    ]);
    expect(flatResources(statements, 's3:PutObject')).toEqual([`<${bucket}.Arn>/reports/*/status.json`]);
    expect(flatResources(statements, 's3:GetObject')).toEqual([`<${bucket}.Arn>/reports/*`]);
  });
});

describe('the data bucket', () => {
  it('blocks public access, encrypts, keeps versions for 90 days and logs access to a separate bucket', () => {
    const { stack, reports, template } = build();
    const data = template.toJSON().Resources[logicalIdOf(stack, reports.dataBucket.bucketName)];

    expect(data.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: expect.arrayContaining([
          expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
        ]),
      },
      LoggingConfiguration: {
        DestinationBucketName: {
          Ref: expect.not.stringMatching(logicalIdOf(stack, reports.dataBucket.bucketName)),
        },
        LogFilePrefix: 'data-bucket/',
      },
    });
    expect(data.DeletionPolicy).toBe('Retain');
  });

  it('expires run leftovers and dry runs after 7 days, each under its one literal prefix', () => {
    const { stack, reports, template } = build({ dataPrefix: 'kpi' });

    const rules =
      template.toJSON().Resources[logicalIdOf(stack, reports.dataBucket.bucketName)].Properties
        .LifecycleConfiguration.Rules;

    expect(rules).toEqual(
      expect.arrayContaining([
        {
          Id: 'expire-runs',
          Prefix: 'kpi/reports/runs/',
          ExpirationInDays: 7,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          Status: 'Enabled',
        },
        {
          Id: 'expire-dry-runs',
          Prefix: 'kpi/reports/dry-runs/',
          ExpirationInDays: 7,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          Status: 'Enabled',
        },
      ]),
    );
    // The prefixes are the folders the use cases write (one source for both).
    expect(reportKeys.shuffle('2026-Q3', 'r-1')).toMatch(/^reports\/runs\//);
    expect(reportKeys.dryRun('2026-Q3', 'r-1')).toMatch(/^reports\/dry-runs\//);
  });

  it('keeps run leftovers for runLeftoverDays, and refuses a number of days that is not a whole day or more', () => {
    const { stack, reports, template } = build({ runLeftoverDays: 30 });

    const rules = template.toJSON().Resources[logicalIdOf(stack, reports.dataBucket.bucketName)].Properties
      .LifecycleConfiguration.Rules as { Id: string; ExpirationInDays?: number }[];

    expect(
      rules.filter((rule) => rule.Id.startsWith('expire-') && rule.ExpirationInDays === 30),
    ).toHaveLength(2);
    expect(() => build({ runLeftoverDays: 0 })).toThrow(/runLeftoverDays is 0; give a whole number of days/);
    expect(() => build({ runLeftoverDays: 1.5 })).toThrow(/runLeftoverDays/);
  });

  it('refuses requests without TLS, on the data bucket and on the access-log bucket', () => {
    const { template } = build();

    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));

    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });

  it('keeps the access-log bucket private, encrypted and retained too', () => {
    const { stack, reports, template } = build();
    const dataBucket = logicalIdOf(stack, reports.dataBucket.bucketName);

    const [logs, ...others] = Object.entries(template.findResources('AWS::S3::Bucket')).filter(
      ([id]) => id !== dataBucket,
    );

    expect(others).toEqual([]);
    expect(logs?.[1]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      },
    });
  });

  it('queues a notice of each upload under exports/, and only there, for validation', () => {
    const { stack, reports, template } = build();

    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'exports/' }] } },
            QueueArn: resolved(stack, reports.uploadQueue.queueArn),
          },
        ],
      },
    });
  });

  it('puts everything under dataPrefix: the notification, the grants and DATA_PREFIX', () => {
    const { stack, reports, template } = build({ dataPrefix: '/kpi/data/' });
    const bucket = logicalIdOf(stack, reports.dataBucket.bucketName);

    const statements = allowStatementsOf(stack, template, reports.runFunction.executionRole.roleName);

    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          Match.objectLike({
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'kpi/data/exports/' }] } },
          }),
        ],
      },
    });
    expect(flatResources(statements, 's3:PutObject')).toEqual([`<${bucket}.Arn>/kpi/data/reports/*`]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DATA_PREFIX: 'kpi/data' }) },
    });
  });

  it('uses an existing bucket by name, without creating one, and warns that its settings are not checked', () => {
    const { stack, reports, template } = build({ existingBucketName: 'acme-kpi-exports' });

    const statements = allowStatementsOf(stack, template, reports.runFunction.executionRole.roleName);

    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(flatResources(statements, 's3:GetObject').sort()).toEqual([
      'arn:<AWS::Partition>:s3:::acme-kpi-exports/config/kpi-report.json',
      'arn:<AWS::Partition>:s3:::acme-kpi-exports/exports/*',
      'arn:<AWS::Partition>:s3:::acme-kpi-exports/reports/*',
    ]);
    Annotations.fromStack(stack).hasWarning(
      '/Test/Reports/DataRoot',
      Match.stringLikeRegexp(
        'acme-kpi-exports is imported.*lifecycle rules.*reports/runs/ and reports/dry-runs/',
      ),
    );
  });

  it('refuses a data prefix with an empty or relative segment', () => {
    expect(() => build({ dataPrefix: 'kpi//data' })).toThrow(/dataPrefix/);
    expect(() => build({ dataPrefix: 'kpi/../data' })).toThrow(/dataPrefix/);
  });
});

describe("the run function's role", () => {
  it('reads exports/, reports/ and the report settings object, writes reports/ only, and lists the bucket', () => {
    const { stack, reports, template } = build();
    const bucket = logicalIdOf(stack, reports.dataBucket.bucketName);

    const statements = allowStatementsOf(stack, template, reports.runFunction.executionRole.roleName);

    expect(flatResources(statements, 's3:GetObject').sort()).toEqual([
      `<${bucket}.Arn>/config/kpi-report.json`,
      `<${bucket}.Arn>/exports/*`,
      `<${bucket}.Arn>/reports/*`,
    ]);
    expect(flatResources(statements, 's3:PutObject')).toEqual([`<${bucket}.Arn>/reports/*`]);
    expect(flatResources(statements, 's3:ListBucket')).toEqual([`<${bucket}.Arn>`]);
  });

  it('cannot write, delete or change anything under exports/', () => {
    const { stack, reports, template } = build();

    const statements = allowStatementsOf(stack, template, reports.runFunction.executionRole.roleName);
    const s3Actions = statements.flatMap(actionsOf).filter((action) => action.startsWith('s3:'));

    expect(new Set(s3Actions)).toEqual(new Set(['s3:GetObject', 's3:PutObject', 's3:ListBucket']));
    for (const resource of flatResources(statements, 's3:PutObject')) expect(resource).not.toMatch(/exports/);
  });

  it('sends raw mail from the sender address to any recipient identity of the account, through the configuration set', () => {
    const { stack, reports, template } = build({ senderName: 'Acme KPIs' });

    const statements = allowStatementsOf(stack, template, reports.runFunction.executionRole.roleName);
    const sending = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('ses:')),
    );

    // Only the send the code makes (SesMailer: SendRawEmail), never ses:SendEmail.
    expect(sending).toHaveLength(1);
    expect(actionsOf(sending[0] ?? { Effect: '', Action: [], Resource: [] })).toEqual(['ses:SendRawEmail']);
    // Sandbox: SES checks the role against each recipient that is a verified identity too.
    expect(sending[0]?.Resource).toEqual(
      expect.arrayContaining([
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ses:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':identity/*',
            ],
          ],
        },
        expect.objectContaining({
          'Fn::Join': [
            '',
            expect.arrayContaining([
              { Ref: logicalIdOf(stack, reports.configurationSet.configurationSetName) },
            ]),
          ],
        }),
      ]),
    );
    expect(sending[0]?.Resource).toHaveLength(2);
    // ...but only as the sender: the From address, whatever the display name.
    expect(sending[0]?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': SENDER } });
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: SENDER });
  });

  it('conditions sending on the address of a configured From header, display name left out', () => {
    const { stack, reports, template } = build({
      senderEmail: undefined,
      senderDomain: 'acme.example',
      configuration: { email: { from: 'Acme Reports <Reports@acme.example>' } },
    });

    const sending = allowStatementsOf(stack, template, reports.runFunction.executionRole.roleName).filter(
      (statement) => actionsOf(statement).includes('ses:SendRawEmail'),
    );

    expect(sending[0]?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'Reports@acme.example' } });
  });

  it('shares the right to send mail with the distributed reduce step only', () => {
    const { stack, reports, template } = build();

    const senders = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('ses:Send'),
    );

    expect(senders.flatMap((policy) => policy.Properties.Roles as unknown[])).toEqual(
      expect.arrayContaining([
        resolved(stack, reports.runFunction.executionRole.roleName),
        resolved(stack, reports.distributedReads.reduceFunction.executionRole.roleName),
      ]),
    );
    expect(senders.flatMap((policy) => policy.Properties.Roles as unknown[])).toHaveLength(2);
  });
});

describe('the functions', () => {
  it('run Node.js 22 on arm64 with tracing and a log group kept for a year', () => {
    const { stack, reports, template } = build();
    const resources = template.toJSON().Resources;

    const functions = [reports.runFunction, reports.validateFunction, reports.apiFunction].map(
      (fn) => resources[logicalIdOf(stack, fn.functionArn)],
    );

    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything() },
        Environment: {
          Variables: expect.objectContaining({
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: reports.serviceName,
            POWERTOOLS_METRICS_NAMESPACE: 'kpi-report',
          }),
        },
      });
    }
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(logGroup.Properties.RetentionInDays).toBe(365);
    }
  });

  it('give the run function about 2 vCPUs (3,538 MB) for its reader threads and 10 minutes', () => {
    const { stack, reports, template } = build();

    const run = template.toJSON().Resources[logicalIdOf(stack, reports.runFunction.functionArn)];

    expect(run.Properties).toMatchObject({ MemorySize: 3538, Timeout: 600 });
  });

  it('hand every function the kpi-report configuration with the sender, the configuration set and sending on', () => {
    const { stack, reports, template } = build({
      senderName: 'Acme KPIs',
      recipients: [{ address: 'ceo@acme.example', name: 'Alex' }],
      configuration: { companyName: 'Acme', currency: 'EUR' },
      timeZone: 'Europe/Paris',
    });
    const configurationSet = logicalIdOf(stack, reports.configurationSet.configurationSetName);

    for (const fn of [reports.runFunction, reports.validateFunction, reports.apiFunction]) {
      expect(deployedConfig(template, logicalIdOf(stack, fn.functionArn))).toEqual({
        companyName: 'Acme',
        currency: 'EUR',
        timeZone: 'Europe/Paris',
        email: {
          from: `Acme KPIs <${SENDER}>`,
          recipients: [{ address: 'ceo@acme.example', name: 'Alex' }],
          send: true,
          ses: { configurationSetName: `<${configurationSet}>` },
        },
      });
    }
  });

  it('point the API function at the run function and the validate function at the ops topic', () => {
    const { stack, reports, template } = build();

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ RUN_FUNCTION_NAME: resolved(stack, reports.runFunction.functionName) }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ OPS_TOPIC_ARN: resolved(stack, reports.opsTopic.topicArn) }),
      },
    });
    const statements = allowStatementsOf(stack, template, reports.validateFunction.executionRole.roleName);
    expect(flatResources(statements, 'sns:Publish')).toEqual([
      `<${logicalIdOf(stack, reports.opsTopic.topicArn)}>`,
    ]);
  });

  it('refuse a configuration the functions would reject, naming the field', () => {
    expect(() => build({ configuration: { currency: 'euro', minimumSample: 0 } })).toThrow(
      /currency: .*\n.*minimumSample/s,
    );
  });

  it('refuse configuration settings the deployment owns', () => {
    expect(() => build({ configuration: { email: { templateDir: './mine' } } })).toThrow(/templateDir/);
    expect(() => build({ configuration: { email: { ses: { region: 'us-east-1' } } } })).toThrow(/email\.ses/);
    expect(() => build({ timeZone: 'UTC', configuration: { timeZone: 'Europe/Paris' } })).toThrow(/differ/);
    expect(() =>
      build({ recipients: [{ address: 'a@acme.example' }], configuration: { email: { recipients: [] } } }),
    ).toThrow(/not both/);
  });

  it("refuse an environment over Lambda's 4 KB, at synth time", () => {
    const recipients = Array.from({ length: 120 }, (_, index) => ({ address: `exec${index}@acme.example` }));

    expect(() => build({ recipients })).toThrow(/4096-byte limit/);
  });
});

describe('SES', () => {
  it('sends bounces and complaints to the operations topic', () => {
    const { stack, reports, template } = build();

    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: resolved(stack, reports.configurationSet.configurationSetName),
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: resolved(stack, reports.opsTopic.topicArn) },
      },
    });
  });

  it('verifies a sender domain with DKIM and keeps the configured address', () => {
    const { template } = build({
      senderEmail: undefined,
      senderDomain: 'Acme.Example',
      configuration: { email: { from: 'Acme KPIs <kpis@acme.example>' } },
    });

    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'acme.example' });
    template.hasOutput('DkimRecord1', Match.anyValue());
    template.hasOutput('SenderAddress', { Value: 'kpis@acme.example' });
  });

  it('refuses a sender outside its domain, a from address that is not the sender, or no sender', () => {
    expect(() => build({ senderEmail: 'kpi@other.example', senderDomain: 'acme.example' })).toThrow(
      /not in senderDomain/,
    );
    expect(() => build({ configuration: { email: { from: 'KPIs <someone@acme.example>' } } })).toThrow(
      /not the sender identity/,
    );
    expect(() => build({ senderEmail: undefined })).toThrow(/set senderEmail or senderDomain/);
  });
});

describe('topics and alarms', () => {
  it('encrypts both topics with a rotating key and refuses publishing without TLS', () => {
    const { template } = build();

    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });

  it('emails the alarm and ops topics to the given addresses', () => {
    const { stack, reports, template } = build({ opsEmail: 'ops@acme.example' });

    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'alarms@acme.example',
      TopicArn: resolved(stack, reports.alarmTopic.topicArn),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@acme.example',
      TopicArn: resolved(stack, reports.opsTopic.topicArn),
    });
  });

  it("alarm on each function's errors", () => {
    const { stack, reports, template } = build();

    for (const fn of [reports.runFunction, reports.validateFunction, reports.apiFunction]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: resolved(stack, fn.functionName) }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [resolved(stack, reports.alarmTopic.topicArn)],
      });
    }
  });

  it('alarm as soon as the dead-letter queue holds a message', () => {
    const { stack, reports, template } = build();

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: resolved(stack, reports.deadLetterQueue.queueName) }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [resolved(stack, reports.alarmTopic.topicArn)],
    });
  });

  it('alarm when the schedule drops an invocation, fails to invoke, or cannot dead-letter', () => {
    const { stack, reports, template } = build();

    for (const metric of [
      'InvocationDroppedCount',
      'TargetErrorCount',
      'InvocationsFailedToBeSentToDeadLetterCount',
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Scheduler',
        MetricName: metric,
        Dimensions: [
          { Name: 'ScheduleGroup', Value: resolved(stack, reports.scheduleGroup.scheduleGroupName) },
        ],
        Threshold: 1,
        AlarmActions: [resolved(stack, reports.alarmTopic.topicArn)],
      });
    }
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      GroupName: resolved(stack, reports.scheduleGroup.scheduleGroupName),
    });
  });

  it('send every alarm to the alarm topic, and treat missing data as fine but in the heartbeat', () => {
    const { stack, reports, template } = build();

    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));

    expect(alarms.length).toBe(reports.alarms.length);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        AlarmActions: [resolved(stack, reports.alarmTopic.topicArn)],
        TreatMissingData: alarm.Properties.MetricName === 'ReportOverdue' ? 'breaching' : 'notBreaching',
        AlarmDescription: expect.any(String),
      });
    }
  });
});
