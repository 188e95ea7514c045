/**
 * `kpi-report run` and `preview`: publish a quarter (run) or take its published kpis.json
 * (preview), then save the report files and hand one message per recipient to the outbox
 * (a file in the report folder: "written to the outbox") or to SES ("sent"). Each
 * recipient's outcome is printed once, as it is known.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../core/config';
import { formatQuarter } from '../core/quarter';
import { renderSummaryTable } from '../core/report/format/summary-table';
import { type Snapshot, snapshotSchema } from '../core/snapshot';
import { type DeliveryOutcome, deliverReport } from '../use-cases/deliver-report';
import { reportKeys } from '../use-cases/report-keys';
import { runQuarter } from '../use-cases/run-quarter';
import { type EmailRendering, openEmailDelivery, openEmailRendering } from '../wiring/email-delivery';
import type { CommandContext } from './command-context';
import { jsonLine, type RecipientOutcome, type RunDocument, runDocumentSchema } from './json-output';
import type { Output } from './output';
import { UsageError } from './parse-command-line';
import { renderReading } from './validation-text';

export async function runCommand(
  context: CommandContext,
  options: { send: boolean; resend: boolean },
  env: Record<string, string | undefined>,
  output: Output,
): Promise<number> {
  const { store, config } = context;
  // Templates compile before any work, so a broken custom template fails at once.
  const send = options.send || config.email.send;
  if (send && config.email.recipients.length === 0) {
    throw new ConfigError('sending needs recipients: add them to email.recipients in the configuration');
  }
  const rendering = await openEmailRendering(config);
  rendering.warmUp();
  context.progress?.restart();
  const result = await runQuarter({
    ...context.reading(),
    // The period and what was read, stated before any KPI.
    onRead: (report) => output.result(`${renderReading(report)}\n`),
  });
  output.result(`${renderSummaryTable(result.snapshot)}\n`);
  for (const warning of result.snapshot.warnings) output.result(`warning: ${warning}`);
  const snapshotLocation = `${store.location}/${result.snapshotKey}`;
  output.result(`Wrote ${snapshotLocation}`);
  const delivery = await deliver(
    context,
    result.snapshot,
    rendering,
    { send, resend: options.resend },
    env,
    output,
  );
  if (output.json) {
    const document: RunDocument = {
      command: 'run',
      ok: delivery.exitCode === 0,
      exitCode: delivery.exitCode,
      config: context.configFile ?? null,
      quarter: result.snapshot.quarter,
      snapshot: snapshotLocation,
      kpis: Object.fromEntries(
        Object.entries(result.snapshot.kpis).map(([id, kpi]) => [id, { value: kpi.value, band: kpi.band }]),
      ) as RunDocument['kpis'],
      warnings: [...result.snapshot.warnings],
      report: delivery.report,
      delivery: { via: send ? 'ses' : 'outbox', recipients: delivery.recipients },
    };
    output.document(jsonLine(runDocumentSchema, document));
  }
  return delivery.exitCode;
}

export async function previewCommand(
  context: CommandContext,
  env: Record<string, string | undefined>,
  output: Output,
): Promise<number> {
  const { store, config } = context;
  const rendering = await openEmailRendering(config);
  const label = formatQuarter(context.quarter);
  const where = `${store.location}/${reportKeys.snapshot(label)}`;
  const text = await store.readText(reportKeys.snapshot(label));
  if (text === undefined) {
    throw new UsageError(`there is no ${where} to preview; run 'kpi-report run --quarter ${label}' first`);
  }
  const snapshot = parseSnapshotFile(text, where, label);
  return (await deliver(context, snapshot, rendering, { send: false, resend: false }, env, output)).exitCode;
}

interface Delivered {
  readonly exitCode: number;
  readonly report: RunDocument['report'];
  readonly recipients: RecipientOutcome[];
}

async function deliver(
  context: CommandContext,
  snapshot: Snapshot,
  rendering: EmailRendering,
  options: { send: boolean; resend: boolean },
  env: Record<string, string | undefined>,
  output: Output,
): Promise<Delivered> {
  const { store, config } = context;
  const { send } = options;
  const { mailer, ledger } = await openEmailDelivery({ config, store, quarter: snapshot.quarter, send, env });
  const recipients: RecipientOutcome[] = [];
  const result = await deliverReport({
    store,
    config,
    snapshot,
    ...rendering,
    mailer,
    ledger,
    resend: options.resend,
    runId: randomUUID(),
    onEvent: output.log,
    onOutcome: (outcome) => {
      const described = recipientOutcome(outcome, send, store.location);
      recipients.push(described);
      output.result(`  ${described.address}: ${describeRecipient(described)}`);
    },
  });
  output.result(`Wrote ${store.location}/${result.csvKey}`);
  output.result(`Open the report: ${store.location}/${result.htmlKey}`);
  if (config.email.recipients.length === 0) {
    output.result('No recipients configured (email.recipients), so no message was built.');
  }
  const report = {
    html: `${store.location}/${result.htmlKey}`,
    text: `${store.location}/${result.textKey}`,
    csv: `${store.location}/${result.csvKey}`,
  };
  if (result.unserved.length === 0) return { exitCode: 0, report, recipients };
  output.warn(
    `\n${result.unserved.length} of ${result.outcomes.length} recipients did not get the report:\n${result.unserved
      .map((outcome) => `  ${outcome.recipient}: ${outcome.reason}`)
      .join('\n')}\nRun again to retry them; those already served are skipped.`,
  );
  return { exitCode: 4, report, recipients };
}

/** An outcome in the CLI's words: a message the outbox took is a file written, not a mail sent. */
function recipientOutcome(outcome: DeliveryOutcome, send: boolean, location: string): RecipientOutcome {
  const base = { address: outcome.recipient };
  const uncertain = outcome.uncertain === undefined ? {} : { uncertain: outcome.uncertain.reason };
  const reason = outcome.reason === undefined ? {} : { reason: outcome.reason };
  const permanent = outcome.permanent === undefined ? {} : { permanent: outcome.permanent };
  if (outcome.status === 'sent' && !send) {
    return { ...base, status: 'written', location: `${location}/${outcome.messageId}` };
  }
  const messageId = outcome.messageId === undefined ? {} : { messageId: outcome.messageId };
  return { ...base, status: outcome.status, ...messageId, ...reason, ...permanent, ...uncertain };
}

function describeRecipient(outcome: RecipientOutcome): string {
  switch (outcome.status) {
    case 'written':
      return `written to the outbox: ${outcome.location}`;
    case 'sent':
      return `sent through SES (message ${outcome.messageId})${outcome.uncertain === undefined ? '' : `, uncertain: ${outcome.uncertain}`}`;
    case 'already-sent':
      return 'already sent earlier, skipped (use --resend to send again)';
    case 'in-progress-elsewhere':
      return `skipped: ${outcome.reason}`;
    case 'failed':
      return `FAILED (${outcome.permanent ? 'permanent' : 'temporary'}): ${outcome.reason}`;
  }
}

/** A published kpis.json, or a UsageError saying it is not one and how to write it again. */
function parseSnapshotFile(text: string, where: string, label: string): Snapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = snapshotSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new UsageError(
    `${where} is not a valid kpis.json; run 'kpi-report run --quarter ${label}' to write it again`,
  );
}
