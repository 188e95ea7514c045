/**
 * The function behind the reports API: starts runs (by invoking the run function
 * asynchronously) and answers their status and report link.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { DataRoot } from './data-root';
import { ReportFunction } from './report-function';

export interface ReportsApiFunctionProps {
  readonly dataRoot: DataRoot;
  /** The kpi-report configuration as JSON (`KPI_REPORT_CONFIG`). */
  readonly configurationJson: string;
  /** The function a `POST /reports` invokes (`RUN_FUNCTION_NAME`). */
  readonly runFunction: ReportFunction;
}

/** See the module comment. */
export class ReportsApiFunction extends ReportFunction {
  constructor(scope: Construct, id: string, props: ReportsApiFunctionProps) {
    super(scope, id, {
      entry: 'functions/reports-api/index.ts',
      description: 'kpi-report: the reports API (start a run, read its status and report link)',
    });
    this.useDataRoot(props.dataRoot.bucket, props.dataRoot.prefix, {
      read: ['reports/*'],
      write: ['reports/*/status.json'],
    });
    this.addEnvironment('KPI_REPORT_CONFIG', props.configurationJson);
    const { runFunction } = props;
    this.addEnvironmentWithAccess('RUN_FUNCTION_NAME', runFunction.functionName, () =>
      // The unqualified function only (grantInvoke would add every version and alias).
      this.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [runFunction.functionArn],
        }),
      ),
    );
  }
}
