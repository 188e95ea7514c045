/**
 * SES's events of the reports (send, delivery, bounce…), published by the configuration set
 * to the default event bus, go to a small function that writes them beside the delivery
 * ledger; a run that takes over an uncertain claim settles it from there.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DataRoot } from './data-root';
import { ReportFunction } from './report-function';

export interface DeliveryEventsRecorderProps {
  readonly dataRoot: DataRoot;
  /** The configuration set whose events are recorded. */
  readonly configurationSetName: string;
  readonly deadLetterQueue: sqs.IQueue;
  readonly onFailure: lambda.IDestination;
}

export class DeliveryEventsRecorder extends Construct {
  readonly function: ReportFunction;

  constructor(scope: Construct, id: string, props: DeliveryEventsRecorderProps) {
    super(scope, id);
    this.function = new ReportFunction(this, 'DeliveryEventsFunction', {
      entry: 'functions/record-delivery-event/index.ts',
      description:
        "kpi-report: records SES's send and delivery events of the reports beside the delivery ledger",
      retryAttempts: 2,
      onFailure: props.onFailure,
    });
    this.function.useDataRoot(props.dataRoot.bucket, props.dataRoot.prefix, {
      read: [],
      write: ['reports/*/deliveries/events/*'],
    });
    new events.Rule(this, 'DeliveryEventsRule', {
      description: "kpi-report: the SES events of this stack's configuration set",
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [props.configurationSetName] } } },
      },
      targets: [
        new eventTargets.LambdaFunction(this.function, {
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: props.deadLetterQueue,
        }),
      ],
    });
  }
}
