/**
 * Builds what the email needs from the configuration, once, at start-up: the compiled
 * templates (so a broken custom template stops the run before any work), the chart
 * rasteriser (opened on the first chart drawn), and the mailer with its ledger. Shared by
 * the CLI and the Lambda handlers.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { createLazyRasterizer } from '../adapters/charts/lazy-rasterizer';
import { hasStopped, thisProcess } from '../adapters/local/process-liveness';
import { loadTemplateFiles } from '../adapters/local/template-folder';
import { DEFAULT_AWS_REGION } from '../adapters/open-export-store';
import { OutboxMailer } from '../adapters/outbox/outbox-mailer';
import type { Config } from '../core/config';
import type { ChartRasterizer, ExportStore, Mailer } from '../core/ports';
import { compileEmailTemplates, type EmailTemplates } from '../core/report/templates/email-templates';
import { leaseOnlyPresence, type RunPresence } from '../use-cases/delivery-claims';
import { DeliveryLedger } from '../use-cases/delivery-ledger';

export interface EmailRendering {
  readonly templates: EmailTemplates;
  readonly rasterizer: ChartRasterizer;
  /** Starts compiling the chart wasm in the background (call before a long read). */
  readonly warmUp: () => void;
  /** Presigns "view online" links (deployed, with `email.viewOnline`); otherwise absent. */
  readonly reportLink?: ((key: string) => Promise<string>) | undefined;
}

/**
 * Compiles the built-in templates, overlaid with `email.templateDir`, and returns them with
 * a rasteriser that loads resvg, its wasm and the fonts when the first chart is drawn (a
 * dynamic import: bundles keep resvg's glue in a chunk of its own). With `bucket`, and
 * `email.viewOnline` set, messages link to their copy in that bucket (presigned).
 */
export async function openEmailRendering(
  config: Config,
  bucket?: { readonly client: S3Client; readonly name: string; readonly prefix: string },
): Promise<EmailRendering> {
  // The built-in templates are checked by the tests of every build; custom ones at once, here.
  const templates = compileEmailTemplates(await loadTemplateFiles(config.email.templateDir), {
    checked: config.email.templateDir === undefined,
  });
  const rasterizer = createLazyRasterizer(async () => {
    const { createResvgRasterizer } = await import('../adapters/charts/resvg-rasterizer');
    return createResvgRasterizer(await bundledChartAssets());
  });
  // The S3 presigner (and the SDK) is loaded by the first link only, and made once.
  let linker: ((key: string) => Promise<string>) | undefined;
  const reportLink =
    bucket !== undefined && config.email.viewOnline
      ? async (key: string) => {
          if (linker === undefined) {
            const { createReportLinker, VIEW_ONLINE_LINK_SECONDS } = await import(
              '../adapters/s3/presign-report-link'
            );
            linker = createReportLinker({
              client: bucket.client,
              bucket: bucket.name,
              prefix: bucket.prefix,
              expiresIn: VIEW_ONLINE_LINK_SECONDS,
            });
          }
          return linker(key);
        }
      : undefined;
  // Charts are rasterised for messages only: with no recipients there is nothing to warm up.
  const warmUp = () => {
    if (config.email.recipients.length > 0) rasterizer.warmUp();
  };
  return { templates, rasterizer, warmUp, reportLink };
}

/**
 * In a Lambda bundle, node_modules is gone: the build copies the wasm and the fonts to
 * `assets/` beside the bundle. From source, the rasteriser finds them in node_modules.
 */
async function bundledChartAssets(): Promise<{ wasm?: Uint8Array; fontBuffers?: Uint8Array[] }> {
  const assets = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
  if (!existsSync(path.join(assets, 'index_bg.wasm'))) return {};
  const fonts = ['dejavu-sans-latin-400-normal.woff', 'dejavu-sans-latin-700-normal.woff'];
  return {
    wasm: await readFile(path.join(assets, 'index_bg.wasm')),
    fontBuffers: await Promise.all(fonts.map((font) => readFile(path.join(assets, font)))),
  };
}

export interface EmailDelivery {
  readonly mailer: Mailer;
  /** Present for real sends only: the outbox writes every time. */
  readonly ledger: DeliveryLedger | undefined;
}

/**
 * SES when `send` (the `--send` flag or `email.send`), with the delivery ledger in the
 * store; otherwise the outbox, which writes each message as an `.eml` into the report
 * folder. SES's region is `email.ses.region ?? AWS_REGION ?? AWS_DEFAULT_REGION`, its
 * endpoint `AWS_ENDPOINT_URL_SES ?? AWS_ENDPOINT_URL` (unset means AWS), read from `env`.
 * The ledger knows a claim's run has stopped from its process id on this machine (a rerun
 * right after a kill goes on at once); in Lambda (`AWS_LAMBDA_FUNCTION_NAME` set), where
 * process ids say nothing across sandboxes, only from its lease. The SES client (and the
 * SDK) is loaded only to send: a run that writes to the outbox does not pay for it.
 */
export async function openEmailDelivery(options: {
  readonly config: Config;
  readonly store: ExportStore;
  readonly quarter: string;
  readonly send: boolean;
  readonly env: Record<string, string | undefined>;
}): Promise<EmailDelivery> {
  const { config, store, quarter, send, env } = options;
  if (!send) return { mailer: new OutboxMailer({ store, quarter }), ledger: undefined };
  const region = config.email.ses.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_AWS_REGION;
  const { createSesClient, SesMailer } = await import('../adapters/ses/ses-mailer');
  const client = createSesClient({ region, endpoint: env.AWS_ENDPOINT_URL_SES ?? env.AWS_ENDPOINT_URL });
  const mailer = new SesMailer({
    client,
    region,
    configurationSetName: config.email.ses.configurationSetName,
  });
  const presence: RunPresence =
    env.AWS_LAMBDA_FUNCTION_NAME === undefined ? { self: thisProcess, hasStopped } : leaseOnlyPresence;
  return { mailer, ledger: new DeliveryLedger(store, { presence }) };
}
