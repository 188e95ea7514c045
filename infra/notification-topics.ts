/**
 * The two SNS topics of a kpi-report deployment: alarms (or a topic of the caller's) and
 * operations notices (uploads that need fixing, SES bounces and complaints), encrypted with
 * a customer-managed key, since CloudWatch and SES publish to them and the AWS-managed SNS
 * key lets neither.
 */
import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ReportFunction } from './report-function';

export interface NotificationTopicsProps {
  /**
   * An existing topic for the alarms (a team's shared alarm topic). If it is encrypted, its
   * key must let `cloudwatch.amazonaws.com` use `kms:Decrypt` and `kms:GenerateDataKey*`.
   * @default - a topic of its own, encrypted with the topics' key
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Where alarms are emailed (an SNS email subscription, confirmed by a link).
   * @default - no subscriber (a warning says so, unless `alarmTopic` is given)
   */
  readonly alarmEmail?: string;
  /**
   * Where operations notices are emailed.
   * @default - no subscriber
   */
  readonly opsEmail?: string;
}

export class NotificationTopics extends Construct {
  /** Encrypts the topics this construct creates. */
  readonly key: kms.Key;
  readonly alarmTopic: sns.ITopic;
  /** Upload problems, bounces and complaints. */
  readonly opsTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: NotificationTopicsProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the kpi-report alarm and operations topics',
      enableKeyRotation: true,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.alarmTopic =
      props.alarmTopic ??
      new sns.Topic(this, 'AlarmTopic', {
        displayName: 'kpi-report alarms',
        masterKey: this.key,
        enforceSSL: true,
      });
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: 'kpi-report operations',
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    } else if (props.alarmTopic === undefined) {
      Annotations.of(this).addWarningV2(
        'kpi-report:noAlarmEmail',
        'No alarmEmail: alarms go to an SNS topic nobody is subscribed to. Set alarmEmail (-c alarmEmail=…).',
      );
    }
    if (props.opsEmail !== undefined) {
      this.opsTopic.addSubscription(new subscriptions.EmailSubscription(props.opsEmail));
    }
  }

  /**
   * Lets `fn` tell operations (`OPS_TOPIC_ARN`): sns:Publish plus the two key actions an
   * encrypted topic needs, without the kms:GenerateDataKey* wildcard that grantPublish adds.
   */
  grantOpsNotices(fn: ReportFunction): void {
    fn.addEnvironmentWithAccess('OPS_TOPIC_ARN', this.opsTopic.topicArn, () => {
      fn.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.opsTopic.topicArn] }),
      );
      fn.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.key.keyArn],
        }),
      );
    });
  }
}
