/**
 * Turns a quarter's snapshot into the email: saves the company report (`report.html`,
 * `report.txt`, the charts and the CSV) next to `kpis.json`, then builds one message per
 * recipient and hands it to the mailer. Every message is rendered before the first is sent,
 * so a template problem never stops a send half-way. With a ledger, each recipient is
 * served once per quarter (`deliverEachOnce`): a rerun skips those already served.
 */
import type { Config, Recipient } from '../core/config';
import type { EmailTemplates, RenderedEmail } from '../core/email/email-templates';
import { renderKpisCsv } from '../core/email/kpis-csv';
import {
  buildReportModel,
  type ChartImage,
  csvAttachmentName,
  UnknownSegmentError,
} from '../core/email/report-model';
import type { ExportStore } from '../core/ports';
import {
  type ChartRasterizer,
  type InlineImage,
  MailDeliveryError,
  type Mailer,
  type OutgoingMessage,
} from '../core/ports';
import type { Snapshot } from '../core/snapshot';
import { type DeliveryOutcome, deliverEachOnce, type WaitForOtherRuns } from './deliver-once';
import type { DeliveryLedger } from './delivery-ledger';
import { reportKeys } from './report-keys';

export type { DeliveryOutcome, DeliveryStatus } from './deliver-once';

/** Charts are drawn at twice their displayed size, for sharp images on high-DPI screens. */
const CHART_SCALE = 2;

export interface DeliverReportOptions {
  readonly store: ExportStore;
  readonly config: Config;
  readonly snapshot: Snapshot;
  readonly templates: EmailTemplates;
  readonly rasterizer: ChartRasterizer;
  /** Omit to save the report files only (preview). */
  readonly mailer?: Mailer | undefined;
  /** Omit to deliver every time (the outbox); give one for real sends. */
  readonly ledger?: DeliveryLedger | undefined;
  /** Send even to recipients the ledger says were served. */
  readonly resend?: boolean;
  /** Identifies this run in the ledger's claims (a Lambda request id, a UUID). */
  readonly runId: string;
  /** How long to wait for recipients another run is sending to. @default see `deliverEachOnce` */
  readonly waitForOtherRuns?: WaitForOtherRuns;
  readonly now?: () => Date;
  readonly onEvent?: ((line: string) => void) | undefined;
  /**
   * How progress lines name a recipient. Logs that must not hold addresses pass
   * `recipientLogName`; the CLI shows the address.
   * @default the address
   */
  readonly recipientLabel?: (address: string) => string;
}

export interface DeliverReportResult {
  /** Keys of the saved company report. */
  readonly htmlKey: string;
  readonly textKey: string;
  readonly csvKey: string;
  /** Bytes of the saved report.html (Gmail clips HTML above about 100 KB). */
  readonly htmlBytes: number;
  readonly outcomes: readonly DeliveryOutcome[];
  /** Recipients not served by this run (failed, or claimed by another run). */
  readonly unserved: readonly DeliveryOutcome[];
}

