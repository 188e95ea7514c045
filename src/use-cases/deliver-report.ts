/**
 * Turns a quarter's snapshot into the email: saves the company report (`report.html`, self-
 * contained with its charts inlined, `report.txt` and the CSV) next to `kpis.json`, then
 * builds one message per recipient and hands it to the mailer. Every message is rendered
 * before the first is sent, so a template problem never stops a send half-way. A message
 * over its size budget (message-budget.ts) is reported, and its CSV left in the report
 * folder instead of attached when that is what makes it too large. With a ledger, each
 * recipient is served once per quarter (`deliverEachOnce`): a rerun skips those already
 * served.
 */
import { randomUUID } from 'node:crypto';
import type { Config, Recipient } from '../core/config';
import { kpisCsvName, reportKeys } from '../core/data-root';
import type { ExportStore } from '../core/ports';
import { type ChartRasterizer, MailDeliveryError, type Mailer, type OutgoingMessage } from '../core/ports';
import { renderKpisCsv } from '../core/report/format/kpis-csv';
import { buildReportModel, UnknownSegmentError } from '../core/report/model/build-report-model';
import type { ChartImage } from '../core/report/model/report-model';
import type { EmailTemplates, RenderedEmail } from '../core/report/templates/email-templates';
import {
  budgetProblems,
  estimateMessageBytes,
  MESSAGE_BUDGET_BYTES,
} from '../core/report/templates/message-budget';
import type { Snapshot } from '../core/snapshot';
import { type DeliveryOutcome, deliverEachOnce, type WaitForOtherRuns } from './deliver-once';
import type { DeliveryLedger } from './delivery-ledger';
import { recipientKey } from './recipient-key';

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
  /**
   * Presigns a link to a report file (deployed only). With it and `email.viewOnline`, each
   * message links to its own self-contained copy, saved in `reports/<quarter>/online/`.
   */
  readonly reportLink?: ((key: string) => Promise<string>) | undefined;
  /** Makes each message's Content-IDs unique; tests pin it. Defaults to a random UUID. */
  readonly newCidToken?: () => string;
  readonly now?: () => Date;
  readonly onEvent?: ((line: string) => void) | undefined;
  /**
   * Told of each recipient's outcome as it is known, instead of a line to `onEvent`: the CLI
   * words them itself (an outbox file is "written", not "sent"), once each.
   */
  readonly onOutcome?: ((outcome: DeliveryOutcome) => void) | undefined;
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
  /** Bytes of the saved report.html, charts inlined (so larger than a message's HTML). */
  readonly htmlBytes: number;
  /** Messages over their size budget, in sentences (also sent to `onEvent`). */
  readonly budgetWarnings: readonly string[];
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

  // The saved company report, self-contained: its charts inlined, so that a link to it
  // (the API's, a message's "view online") shows them without signing each chart.
  const saved = buildReportModel({ snapshot, riskDropPoints, cidToken: `${quarter}.report` });
  const savedEmail = templates.render(saved.model);
  const savedHtml = inlineImages(savedEmail.html, saved.charts, await renderCharts(saved.charts, pngs));
  const htmlKey = reportKeys.html(quarter);
  const textKey = reportKeys.text(quarter);
  const csvKey = reportKeys.csv(quarter);
  // Independent files: written at once, so their round trips (S3) or fsyncs (disk) overlap.
  await Promise.all([
    store.write(htmlKey, savedHtml, 'text/html; charset=utf-8'),
    store.write(textKey, savedEmail.text, 'text/plain; charset=utf-8'),
    store.write(csvKey, renderKpisCsv(snapshot), 'text/csv; charset=utf-8'),
  ]);
  const htmlBytes = new TextEncoder().encode(savedHtml).byteLength;
  emit(`Saved ${store.location}/${htmlKey} (${(htmlBytes / 1024).toFixed(1)} KB, charts inlined)`);

  const outcomes: DeliveryOutcome[] = [];
  const budgetWarnings: string[] = [];
  if (mailer !== undefined && config.email.recipients.length > 0) {
    const messages: (OutgoingMessage | DeliveryOutcome)[] = [];
    const newCidToken = options.newCidToken ?? (() => randomUUID());
    const online = config.email.viewOnline ? options.reportLink : undefined;
    for (const recipient of config.email.recipients) {
      try {
        const built = await buildMessage({
          snapshot,
          recipient,
          config,
          templates,
          pngs,
          store,
          cidToken: `${quarter}.${newCidToken()}`,
          reportLink: online,
        });
        for (const warning of built.budgetWarnings) {
          budgetWarnings.push(warning);
          emit(`Warning: ${warning}`);
        }
        messages.push(built.message);
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
    const report =
      options.onOutcome ??
      ((outcome: DeliveryOutcome) => emit(`  ${label(outcome.recipient)}: ${describeOutcome(outcome)}`));
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
  return { htmlKey, textKey, csvKey, htmlBytes, budgetWarnings, outcomes, unserved };
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

interface BuildMessageOptions {
  readonly snapshot: Snapshot;
  readonly recipient: Recipient;
  readonly config: Config;
  readonly templates: EmailTemplates;
  readonly pngs: PngCache;
  readonly store: ExportStore;
  readonly cidToken: string;
  readonly reportLink: ((key: string) => Promise<string>) | undefined;
}

/**
 * One recipient's message. With a report link, its self-contained copy is saved first and
 * linked from it. When the message would be over budget with its CSV, it is built again
 * without attaching it (the email then says where the CSV is).
 */
async function buildMessage(
  options: BuildMessageOptions,
): Promise<{ message: OutgoingMessage; budgetWarnings: string[] }> {
  const { snapshot, recipient, config, templates, pngs, store, reportLink } = options;
  const quarter = snapshot.quarter;
  // The recipient's key, not a lossy slug: o'neil@ and o_neil@ must not share a page.
  const key = recipientKey(recipient.address);
  const onlineKey = reportKeys.online(quarter, key);
  const viewOnlineUrl = reportLink === undefined ? undefined : await reportLink(onlineKey);
  const csv = renderKpisCsv(snapshot, recipient);
  const render = async (csvAttached: boolean) => {
    const { model, charts } = buildReportModel({
      snapshot,
      riskDropPoints: config.email.riskDropPoints,
      recipient,
      cidToken: options.cidToken,
      csvAttached,
      viewOnlineUrl,
      unsubscribeAddress: config.email.unsubscribeAddress,
    });
    const email: RenderedEmail = templates.render(model);
    return { email, charts, pngs: await renderCharts(charts, pngs) };
  };
  let rendered = await render(true);
  const partsOf = (attachments: string[]) => ({
    html: rendered.email.html,
    text: rendered.email.text,
    images: rendered.pngs,
    attachments,
  });
  const attached = estimateMessageBytes(partsOf([csv])) <= MESSAGE_BUDGET_BYTES;
  if (!attached) rendered = await render(false);
  const { email, charts } = rendered;
  if (viewOnlineUrl !== undefined) {
    await store.write(onlineKey, inlineImages(email.html, charts, rendered.pngs), 'text/html; charset=utf-8');
  }
  const message: OutgoingMessage = {
    quarter,
    from: config.email.from,
    to: recipient.address,
    recipientKey: key,
    toName: recipient.name,
    replyTo: config.email.replyTo,
    unsubscribeAddress: config.email.unsubscribeAddress,
    subject: email.subject,
    html: email.html,
    text: email.text,
    inlineImages: charts.map((chart, index) => ({
      cid: chart.cid,
      contentType: 'image/png',
      content: rendered.pngs[index] as Uint8Array,
    })),
    attachments: attached
      ? [{ filename: kpisCsvName(quarter), contentType: 'text/csv; charset=utf-8', content: csv }]
      : [],
  };
  return { message, budgetWarnings: budgetProblems(recipient.address, partsOf(attached ? [csv] : [])) };
}

function renderCharts(charts: readonly ChartImage[], pngs: PngCache): Promise<Uint8Array[]> {
  return Promise.all(charts.map((chart) => pngs.render(chart)));
}

/** The HTML with each `cid:` image replaced by its PNG as a data URI: a page that stands alone. */
function inlineImages(html: string, charts: readonly ChartImage[], pngs: readonly Uint8Array[]): string {
  const uris = new Map(
    charts.map((chart, index) => [
      chart.cid,
      `data:image/png;base64,${Buffer.from(pngs[index] ?? new Uint8Array()).toString('base64')}`,
    ]),
  );
  return html.replace(/(["'])cid:([^"']+)\1/g, (match, quote: string, cid: string) => {
    const uri = uris.get(cid);
    return uri === undefined ? match : `${quote}${uri}${quote}`;
  });
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
