/**
 * The email side of a report run for the Lambda handlers, opened on first use: templates,
 * MIME, SES and the chart rasteriser are imported only when a run gets that far, so they
 * cost a cold start nothing (esbuild puts them in a chunk of their own).
 */
import type { ExportStore } from '../core/ports';
import type { EmailDelivery, EmailRendering } from './email-delivery';
import type { LambdaSettings } from './lambda-environment';

export function lazyEmailWiring(
  settings: Pick<LambdaSettings, 'config' | 'store' | 's3' | 'env'>,
  env: NodeJS.ProcessEnv,
) {
  const emailWiring = () => import('./email-delivery');
  let rendering: Promise<EmailRendering> | undefined;
  return {
    rendering: (): Promise<EmailRendering> => {
      rendering ??= emailWiring().then((wiring) =>
        wiring.openEmailRendering(settings.config, {
          client: settings.s3,
          name: settings.env.DATA_BUCKET,
          prefix: settings.env.DATA_PREFIX,
        }),
      );
      return rendering;
    },
    /** `store`: where the outbox and the ledger live (a dry run's view), else the data root. */
    delivery: async (
      quarter: string,
      send: boolean,
      store: ExportStore = settings.store,
    ): Promise<EmailDelivery> =>
      (await emailWiring()).openEmailDelivery({
        config: settings.config,
        store,
        quarter,
        send,
        env,
      }),
  };
}