export async function deliverReport(options: DeliverReportOptions): Promise<DeliverReportResult> {
  const { store, config, snapshot, templates, rasterizer, mailer, ledger } = options;
  const now = options.now ?? (() => new Date());
  const emit = options.onEvent ?? (() => {});
  const quarter = snapshot.quarter;
  const riskDropPoints = config.email.riskDropPoints;
  const pngs = new PngCache(rasterizer);

  // The saved company report: links charts as files so report.html opens in a browser.
  const saved = buildReportModel({ snapshot, riskDropPoints, imageLinks: 'file' });
  const savedEmail = templates.render(saved.model);
  const charts: [string, Uint8Array][] = [];
  for (const chart of saved.charts) charts.push([chart.filename, await pngs.render(chart)]);
  const htmlKey = reportKeys.html(quarter);
  const textKey = reportKeys.text(quarter);
  const csvKey = reportKeys.csv(quarter);
  // Independent files: written at once, so their round trips (S3) or fsyncs (disk) overlap.
  await Promise.all([
    ...charts.map(([filename, png]) => store.write(reportKeys.chart(quarter, filename), png, 'image/png')),
    store.write(htmlKey, savedEmail.html, 'text/html; charset=utf-8'),
    store.write(textKey, savedEmail.text, 'text/plain; charset=utf-8'),
    store.write(csvKey, renderKpisCsv(snapshot), 'text/csv; charset=utf-8'),
  ]);
  const htmlBytes = new TextEncoder().encode(savedEmail.html).byteLength;
  emit(`Saved ${store.location}/${htmlKey} (${(htmlBytes / 1024).toFixed(1)} KB)`);

  const outcomes: DeliveryOutcome[] = [];
  if (mailer !== undefined && config.email.recipients.length > 0) {
    const messages: (OutgoingMessage | DeliveryOutcome)[] = [];
    for (const recipient of config.email.recipients) {
      try {
        messages.push(await buildMessage(snapshot, recipient, config, templates, pngs));
      } catch (error) {
        if (!(error instanceof UnknownSegmentError)) throw error;
        messages.push({
          recipient: recipient.address,
          status: 'failed',
          reason: error.message,
          permanent: true,
        });
      }
    }
    emit(
      `Delivering ${messages.length} ${messages.length === 1 ? 'message' : 'messages'} via ${mailer.description}`,
    );
    const label = options.recipientLabel ?? ((address: string) => address);
    const report = (outcome: DeliveryOutcome) =>
      emit(`  ${label(outcome.recipient)}: ${describeOutcome(outcome)}`);
    const unbuilt = messages.filter((message): message is DeliveryOutcome => 'status' in message);
    const built = messages.filter((message): message is OutgoingMessage => !('status' in message));
    for (const outcome of unbuilt) report(outcome);
    let delivered: DeliveryOutcome[];
    if (ledger === undefined) {
      delivered = [];
      for (const message of built) {
        const outcome = await sendToOutbox(message, mailer);
        delivered.push(outcome);
        report(outcome);
      }
    } else {
      // Before the first send: a store that cannot exclude would let two runs both mail.
      await ledger.checkExclusion(quarter);
      delivered = await deliverEachOnce(
        built,
        {
          ledger,
          mailer,
          runId: options.runId,
          resend: options.resend ?? false,
          ...(options.waitForOtherRuns !== undefined && { waitForOtherRuns: options.waitForOtherRuns }),
        },
        report,
      );
    }
    const byRecipient = new Map([...unbuilt, ...delivered].map((outcome) => [outcome.recipient, outcome]));
    for (const message of messages) {
      const outcome = byRecipient.get('status' in message ? message.recipient : message.to);
      if (outcome !== undefined) outcomes.push(outcome);
    }
    await store.write(
      reportKeys.deliverySummary(quarter),
      `${JSON.stringify({ quarter, runId: options.runId, finishedAt: now().toISOString(), via: mailer.description, outcomes }, null, 2)}\n`,
      'application/json',
    );
  }
  const unserved = outcomes.filter(
    (outcome) => outcome.status === 'failed' || outcome.status === 'in-progress-elsewhere',
  );
  return { htmlKey, textKey, csvKey, htmlBytes, outcomes, unserved };
}

function describeOutcome(outcome: DeliveryOutcome): string {
  switch (outcome.status) {
    case 'sent':
      return `sent (${outcome.messageId})${outcome.uncertain === undefined ? '' : `, uncertain: ${outcome.uncertain.reason}`}`;
    case 'already-sent':
      return outcome.settledBy === 'ses-event'
        ? `already sent by an earlier run that stopped before recording it (SES reported message ${outcome.messageId}), skipped`
        : 'already sent earlier, skipped (use --resend to send again)';
    case 'in-progress-elsewhere':
      return `skipped: ${outcome.reason}`;
    case 'failed':
      return `FAILED (${outcome.permanent ? 'permanent' : 'temporary'}): ${outcome.reason}`;
  }
}

async function buildMessage(
  snapshot: Snapshot,
  recipient: Recipient,
  config: Config,
  templates: EmailTemplates,
  pngs: PngCache,
): Promise<OutgoingMessage> {
  const { model, charts } = buildReportModel({
    snapshot,
    riskDropPoints: config.email.riskDropPoints,
    recipient,
    imageLinks: 'cid',
  });
  const email: RenderedEmail = templates.render(model);
  const inlineImages: InlineImage[] = [];
  for (const chart of charts) {
    inlineImages.push({
      cid: chart.cid,
      filename: chart.filename,
      contentType: 'image/png',
      content: await pngs.render(chart),
    });
  }
  return {
    quarter: snapshot.quarter,
    from: config.email.from,
    to: recipient.address,
    replyTo: config.email.replyTo,
    subject: email.subject,
    html: email.html,
    text: email.text,
    inlineImages,
    attachments: [
      {
        filename: csvAttachmentName(snapshot.quarter),
        contentType: 'text/csv; charset=utf-8',
        content: renderKpisCsv(snapshot, recipient),
      },
    ],
  };
}

/** The outbox: every run writes every message again; no ledger. */
async function sendToOutbox(message: OutgoingMessage, mailer: Mailer): Promise<DeliveryOutcome> {
  try {
    const { messageId } = await mailer.send(message);
    return { recipient: message.to, status: 'sent', messageId };
  } catch (error) {
    if (!(error instanceof MailDeliveryError)) throw error;
    return { recipient: message.to, status: 'failed', reason: error.message, permanent: error.permanent };
  }
}

/** Rasterises each distinct chart once: recipients sharing a view share its images. */
class PngCache {
  readonly #rasterizer: ChartRasterizer;
  readonly #bySvg = new Map<string, Promise<Uint8Array>>();

  constructor(rasterizer: ChartRasterizer) {
    this.#rasterizer = rasterizer;
  }

  render(chart: ChartImage): Promise<Uint8Array> {
    let png = this.#bySvg.get(chart.svg);
    if (png === undefined) {
      png = this.#rasterizer.toPng(chart.svg, CHART_SCALE);
      this.#bySvg.set(chart.svg, png);
    }
    return png;
  }
}
