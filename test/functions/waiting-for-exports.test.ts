/**
 * The scheduled run that waits for its data, through the handlers as deployed: the report
 * function on the schedule's event, the validate function on queued S3 notifications and
 * on the hourly sweep. Real SDK against s3rver (behind the conditional-write front) and
 * the SES emulator; operations' notices and the asynchronous start of the run are the
 * port fakes a test can watch (the run is started by calling the report handler, as Lambda
 * would).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRunReportHandler } from '../../functions/run-report/index';
import { createValidateUploadHandler, type UploadBatchResult } from '../../functions/validate-upload/index';
import { listReportQuarters } from '../../functions/validate-upload/report-quarters';
import { createSesClient, SesMailer } from '../../src/adapters/ses/ses-mailer';
import { parseConfig } from '../../src/core/config';
import type { ExportStore, OpsNotifier, RunRequest } from '../../src/core/ports';
import { DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { UPLOAD_QUIET_MINUTES } from '../../src/use-cases/upload-debounce';
import { openEmailRendering } from '../../src/wiring/email-delivery';
import { captureOutput } from '../support/capture-output';
import {
  EXAMPLE_EXPORTS,
  exampleDataRoot,
  uploadExport,
  useLocalAws,
} from '../support/local-report-handlers';

const BUCKET = 'kpi-data';
const CONFIG = parseConfig({
  companyName: 'Smith & Jones',
  rejectLimitPercent: 50,
  email: {
    from: 'KPI report <kpi@example.com>',
    send: true,
    recipients: [{ address: 'ceo@example.com' }, { address: 'cfo@example.com' }],
  },
});
const SCHEDULED = { source: 'schedule', scheduledTime: '2026-10-05T06:00:00Z' };
const NOW = new Date('2026-10-05T06:00:05.000Z');
const minutesAfter = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const silent = () => new Logger({ logLevel: 'SILENT' });

const aws = useLocalAws(BUCKET);
let prefixes = 0;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A fresh data root holding the example's exports, but for the files left out. */
async function dataRoot(leaveOut: readonly string[]) {
  prefixes += 1;
  const prefix = `waiting-${prefixes}`;
  return { prefix, store: await exampleDataRoot(aws, prefix, leaveOut) };
}

/** Queued S3 notifications, one message per file, each uploaded at its time. */
function queued(
  prefix: string,
  uploads: readonly { name: string; at: Date; messageId?: string }[],
): SQSEvent {
  return {
    Records: uploads.map(({ name, at, messageId }, index) => ({
      messageId: messageId ?? `${name}-${index}`,
      body: JSON.stringify({
        Records: [
          { eventTime: at.toISOString(), s3: { object: { key: `${prefix}/exports/2026-Q3/${name}` } } },
        ],
      }),
    })),
  } as unknown as SQSEvent;
}

