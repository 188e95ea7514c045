/**
 * The settings of a `QuarterlyKpiReports`, resolved from its props and checked before
 * anything is built, so that one synth names every problem at once
 * (`DeploymentSettingsError`).
 */
import { DEFAULT_REPORT_DUE_DAYS, DEFAULT_WAIT_FOR_EXPORTS_DAYS } from '../src/use-cases/report-deadlines';
import {
  checkWholeDays,
  type DeployedConfiguration,
  defaultScheduleExpression,
  deployedConfiguration,
  normalisePrefix,
  resolveSender,
  type Sender,
  SettingsProblems,
} from './deployed-configuration';
import {
  DEFAULT_RUN_LEFTOVER_DAYS,
  DEFAULT_UPLOAD_SWEEP_EXPRESSION,
  type QuarterlyKpiReportsProps,
} from './quarterly-kpi-reports-props';

/** The From header used to check the configuration when the sender itself is refused. */
const PLACEHOLDER_FROM = 'KPI report <kpi-report@example.com>';

/** Every setting the construct builds from, with its default applied. */
export interface ConstructSettings {
  readonly sender: Sender;
  /** The data root's key prefix without slashes ('' for the bucket root). */
  readonly dataPrefix: string;
  readonly waitForExportsDays: number;
  readonly reportDueDays: number;
  readonly runLeftoverDays: number;
  /** The configuration the functions get, and what it says. */
  readonly deployed: DeployedConfiguration;
  readonly scheduleExpression: string;
  readonly uploadSweepExpression: string;
}

/** Resolves and checks the props; throws `DeploymentSettingsError` naming every problem. */
export function checkConstructSettings(props: QuarterlyKpiReportsProps): ConstructSettings {
  const problems = new SettingsProblems();
  const sender = problems.collect(() => resolveSender(props));
  const dataPrefix = problems.collect(() => normalisePrefix(props.dataPrefix ?? '')) ?? '';
  const waitForExportsDays = props.waitForExportsDays ?? DEFAULT_WAIT_FOR_EXPORTS_DAYS;
  const reportDueDays = props.reportDueDays ?? DEFAULT_REPORT_DUE_DAYS;
  const runLeftoverDays = props.runLeftoverDays ?? DEFAULT_RUN_LEFTOVER_DAYS;
  checkWholeDays('waitForExportsDays', waitForExportsDays, problems);
  checkWholeDays('reportDueDays', reportDueDays, problems);
  checkWholeDays('runLeftoverDays', runLeftoverDays, problems);
  const deployed = deployedConfiguration(props, sender?.from ?? PLACEHOLDER_FROM, problems);
  const scheduleExpression =
    props.scheduleExpression ?? defaultScheduleExpression(deployed?.fiscalYearStartMonth);
  if (!/^(cron|rate|at)\(.+\)$/.test(scheduleExpression)) {
    problems.add(
      `scheduleExpression "${scheduleExpression}" is not an EventBridge Scheduler expression; write cron(…), rate(…) or at(…)`,
    );
  }
  const uploadSweepExpression = props.uploadSweepExpression ?? DEFAULT_UPLOAD_SWEEP_EXPRESSION;
  if (!/^(cron|rate)\(.+\)$/.test(uploadSweepExpression)) {
    problems.add(
      `uploadSweepExpression "${uploadSweepExpression}" is not a recurring EventBridge Scheduler expression; write rate(…) or cron(…)`,
    );
  }
  if (props.dataBucket !== undefined && props.existingBucketName !== undefined) {
    problems.add('give dataBucket or existingBucketName, not both');
  }
  const maxConcurrency = props.distributedMaxConcurrency;
  if (
    maxConcurrency !== undefined &&
    (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 10_000)
  ) {
    problems.add(
      `distributedMaxConcurrency (the Distributed Map's maxConcurrency) is ${maxConcurrency}; give a whole number from 1 to 10000`,
    );
  }
  problems.throwIfAny();
  if (sender === undefined || deployed === undefined) throw new Error('unreachable: problems were thrown');
  return {
    sender,
    dataPrefix,
    waitForExportsDays,
    reportDueDays,
    runLeftoverDays,
    deployed,
    scheduleExpression,
    uploadSweepExpression,
  };
}
