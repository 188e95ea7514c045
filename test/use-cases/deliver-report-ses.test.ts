/**
 * Sending through SES exactly once per recipient and quarter, through the real AWS SDK
 * against a local SES emulator that the test starts: a full send, a rerun, a crash half-way
 * through the recipient list, and an SES error for one recipient.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createResvgRasterizer } from '../../src/adapters/charts/resvg-rasterizer';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { loadTemplateFiles } from '../../src/adapters/local/template-folder';
import { createSesClient, SesMailer } from '../../src/adapters/ses/ses-mailer';
import { type Config, parseConfig } from '../../src/core/config';
import type { ChartRasterizer, Mailer, OutgoingMessage } from '../../src/core/ports';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import { compileEmailTemplates, type EmailTemplates } from '../../src/core/report/templates/email-templates';
import type { Snapshot } from '../../src/core/snapshot';
import { deliverReport } from '../../src/use-cases/deliver-report';
import { DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { runQuarter } from '../../src/use-cases/run-quarter';
import { cloneFixture, readReport, removeDataRoots } from '../support/export-fixtures';
import { publishAsPreviousQuarter } from '../support/prior-quarter';
import { type RunningSesLocal, startSesLocalRejecting } from '../support/ses-local';

const QUARTER = parseQuarter('2026-Q3') as Quarter;
const NOW = new Date('2026-10-05T06:00:00.000Z');
const REJECTED = 'bounce@example.com';
const CONFIG: Config = parseConfig({
  companyName: 'Smith & Jones',
  rejectLimitPercent: 50,
  email: {
    from: 'KPI report <kpi@example.com>',
    recipients: [
      { address: 'ceo@example.com' },
      { address: 'cfo@example.com' },
      { address: 'emea@example.com', segments: [{ dimension: 'region', value: 'EMEA' }] },
      { address: 'coo@example.com' },
    ],
  },
});
const WITH_REJECTED: Config = {
  ...CONFIG,
  email: {
    ...CONFIG.email,
    recipients: [
      ...CONFIG.email.recipients.slice(0, 2),
      { address: REJECTED },
      ...CONFIG.email.recipients.slice(2),
    ],
  },
};

let ses: RunningSesLocal;
let templates: EmailTemplates;
let rasterizer: ChartRasterizer;
let mailer: SesMailer;

beforeAll(async () => {
  ses = await startSesLocalRejecting(REJECTED);
  templates = compileEmailTemplates(await loadTemplateFiles());
  rasterizer = await createResvgRasterizer();
  const client = createSesClient({
    region: 'eu-west-1',
    endpoint: ses.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
  mailer = new SesMailer({ client, region: 'eu-west-1' });
});
afterAll(async () => {
  await ses.close();
});
beforeEach(async () => {
  await ses.clear();
});
afterEach(async () => {
  await removeDataRoots();
});

async function computedExample(): Promise<{ root: string; store: LocalExportStore; snapshot: Snapshot }> {
  const root = await cloneFixture('example');
  const store = new LocalExportStore(root);
  // A previous quarter, so that the messages have trend charts to inline.
  await publishAsPreviousQuarter(
    store,
    (await runQuarter({ store, config: CONFIG, quarter: QUARTER, now: NOW })).snapshot,
  );
  const { snapshot } = await runQuarter({ store, config: CONFIG, quarter: QUARTER, now: NOW });
  return { root, store, snapshot };
}

function deliver(
  store: LocalExportStore,
  snapshot: Snapshot,
  options: { config?: Config; mailer?: Mailer; runId?: string; at?: Date; resend?: boolean } = {},
) {
  return deliverReport({
    store,
    config: options.config ?? CONFIG,
    snapshot,
    templates,
    rasterizer,
    mailer: options.mailer ?? mailer,
    ledger: new DeliveryLedger(store, { now: () => options.at ?? NOW, leaseMs: 2 * 60_000 }),
    resend: options.resend ?? false,
    runId: options.runId ?? 'run-1',
    now: () => options.at ?? NOW,
    waitForOtherRuns: { pauseMs: 0, maxWaitMs: 0 },
  });
}

async function recipientsReceived(): Promise<string[]> {
  return (await ses.messages()).flatMap((mail) => mail.destination.to).sort();
}

/** Stands for a run killed (Lambda timeout, out of memory) before its `n`th send. */
function crashingBefore(n: number, inner: Mailer): Mailer {
  let calls = 0;
  return {
    description: inner.description,
    send: (message: OutgoingMessage) => {
      calls += 1;
      if (calls === n) return Promise.reject(new Error('simulated crash: the run stopped here'));
      return inner.send(message);
    },
  };
}

