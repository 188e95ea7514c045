/** Operations notices through an SNS topic (e-mail subscribers, chat integrations). */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { OpsNotifier } from '../../core/ports';

/** SNS e-mail subjects are limited to 100 characters. */
const SUBJECT_LIMIT = 100;

export class SnsOpsNotifier implements OpsNotifier {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(options: { client: SNSClient; topicArn: string }) {
    this.#client = options.client;
    this.#topicArn = options.topicArn;
  }

  async notify(subject: string, message: string): Promise<void> {
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: subject.length > SUBJECT_LIMIT ? `${subject.slice(0, SUBJECT_LIMIT - 1)}…` : subject,
        Message: message,
      }),
    );
  }
}
