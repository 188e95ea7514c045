/**
 * The one dead-letter queue of a deployment: runs that never completed (undeliverable
 * schedule events, failed asynchronous invocations, upload notices that failed 5 times,
 * undeliverable SES events). Its alarms (`ReportAlarms`) fire on the first message.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** See the module comment: SSE-SQS, TLS only, messages kept 14 days. */
export class DeadLetterQueue extends sqs.Queue {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue (of the schedule target and of the functions' asynchronous invocations); a DLQ of a DLQ would only move the problem. Its alarm fires on the first message.",
    });
  }
}