function world(store: ExportStore, prefix: string) {
  const notices: { subject: string; message: string }[] = [];
  const notifier: OpsNotifier = {
    notify: async (subject, message) => void notices.push({ subject, message }),
  };
  const client = createSesClient({
    region: 'eu-west-1',
    endpoint: aws.ses.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const runAt = (at: Date) =>
    createRunReportHandler({
      store,
      config: CONFIG,
      rendering: () => openEmailRendering(CONFIG),
      delivery: () => ({ mailer: new SesMailer({ client }), ledger: new DeliveryLedger(store) }),
      logger: silent(),
      metrics: new Metrics({ namespace: 'kpi-report', serviceName: 'kpi-report' }),
      now: () => at,
      notifier,
    });
  const started: Promise<unknown>[] = [];
  const validateAt = (at: Date, metrics?: Metrics) =>
    createValidateUploadHandler({
      store,
      config: CONFIG,
      prefix,
      notifier,
      reportQuarters: () => listReportQuarters({ client: aws.s3, bucket: BUCKET, prefix }),
      logger: silent(),
      now: () => at,
      // Stands for Lambda's asynchronous invocation of the report function.
      launcher: {
        start: async (request: RunRequest) => void started.push(runAt(at)({ source: 'api', ...request })),
      },
      metrics,
    });
  return { notices, runAt, validateAt, started };
}

async function recipientsMailed(): Promise<string[]> {
  return (await aws.ses.messages()).flatMap((mail) => mail.destination.to).sort();
}

const statusOf = async (store: ExportStore) =>
  JSON.parse((await store.readText('reports/2026-Q3/status.json')) ?? '{}');

describe('a scheduled run that finds its exports incomplete', () => {
  it('waits, tells operations once, and starts by itself when an upload completes the set, mailing once', async () => {
    // Arrange: the schedule fires before interactions.csv is uploaded.
    const { prefix, store } = await dataRoot(['interactions.csv']);
    const { notices, runAt, validateAt, started } = world(store, prefix);

    // Act 1: the scheduled run, and the same event again (Scheduler delivers at least once).
    const first = await runAt(NOW)(SCHEDULED);
    const again = await runAt(minutesAfter(1))(SCHEDULED);

    // Assert 1
    expect([first, again]).toEqual([
      { quarter: '2026-Q3', runId: 'schedule-2026-10-05T06:00:00Z', status: 'waiting-for-exports' },
      { quarter: '2026-Q3', runId: 'schedule-2026-10-05T06:00:00Z', status: 'waiting-for-exports' },
    ]);
    expect(await statusOf(store)).toMatchObject({
      status: 'waiting-for-exports',
      waiting: {
        until: '2026-11-04T06:00:00.000Z',
        problems: [expect.stringContaining('the required dataset interactions is missing')],
        notifiedAt: NOW.toISOString(),
      },
    });
    expect(notices).toEqual([
      {
        subject: 'kpi-report: the 2026-Q3 report is waiting for its exports',
        message: expect.stringContaining('the required dataset interactions is missing'),
      },
    ]);
    expect(await recipientsMailed()).toEqual([]);

    // Act 2: operations upload the missing file; its notification is handled once the upload went quiet.
    await uploadExport(
      aws,
      prefix,
      'interactions.csv',
      await readFile(path.join(EXAMPLE_EXPORTS, 'interactions.csv')),
    );
    const uploadedAt = minutesAfter(60);
    const validated = (await validateAt(new Date(uploadedAt.getTime() + 6 * 60_000))(
      queued(prefix, [{ name: 'interactions.csv', at: uploadedAt }]),
    )) as UploadBatchResult;
    await Promise.all(started);

    // Assert 2
    expect(validated.checks).toEqual([
      { quarter: '2026-Q3', ok: true, notified: false, waitingRun: 'started' },
    ]);
    expect(await recipientsMailed()).toEqual(['ceo@example.com', 'cfo@example.com']);
    expect(await statusOf(store)).toMatchObject({
      runId: 'schedule-2026-10-05T06:00:00Z',
      status: 'succeeded',
    });

    // Act 3: another upload later validates again, and starts nothing.
    await aws.ses.clear();
    const reupload = minutesAfter(120);
    const later = (await validateAt(minutesAfter(130))(
      queued(prefix, [{ name: 'interactions.csv', at: reupload }]),
    )) as UploadBatchResult;
    await Promise.all(started);

    // Assert 3
    expect(later.checks).toEqual([
      { quarter: '2026-Q3', ok: true, notified: false, waitingRun: 'not-waiting' },
    ]);
    expect(await recipientsMailed()).toEqual([]);
    expect(notices).toHaveLength(1);
  });

  it('gives up after its window: the sweep ends the wait as failed, tells operations, and the heartbeat says overdue', async () => {
    // Arrange
    const { prefix, store } = await dataRoot(['interactions.csv']);
    const { notices, runAt, validateAt } = world(store, prefix);
    await runAt(NOW)(SCHEDULED);
    const output = captureOutput();

    // Act: sweeps within the window and after it.
    await validateAt(
      minutesAfter(29 * 24 * 60),
      new Metrics({ namespace: 'kpi-report', serviceName: 'kpi-report' }),
    )({
      source: 'sweep',
    });
    const within = await statusOf(store);
    await validateAt(
      minutesAfter(31 * 24 * 60),
      new Metrics({ namespace: 'kpi-report', serviceName: 'kpi-report' }),
    )({
      source: 'sweep',
    });

    // Assert
    const published = output
      .stdout()
      .split('\n')
      .filter((line) => line.includes('ReportOverdue'))
      .map((line) => (JSON.parse(line) as { ReportOverdue: number }).ReportOverdue);
    vi.restoreAllMocks();
    expect(within.status).toBe('waiting-for-exports');
    expect(await statusOf(store)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('no valid export set arrived by 2026-11-04T06:00:00.000Z'),
    });
    expect(notices.map((notice) => notice.subject)).toEqual([
      'kpi-report: the 2026-Q3 report is waiting for its exports',
      'kpi-report: the 2026-Q3 report gave up waiting for its exports',
    ]);
    expect(published).toEqual([0, 1]);
  });
});

describe('upload validation, debounced per quarter', () => {
  it('validates a 40-part upload once, after its last part, however its notifications are batched', async () => {
    // Arrange: the other datasets are there; interactions arrive as 40 parts, one every 15 s.
    const { prefix, store } = await dataRoot(['interactions.csv']);
    const rows = (await readFile(path.join(EXAMPLE_EXPORTS, 'interactions.csv'), 'utf8')).trim().split('\n');
    const header = rows[0] as string;
    const parts = Array.from({ length: 40 }, (_, index) => ({
      name: `interactions/part-${String(index + 1).padStart(2, '0')}.csv`,
      at: minutesAfter(index / 4),
      body: `${[header, ...rows.slice(1).filter((_, row) => row % 40 === index)].join('\n')}\n`,
    }));
    const { validateAt } = world(store, prefix);
    const results: UploadBatchResult[] = [];

    // Act: the queue delivers batches of 10 as the parts arrive (30 s after each batch's last
    // part); the messages handed back return 6 minutes after the last (the queue's
    // visibility timeout), together.
    let handedBack: { name: string; at: Date; messageId: string }[] = [];
    for (let batch = 0; batch < 4; batch += 1) {
      const inBatch = parts.slice(batch * 10, batch * 10 + 10);
      for (const part of inBatch) await uploadExport(aws, prefix, part.name, part.body);
      const deliveredAt = new Date((inBatch.at(-1)?.at.getTime() ?? 0) + 30_000);
      const result = (await validateAt(deliveredAt)(queued(prefix, inBatch))) as UploadBatchResult;
      results.push(result);
      handedBack = handedBack.concat(
        result.batchItemFailures.map(({ itemIdentifier }) => {
          const part = parts.find((candidate) =>
            itemIdentifier.startsWith(candidate.name),
          ) as (typeof parts)[number];
          return { ...part, messageId: itemIdentifier };
        }),
      );
    }
    const lastPartAt = parts.at(-1)?.at as Date;
    const redelivered = (await validateAt(new Date(lastPartAt.getTime() + 30_000 + 6 * 60_000))(
      queued(prefix, handedBack),
    )) as UploadBatchResult;
    results.push(redelivered);

    // Assert
    expect(results.map((result) => result.decisions.map((decision) => decision.decision))).toEqual([
      ['defer'],
      ['defer'],
      ['defer'],
      ['defer'],
      ['validate'],
    ]);
    expect(results.flatMap((result) => result.checks)).toEqual([
      { quarter: '2026-Q3', ok: true, notified: false, waitingRun: 'not-waiting' },
    ]);
    // Each batch handed back its latest message only; all come back, and only part 40's counts.
    expect(handedBack.map((message) => message.name)).toEqual([
      'interactions/part-10.csv',
      'interactions/part-20.csv',
      'interactions/part-30.csv',
      'interactions/part-40.csv',
    ]);
    expect(UPLOAD_QUIET_MINUTES).toBeLessThan(6);
    const validation = JSON.parse((await store.readText('reports/2026-Q3/validation.json')) ?? '{}');
    expect(validation.dataQuality.interactions.rows).toBe(rows.length - 1);
  });

  it('hands back only the latest message of a quarter, and drops a message older than an upload already seen', async () => {
    // Arrange
    const { prefix, store } = await dataRoot([]);
    const { validateAt } = world(store, prefix);
    await validateAt(minutesAfter(1))(
      queued(prefix, [{ name: 'clients.csv', at: minutesAfter(0.5), messageId: 'late' }]),
    );

    // Act: an older notification delivered out of order, long after.
    const older = (await validateAt(minutesAfter(20))(
      queued(prefix, [{ name: 'services.csv', at: minutesAfter(0.25), messageId: 'older' }]),
    )) as UploadBatchResult;

    // Assert
    expect(older).toEqual({
      batchItemFailures: [],
      decisions: [{ quarter: '2026-Q3', decision: 'covered' }],
      checks: [],
    });
  });
});
