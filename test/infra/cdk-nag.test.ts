import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { defineKpiReportApp } from '../../infra/kpi-report-app';
import { testApp } from './support/infra-app';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/**
 * Synthesises the app as `cdk synth` does, with cdk-nag's AWS Solutions checks, and returns
 * each unacknowledged finding as `rule at construct path`. Synth failures are turned off so
 * that the report can be read instead of thrown.
 */
function awsSolutionsFindings(
  context: Record<string, unknown>,
  extend?: (app: ReturnType<typeof testApp>) => void,
) {
  const app = testApp({ ...context, '@aws-cdk/core:failSynthOnValidationErrors': false });
  const stack = defineKpiReportApp(app);
  extend?.(app);
  const assembly = app.synth();
  const report = JSON.parse(
    readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  return {
    stack,
    app,
    findings: report.pluginReports
      .filter((plugin) => plugin.pluginName === 'AwsSolutions')
      .flatMap((plugin) => plugin.violations)
      .flatMap((violation) =>
        violation.violatingConstructs.map(
          (construct) => `${violation.ruleName} at ${construct.constructPath}`,
        ),
      ),
  };
}

describe('cdk-nag AWS Solutions checks', () => {
  it('find nothing unacknowledged in the app with no settings', () => {
    const { findings } = awsSolutionsFindings({});

    expect(findings).toEqual([]);
  });

  it('find nothing unacknowledged with a sender domain, an existing bucket, a data prefix and emails', () => {
    const { findings } = awsSolutionsFindings({
      senderDomain: 'acme.example',
      existingBucketName: 'acme-kpi-exports',
      dataPrefix: 'kpi',
      alarmEmail: 'alarms@acme.example',
      opsEmail: 'ops@acme.example',
    });

    expect(findings).toEqual([]);
  });

  it('report a finding nobody acknowledged (this check can fail)', () => {
    const { findings } = awsSolutionsFindings({}, (app) => {
      const stack = app.node.findChild('KpiReport');
      new s3.Bucket(stack, 'CarelessBucket');
    });

    expect(findings).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AwsSolutions-S1 at KpiReport\/CarelessBucket/)]),
    );
  });

  it('acknowledge one rule, or one IAM finding, at a time, each with a specific reason', () => {
    const { app } = awsSolutionsFindings({ senderDomain: 'acme.example', dataPrefix: 'kpi' });

    const acknowledgments = app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgments) {
      expect(id).toMatch(/^(Annotation::)?AwsSolutions-[A-Z]+\d+/);
      if (/AwsSolutions-IAM[45]/.test(id)) expect(id).toMatch(/\[(Resource|Action|Policy)::.+\]$/);
      expect(reason.length, `reason for ${id}`).toBeGreaterThanOrEqual(60);
    }
  });
});
