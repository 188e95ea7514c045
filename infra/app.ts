/** The CDK app's entry point (`cdk.json`): `npx cdk synth`, `npx cdk deploy`. */
import { App } from 'aws-cdk-lib';
import { defineKpiReportApp } from './kpi-report-app';

defineKpiReportApp(new App());
