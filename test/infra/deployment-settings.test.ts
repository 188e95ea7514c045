import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER_SENDER, readDeploymentSettings } from '../../infra/deployment-settings';
import { synthKpiReport, testApp } from './support/infra-app';

function settingsFile(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'kpi-report-settings-')), 'deploy.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('deployment settings from CDK context', () => {
  it('make -c senderEmail the SES email identity and the From address', () => {
    // Arrange
    const context = { senderEmail: 'kpi@acme.example', senderName: 'Acme KPIs' };

    // Act
    const { template } = synthKpiReport(context);

    // Assert
    template.resourceCountIs('AWS::SES::EmailIdentity', 1);
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'kpi@acme.example' });
    template.hasOutput('SenderAddress', { Value: 'kpi@acme.example' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          KPI_REPORT_CONFIG: {
            'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('Acme KPIs <kpi@acme.example>')])],
          },
        }),
      },
    });
  });

  it('make -c senderDomain a DKIM-verified domain identity sending as kpi-report@ that domain', () => {
    const { template } = synthKpiReport({ senderDomain: 'acme.example' });

    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'acme.example' });
    template.hasOutput('SenderAddress', { Value: 'kpi-report@acme.example' });
    for (const output of ['DkimRecord1', 'DkimRecord2', 'DkimRecord3']) {
      template.hasOutput(output, { Value: Match.anyValue() });
    }
  });

  it('subscribe -c alarmEmail and -c opsEmail, and take recipients as a comma-separated list', () => {
    const { stack, template } = synthKpiReport({
      senderEmail: 'kpi@acme.example',
      alarmEmail: 'alarms@acme.example',
      opsEmail: 'ops@acme.example',
      recipients: 'ceo@acme.example, cfo@acme.example',
    });

    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'alarms@acme.example' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'ops@acme.example' });
    expect(stack.reports.senderAddress).toBe('kpi@acme.example');
    const config = JSON.stringify(template.toJSON().Resources);
    expect(config).toContain('{\\"address\\":\\"ceo@acme.example\\"},{\\"address\\":\\"cfo@acme.example\\"}');
  });

  it('take recipients as a JSON array with names and segments', () => {
    const recipients = JSON.stringify([
      { address: 'emea@acme.example', name: 'Sam', segments: [{ dimension: 'region', value: 'EMEA' }] },
    ]);

    const settings = readDeploymentSettings(testApp({ recipients }).node);

    expect(settings.props.recipients).toEqual([
      { address: 'emea@acme.example', name: 'Sam', segments: [{ dimension: 'region', value: 'EMEA' }] },
    ]);
  });

  it('read a configFile, with -c values winning over the file', () => {
    const file = settingsFile({
      senderEmail: 'file@acme.example',
      alarmEmail: 'file-alarms@acme.example',
      timeZone: 'Europe/Paris',
      configuration: { companyName: 'Acme', currency: 'EUR' },
    });

    const settings = readDeploymentSettings(
      testApp({ configFile: file, alarmEmail: 'cli@acme.example' }).node,
    );

    expect(settings.props).toMatchObject({
      senderEmail: 'file@acme.example',
      alarmEmail: 'cli@acme.example',
      timeZone: 'Europe/Paris',
      configuration: { companyName: 'Acme', currency: 'EUR' },
    });
    expect(settings.warnings).toEqual([]);
  });

  it('resolve a relative configFile from the working directory', () => {
    const file = settingsFile({ senderDomain: 'acme.example', stackName: 'AcmeKpis' });

    const settings = readDeploymentSettings(
      testApp({ configFile: path.basename(file) }).node,
      path.dirname(file),
    );

    expect(settings).toMatchObject({ stackName: 'AcmeKpis', props: { senderDomain: 'acme.example' } });
  });

  it('synthesise with nothing set: a placeholder sender, and warnings saying what to set', () => {
    const { stack, template } = synthKpiReport();

    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: PLACEHOLDER_SENDER });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/KpiReport', Match.stringLikeRegexp('No sender set.*-c senderEmail='));
    annotations.hasWarning('/KpiReport/Reports/Topics', Match.stringLikeRegexp('No alarmEmail'));
    annotations.hasWarning('/KpiReport/Reports', Match.stringLikeRegexp('No recipients'));
    expect(stack.stackName).toBe('KpiReport');
  });

  it('take -c distributedMaxConcurrency as a number (context values are strings), or from the file', () => {
    const fromContext = readDeploymentSettings(testApp({ distributedMaxConcurrency: '12' }).node);
    const fromFile = readDeploymentSettings(
      testApp({ configFile: settingsFile({ distributedMaxConcurrency: 100 }) }).node,
    );

    expect(fromContext.props.distributedMaxConcurrency).toBe(12);
    expect(fromFile.props.distributedMaxConcurrency).toBe(100);
    expect(() => readDeploymentSettings(testApp({ distributedMaxConcurrency: 'lots' }).node)).toThrow(
      /distributedMaxConcurrency/,
    );
    expect(() => readDeploymentSettings(testApp({ distributedMaxConcurrency: '0' }).node)).toThrow(
      /distributedMaxConcurrency: at least 1/,
    );
  });

  it('take -c waitForExportsDays and -c reportDueDays as whole numbers of days', () => {
    const settings = readDeploymentSettings(testApp({ waitForExportsDays: '45', reportDueDays: '12' }).node);

    expect(settings.props).toMatchObject({ waitForExportsDays: 45, reportDueDays: 12 });
    expect(() => readDeploymentSettings(testApp({ reportDueDays: '1.5' }).node)).toThrow(
      /reportDueDays: a whole number of days/,
    );
  });

  it('take -c runLeftoverDays as a whole number of days', () => {
    const settings = readDeploymentSettings(testApp({ runLeftoverDays: '14' }).node);

    expect(settings.props.runLeftoverDays).toBe(14);
    expect(() => readDeploymentSettings(testApp({ runLeftoverDays: '0' }).node)).toThrow(
      /runLeftoverDays: at least 1/,
    );
  });

  it('refuse bad values, naming every field at fault', () => {
    const app = testApp({ senderEmail: 'not-an-address', alarmEmail: 'alarms.acme.example' });

    expect(() => readDeploymentSettings(app.node)).toThrow(
      /senderEmail: not an email address\n.*alarmEmail: not an email address/,
    );
  });

  it('refuse an unknown field in the configFile, so a typo is never ignored', () => {
    const file = settingsFile({ senderEmial: 'kpi@acme.example' });

    expect(() => readDeploymentSettings(testApp({ configFile: file }).node)).toThrow(/senderEmial/);
  });

  it('refuse a configFile that is missing or not a JSON object', () => {
    expect(() => readDeploymentSettings(testApp({ configFile: '/nonexistent/deploy.json' }).node)).toThrow(
      /cannot be read/,
    );
    expect(() => readDeploymentSettings(testApp({ configFile: settingsFile('[1, 2]') }).node)).toThrow(
      /not a JSON object/,
    );
  });
});
