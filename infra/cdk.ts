/**
 * The construct library, as another CDK app imports it: `import { QuarterlyKpiReports } from
 * 'kpi-report/cdk'`. Built to `dist/cdk/index.mjs` with its declarations and the functions
 * bundled beforehand (`scripts/build-cdk.ts`); `aws-cdk-lib` and `constructs` are the app's own.
 */
export { DataRoot, type DataRootProps } from './data-root';
export { DeadLetterQueue } from './dead-letter-queue';
export { DeliveryEventsRecorder, type DeliveryEventsRecorderProps } from './delivery-events';
export {
  DeploymentSettingsError,
  defaultScheduleExpression,
  type KpiReportConfiguration,
  type ReportRecipient,
} from './deployed-configuration';
export {
  DistributedReads,
  type DistributedReadsProps,
  DistributedRun,
  type DistributedRunProps,
} from './distributed-run';
export { KpiReportStack, type KpiReportStackProps } from './kpi-report-stack';
export { NotificationTopics, type NotificationTopicsProps } from './notification-topics';
export {
  DEFAULT_RUN_LEFTOVER_DAYS,
  DEFAULT_UPLOAD_SWEEP_EXPRESSION,
  type FunctionSize,
  QuarterlyKpiReports,
  type QuarterlyKpiReportsProps,
  type ReportFunctionSizing,
} from './quarterly-kpi-reports';
export { ReportAlarms, type ReportAlarmsProps } from './report-alarms';
export {
  FUNCTION_SIZING,
  type FunctionSizing,
  ReportFunction,
  type ReportFunctionProps,
} from './report-function';
export { ReportSchedules, type ReportSchedulesProps } from './report-schedules';
export { ReportSender, type ReportSenderProps } from './report-sender';
export { type ApiThrottling, ReportsApi, type ReportsApiProps } from './reports-api';
export { ReportsApiFunction, type ReportsApiFunctionProps } from './reports-api-function';
export { RunFunction, type RunFunctionProps } from './run-function';
export { UploadValidation, type UploadValidationProps } from './upload-validation';