describe('sending the report through SES', () => {
  it('sends each recipient their message, with inline charts and the CSV, and records it in the ledger', async () => {
    const { root, store, snapshot } = await computedExample();

    const result = await deliver(store, snapshot);

    expect(result.unserved).toEqual([]);
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const mails = await ses.messages();
    expect(mails.flatMap((mail) => mail.destination.to).sort()).toEqual([
      'ceo@example.com',
      'cfo@example.com',
      'coo@example.com',
      'emea@example.com',
    ]);
    const emea = mails.find((mail) => mail.destination.to.includes('emea@example.com'));
    expect(emea?.subject).toBe('KPIs steady within noise · Smith & Jones 2026-Q3');
    expect(emea?.attachments.filter((part) => part.contentType === 'image/png' && part.cid)).toHaveLength(7);
    expect(emea?.attachments.some((part) => part.filename === 'kpis-2026-Q3.csv')).toBe(true);
    expect(await readReport(root, '2026-Q3', 'deliveries/ceo@example.com.json')).toMatchObject({
      recipient: 'ceo@example.com',
      quarter: '2026-Q3',
      runId: 'run-1',
      messageId: result.outcomes[0]?.messageId,
    });
  });

  it('sends nothing on a rerun: every recipient was already served', async () => {
    const { store, snapshot } = await computedExample();
    await deliver(store, snapshot);
    await ses.clear();

    const rerun = await deliver(store, snapshot, { runId: 'run-2' });

    expect(rerun.outcomes.map((outcome) => outcome.status)).toEqual([
      'already-sent',
      'already-sent',
      'already-sent',
      'already-sent',
    ]);
    expect(await ses.messages()).toEqual([]);
  });

  it('sends again to everyone when asked to resend', async () => {
    const { root, store, snapshot } = await computedExample();
    await deliver(store, snapshot);
    await ses.clear();

    const resent = await deliver(store, snapshot, { runId: 'run-2', resend: true });

    expect(resent.outcomes.every((outcome) => outcome.status === 'sent')).toBe(true);
    expect(await recipientsReceived()).toHaveLength(4);
    expect(await readReport(root, '2026-Q3', 'deliveries/ceo@example.com.json')).toMatchObject({
      runId: 'run-2',
    });
  });

  it('completes the rest after a crash half-way, without mailing anyone twice', async () => {
    const { store, snapshot } = await computedExample();
    await expect(
      deliver(store, snapshot, { mailer: crashingBefore(3, mailer), runId: 'crashed' }),
    ).rejects.toThrow('simulated crash');
    expect(await recipientsReceived()).toEqual(['ceo@example.com', 'cfo@example.com']);

    // A retry within the claim's lease cannot tell a crash from a send in progress: it leaves them.
    const early = await deliver(store, snapshot, { runId: 'retry-1', at: new Date(NOW.getTime() + 30_000) });
    expect(early.outcomes.map((outcome) => outcome.status)).toEqual([
      'already-sent',
      'already-sent',
      'in-progress-elsewhere',
      'sent',
    ]);
    // Once the lease has run out, the next retry serves the last recipient, saying the
    // crashed run may have reached SES (it had marked the claim sending).
    const later = await deliver(store, snapshot, {
      runId: 'retry-2',
      at: new Date(NOW.getTime() + 5 * 60_000),
    });

    expect(later.outcomes.map((outcome) => outcome.status)).toEqual([
      'already-sent',
      'already-sent',
      'sent',
      'already-sent',
    ]);
    expect(later.outcomes[2]).toMatchObject({
      recipient: 'emea@example.com',
      uncertain: { earlierRunId: 'crashed', since: NOW.toISOString() },
    });
    expect(later.unserved).toEqual([]);
    expect(await recipientsReceived()).toEqual([
      'ceo@example.com',
      'cfo@example.com',
      'coo@example.com',
      'emea@example.com',
    ]);
  });

  it('keeps sending to the others when SES rejects one recipient, and lists who did not get it', async () => {
    const { store, snapshot } = await computedExample();

    const result = await deliver(store, snapshot, { config: WITH_REJECTED });

    expect(result.outcomes.map((outcome) => [outcome.recipient, outcome.status])).toEqual([
      ['ceo@example.com', 'sent'],
      ['cfo@example.com', 'sent'],
      [REJECTED, 'failed'],
      ['emea@example.com', 'sent'],
      ['coo@example.com', 'sent'],
    ]);
    expect(result.unserved).toEqual([
      expect.objectContaining({
        recipient: REJECTED,
        permanent: true,
        reason: expect.stringContaining('MessageRejected'),
      }),
    ]);
    expect(await recipientsReceived()).toHaveLength(4);
  });

  it('retries only the recipient who did not get it on the next run', async () => {
    const { store, snapshot } = await computedExample();
    await deliver(store, snapshot, { config: WITH_REJECTED });
    await ses.clear();

    const rerun = await deliver(store, snapshot, { config: WITH_REJECTED, runId: 'run-2' });

    expect(rerun.outcomes.filter((outcome) => outcome.status !== 'already-sent')).toEqual([
      expect.objectContaining({ recipient: REJECTED, status: 'failed' }),
    ]);
    expect(await ses.messages()).toEqual([]);
  });
});
