/**
 * The reports API: a regional REST API whose every method needs an IAM (SigV4) signature,
 * throttled, with JSON access logs and X-Ray: `POST /reports` starts a quarter's run,
 * `GET /reports/{quarter}` answers its status and report link. Its name is unique to the
 * construct's path, so two deployments in one account are told apart in the console.
 */
import { Names, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ReportFunction } from './report-function';

/** Requests per second (steady, and in a burst) the API lets through. */
export interface ApiThrottling {
  /**
   * Steady-state requests per second.
   * @default 5
   */
  readonly rateLimit?: number;
  /**
   * Requests allowed at once above the steady rate.
   * @default 10
   */
  readonly burstLimit?: number;
}

export interface ReportsApiProps {
  /** The function behind every method. */
  readonly handler: ReportFunction;
  /** @default - 5 requests/s, bursts of 10 */
  readonly throttling?: ApiThrottling;
  /** How long the access logs are kept. */
  readonly logRetention: logs.RetentionDays;
}

export class ReportsApi extends Construct {
  readonly restApi: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: ReportsApiProps) {
    super(scope, id);
    const rateLimit = props.throttling?.rateLimit ?? 5;
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.restApi = new apigateway.RestApi(this, 'Api', {
      restApiName: Names.uniqueResourceName(this, { separator: '-', maxLength: 128 }),
      description: "kpi-report: start a quarter's run and read its status (IAM-signed requests only)",
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // The account-wide API Gateway logging role is a regional singleton; not this stack's to own.
      cloudWatchRole: false,
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: rateLimit,
        throttlingBurstLimit: props.throttling?.burstLimit ?? 10,
        tracingEnabled: true,
      },
    });
    const integration = new apigateway.LambdaIntegration(props.handler);
    const reports = this.restApi.root.addResource('reports');
    reports.addMethod('POST', integration);
    reports.addResource('{quarter}').addMethod('GET', integration);

    Validations.of(this.restApi).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'The handler validates every request with zod (one schema, answers naming the field at fault); a gateway model would duplicate it and drift.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason: `Only IAM-signed requests from the operators' own principals reach the API, throttled to ${rateLimit} requests/s; a WAF web ACL adds cost without a threat it would stop.`,
      },
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Access logs record every request (status, latency, caller); execution logs need the account-wide API Gateway CloudWatch role, which this stack must not take over.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'The API is for operators and automation with AWS credentials: every method uses IAM (SigV4) authorisation instead of a Cognito user pool.',
      },
    );
  }

  /** Lets `grantee` call the reports API (`execute-api:Invoke` on every method). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.restApi.arnForExecuteApi()],
    });
  }
}
