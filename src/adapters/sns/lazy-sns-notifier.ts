/**
 * An operations notifier whose SNS client is loaded on the first notice, not at cold start:
 * the report function tells operations something only when a scheduled run has to wait
 * for its exports, a few times a year.
 */
import type { OpsNotifier } from '../../core/ports';

export function lazySnsOpsNotifier(options: { region?: string | undefined; topicArn: string }): OpsNotifier {
  let notifier: Promise<OpsNotifier> | undefined;
  const open = async (): Promise<OpsNotifier> => {
    const [{ SNSClient }, { SnsOpsNotifier }] = await Promise.all([
      import('@aws-sdk/client-sns'),
      import('./sns-notifier'),
    ]);
    return new SnsOpsNotifier({
      client: new SNSClient({ region: options.region }),
      topicArn: options.topicArn,
    });
  };
  return {
    async notify(subject: string, message: string): Promise<void> {
      // A failed opening is tried again by the next notice.
      notifier ??= open().catch((error: unknown) => {
        notifier = undefined;
        throw error;
      });
      await (await notifier).notify(subject, message);
    },
  };
}
