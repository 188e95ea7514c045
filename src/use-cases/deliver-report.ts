/**
 * Turns a quarter's snapshot into the email: saves the company report (`report.html`,
 * `report.txt`, the charts and the CSV) next to `kpis.json`, then builds one message per
 * recipient and hands it to the mailer. Every message is rendered before the first is sent,
 * so a template problem never stops a send half-way. With a ledger, each recipient is
 * served once per quarter: a rerun skips those already served.
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
import type { DeliveryLedger } from './delivery-ledger';
import { reportKeys } from './report-keys';

/** Charts are drawn at twice their displayed size, for sharp images on high-DPI screens. */
const CHART_SCALE = 2;

export type DeliveryStatus = 'sent' | 'already-sent' | 'in-progress-elsewhere' | 'failed';

export interface DeliveryOutcome {
  readonly recipient: string;
  readonly status: DeliveryStatus;
  readonly messageId?: string;
  /** Why the recipient was not served this time. */
  readonly reason?: string;
  /** For a failure: whether retrying cannot help (the address or sender is rejected). */
  readonly permanent?: boolean;
  /** A crashed earlier run had claimed this recipient; the report may reach them twice. */
  readonly tookOver?: boolean;
}

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
  readonly now?: () => Date;
  readonly onEvent?: ((line: string) => void) | undefined;
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
    for (const message of messages) {
      const outcome =
        'status' in message
          ? message
          : await deliverOne(message, mailer, ledger, options.resend ?? false, options.runId, now);
      outcomes.push(outcome);
      emit(`  ${outcome.recipient}: ${describeOutcome(outcome)}`);
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
      return `sent (${outcome.messageId})${outcome.tookOver ? '; an earlier run had stopped while sending to them' : ''}`;
    case 'already-sent':
      return 'already sent earlier, skipped (use --resend to send again)';
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

async function deliverOne(
  message: OutgoingMessage,
  mailer: Mailer,
  ledger: DeliveryLedger | undefined,
  resend: boolean,
  runId: string,
  now: () => Date,
): Promise<DeliveryOutcome> {
  const recipient = message.to;
  const quarter = message.quarter;
  if (ledger === undefined) {
    return sendAndClassify(message, mailer, async () => {});
  }
  if (!resend) {
    const earlier = await ledger.sent(quarter, recipient);
    if (earlier !== undefined) return { recipient, status: 'already-sent', messageId: earlier.messageId };
  }
  const claim = await ledger.claim(quarter, recipient, runId, now());
  if (!claim.claimed) {
    return {
      recipient,
      status: 'in-progress-elsewhere',
      reason: `run ${claim.heldBy.runId} has been sending to them since ${claim.heldBy.claimedAt}`,
    };
  }
  const outcome = await sendAndClassify(message, mailer, async (messageId) => {
    const sentAt = now().toISOString();
    await ledger.record({
      recipient,
      quarter,
      sentAt,
      messageId,
      runId,
      ...(resend && { resentAt: sentAt }),
    });
  });
  // Sent or failed, no send is in progress any more: the next run may claim at once.
  await ledger.release(quarter, recipient, runId, now());
  return claim.tookOverFrom === undefined ? outcome : { ...outcome, tookOver: true };
}

async function sendAndClassify(
  message: OutgoingMessage,
  mailer: Mailer,
  onSent: (messageId: string) => Promise<void>,
): Promise<DeliveryOutcome> {
  let messageId: string;
  try {
    ({ messageId } = await mailer.send(message));
  } catch (error) {
    if (!(error instanceof MailDeliveryError)) throw error;
    return { recipient: message.to, status: 'failed', reason: error.message, permanent: error.permanent };
  }
  await onSent(messageId);
  return { recipient: message.to, status: 'sent', messageId };
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
