/**
 * The run function: computes a quarter's KPIs and emails the report, when the schedule fires
 * or the API asks. Benchmark: 7.0 M rows (347 MiB) in 24 s with 332 MiB RSS on 2 cores, one
 * thread; see `FUNCTION_SIZING`. No reserved concurrency: a repeated or concurrent run is
 * safe (the delivery ledger's conditional claims send each recipient once), and reserving
 * capacity would take it from the account's pool and throttle an API run of another quarter.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { REPORT_SETTINGS_KEY } from '../src/wiring/report-settings-key';
import type { DataRoot } from './data-root';
import type { NotificationTopics } from './notification-topics';
import { ReportFunction } from './report-function';
import type { ReportSender } from './report-sender';

export interface RunFunctionProps {
  readonly dataRoot: DataRoot;
  /** The kpi-report configuration as JSON (`KPI_REPORT_CONFIG`). */
  readonly configurationJson: string;
  /** Grants sending the report (the SES identity and configuration set only). */
  readonly sender: ReportSender;
  /** A scheduled run whose exports are not ready tells ops, once. */
  readonly topics: NotificationTopics;
  /** Where an asynchronous invocation goes once its retries are spent. */
  readonly onFailure: lambda.IDestination;
  /** How many days a scheduled run waits for a valid export set (`WAIT_FOR_EXPORTS_DAYS`). */
  readonly waitForExportsDays: number;
}

/** See the module comment. */
export class RunFunction extends ReportFunction {
  constructor(scope: Construct, id: string, props: RunFunctionProps) {
    super(scope, id, {
      entry: 'functions/run-report/index.ts',
      description: "kpi-report: computes a quarter's KPIs and emails the report",
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: props.onFailure,
    });
    this.useDataRoot(props.dataRoot.bucket, props.dataRoot.prefix, {
      read: ['exports/*', 'reports/*', REPORT_SETTINGS_KEY],
      write: ['reports/*'],
    });
    this.addEnvironmentWithAccess('KPI_REPORT_CONFIG', props.configurationJson, () =>
      props.sender.grantSendReport(this),
    );
    // A scheduled run whose exports are not ready waits for them, and tells ops once.
    this.addEnvironment('WAIT_FOR_EXPORTS_DAYS', String(props.waitForExportsDays));
    props.topics.grantOpsNotices(this);
  }

  /** Lets the run hand a quarter too big for one function to the distributed run's state machine. */
  startsDistributedRuns(stateMachine: sfn.IStateMachine): void {
    this.addEnvironmentWithAccess('STATE_MACHINE_ARN', stateMachine.stateMachineArn, () =>
      // StartExecution on this state machine only (grantStartExecution would be the same
      // action; spelt out to match the other grants).
      this.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['states:StartExecution'],
          resources: [stateMachine.stateMachineArn],
        }),
      ),
    );
  }
}
