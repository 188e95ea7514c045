/**
 * The CDK app's entry point (`cdk.json`): `npx cdk synth`, `npx cdk deploy`. A deployment
 * setting that cannot work ends the synth with every problem listed and no stack trace:
 * the message is the whole answer.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../src/core/config';
import { DeploymentSettingsError } from './deployed-configuration';
import { defineKpiReportApp } from './kpi-report-app';

try {
  const app = new App();
  defineKpiReportApp(app);
  app.synth();
} catch (error) {
  if (!(error instanceof DeploymentSettingsError || error instanceof ConfigError)) throw error;
  process.stderr.write(`kpi-report: ${error.message}\n`);
  process.exitCode = 1;
}
