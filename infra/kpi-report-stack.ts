/**
 * The deployable stack: one `QuarterlyKpiReports` and the outputs an operator needs after
 * `cdk deploy` (where to upload, what to call, which DNS records verify the sender).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { QuarterlyKpiReports, type QuarterlyKpiReportsProps } from './quarterly-kpi-reports';

export interface KpiReportStackProps extends StackProps {
  /** The kpi-report deployment settings (sender, recipients, schedule, bucket, emails). */
  readonly reports: QuarterlyKpiReportsProps;
}

export class KpiReportStack extends Stack {
  readonly reports: QuarterlyKpiReports;

  constructor(scope: Construct, id: string, props: KpiReportStackProps) {
    super(scope, id, props);
    this.reports = new QuarterlyKpiReports(this, 'Reports', props.reports);
    const { reports } = this;
    const root = reports.dataPrefix === '' ? '' : `${reports.dataPrefix}/`;

    new CfnOutput(this, 'DataRoot', {
      description: 'Upload exports under exports/<quarter>/ here; reports appear under reports/<quarter>/',
      value: `s3://${reports.dataBucket.bucketName}/${root}`,
    });
    new CfnOutput(this, 'ReportsApiUrl', {
      description: 'POST /reports and GET /reports/{quarter}, signed with SigV4 (execute-api)',
      // Without the trailing slash of RestApi.url, so that "$ReportsApiUrl/reports" is the path.
      value: `https://${reports.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${reports.api.deploymentStage.stageName}`,
    });
    new CfnOutput(this, 'RunFunctionName', {
      description: 'The report function (aws lambda invoke … to run a quarter by hand)',
      value: reports.runFunction.functionName,
    });
    // The description keeps its deployed wording ("mode"), so that the template stays as deployed.
    new CfnOutput(this, 'DistributedRunStateMachineArn', {
      description:
        'The distributed run: aws stepfunctions start-execution --state-machine-arn … --input \'{"quarter":"2026-Q3","runId":"…","requestedBy":"api","dryRun":false,"resend":false}\'',
      value: reports.distributedRun.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description: 'Runs and validations that gave up after their retries',
      value: reports.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'SenderAddress', {
      description: 'The From address; SES must have verified it (or its domain) before the first send',
      value: reports.senderAddress,
    });
    reports.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, {
        description: 'Publish as a CNAME record in the sender domain so SES verifies it (Easy DKIM)',
        value: `${record.name} CNAME ${record.value}`,
      });
    });
  }
}
