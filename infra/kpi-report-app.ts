/**
 * Builds the kpi-report CDK app: the stack from the deployment settings in context, the
 * placeholder warnings, and cdk-nag's AWS Solutions checks, whose unacknowledged findings
 * fail the synth.
 */
import { Annotations, type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readDeploymentSettings } from './deployment-settings';
import { KpiReportStack } from './kpi-report-stack';

export function defineKpiReportApp(app: App): KpiReportStack {
  const settings = readDeploymentSettings(app.node);
  const stack = new KpiReportStack(app, settings.stackName, {
    description: 'kpi-report: quarterly client KPIs from CSV exports in S3, emailed through SES',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    reports: settings.props,
  });
  for (const warning of settings.warnings) {
    Annotations.of(stack).addWarningV2('kpi-report:placeholderSetting', warning);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
