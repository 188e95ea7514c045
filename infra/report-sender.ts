/**
 * The SES side of a kpi-report deployment: the sender identity (an address, or a domain
 * verified with Easy DKIM), and a configuration set that delivers only over TLS, sends
 * bounces and complaints to operations and every event of the reports to the default
 * event bus (recorded beside the delivery ledger).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { addressOf, type Sender } from './deployed-configuration';
import { wildcardResourceFinding } from './nag-findings';
import type { ReportFunction } from './report-function';

export interface ReportSenderProps {
  /** The sender, as `resolveSender` checked it. */
  readonly sender: Sender;
  /** Where bounces and complaints go. */
  readonly opsTopic: sns.ITopic;
}

export class ReportSender extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly emailIdentity: ses.EmailIdentity;
  /** Set when the sender is a domain: the CNAME records that verify it. */
  readonly dkimRecords: ses.DkimRecord[];
  /** The From address of the reports. */
  readonly address: string;
  readonly #fromAddress: string;

  constructor(scope: Construct, id: string, props: ReportSenderProps) {
    super(scope, id);
    const { sender } = props;
    this.address = sender.address;
    this.#fromAddress = addressOf(sender.from);
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      // The reports carry business figures: deliver only over TLS.
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(props.opsTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    // Every event of the reports, to the default event bus: recorded beside the ledger.
    this.configurationSet.addEventDestination('DeliveryEvents', {
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: [
        ses.EmailSendingEvent.SEND,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.DELIVERY_DELAY,
      ],
    });
    this.emailIdentity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity:
        sender.domain === undefined ? ses.Identity.email(sender.address) : ses.Identity.domain(sender.domain),
      configurationSet: this.configurationSet,
    });
    this.dkimRecords = sender.domain === undefined ? [] : this.emailIdentity.dkimRecords;
  }

  /**
   * Lets `fn` send the report (SendRawEmail, the only send the code makes). SES checks the
   * role against the sender's identity and also against every recipient that is itself a
   * verified identity of the account, as every recipient is in the sandbox. So: any
   * identity of the account, as long as the From address is the sender's; and the
   * configuration set.
   */
  grantSendReport(fn: ReportFunction): void {
    const stack = Stack.of(this);
    const accountIdentities = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
    const configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
    fn.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [accountIdentities, configurationSetArn],
        conditions: { StringEquals: { 'ses:FromAddress': this.#fromAddress } },
      }),
    );
    Validations.of(fn.executionRole).acknowledge({
      id: wildcardResourceFinding(this, accountIdentities),
      reason: `SES authorises a send against each recipient that is a verified identity of the account too (every recipient, in the SES sandbox), and recipients are configuration, not resources; the statement allows SendRawEmail only with ses:FromAddress ${this.#fromAddress}.`,
    });
  }
}
