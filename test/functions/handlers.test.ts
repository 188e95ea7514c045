/**
 * The Lambda handlers invoked locally with realistic events, against a local S3 server
 * (s3rver) and SES emulator (aws-ses-v2-local), through the real AWS SDK.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReportsApiHandler } from '../../functions/reports-api/index';
import { createRunReportHandler } from '../../functions/run-report/index';
import {
  createValidateUploadHandler,
  MISSING_GRACE_MINUTES,
  type UploadBatchResult,
} from '../../functions/validate-upload/index';
import { OutboxMailer } from '../../src/adapters/outbox/outbox-mailer';
import { createReportLinker } from '../../src/adapters/s3/presign-report-link';
import { listReportQuarters } from '../../src/adapters/s3/report-quarters';
import { createS3Client, S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import { createSesClient, SesMailer } from '../../src/adapters/ses/ses-mailer';
import { SnsOpsNotifier } from '../../src/adapters/sns/sns-notifier';
import { type Config, parseConfig } from '../../src/core/config';
import { KPI_IDS } from '../../src/core/kpi-ids';
import type { ExportStore, RunRequest } from '../../src/core/ports';
import { DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { openEmailRendering } from '../../src/wiring/email-delivery';
import {
  type RecordedPublish,
  type RecordingEndpoint,
  startSnsPublishRecorder,
} from '../support/recording-endpoints';
import { type RunningS3Front, startS3Front } from '../support/s3-front';
import { S3RVER_CREDENTIALS } from '../support/s3rver';
import { type RunningSesLocal, startSesLocal } from '../support/ses-local';

const BUCKET = 'kpi-data';
const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/example/2026-Q3');
const CONFIG = parseConfig({
  companyName: 'Smith & Jones',
  rejectLimitPercent: 50,
  email: {
    from: 'KPI report <kpi@example.com>',
    recipients: [{ address: 'ceo@example.com' }, { address: 'cfo@example.com' }],
  },
});
const NOW = new Date('2026-10-05T06:00:05.000Z');
const silent = () => new Logger({ logLevel: 'SILENT' });

/** s3rver behind a front that honours conditional writes, as the delivery ledger needs. */
let s3server: RunningS3Front;
let ses: RunningSesLocal;
let s3: S3Client;
let prefixCounter = 0;

beforeAll(async () => {
  s3server = await startS3Front([BUCKET]);
  ses = await startSesLocal();
  s3 = createS3Client({ region: 'eu-west-1', endpoint: s3server.endpoint, credentials: S3RVER_CREDENTIALS });
});
afterAll(async () => {
  s3.destroy();
  await ses.close();
  await s3server.stop();
});
beforeEach(async () => {
  await ses.clear();
});

/** A fresh data root in the bucket, holding the worked example's 2026-Q3 exports. */
async function dataRoot(options: { files?: readonly string[] } = {}) {
  prefixCounter += 1;
  const prefix = `tenant-${prefixCounter}`;
  for (const name of options.files ?? (await readdir(FIXTURE))) {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${prefix}/exports/2026-Q3/${name}`,
        Body: await readFile(path.join(FIXTURE, name)),
      }),
    );
  }
  return { prefix, store: new S3ExportStore({ client: s3, bucket: BUCKET, prefix }) };
}

/** `openedOnFirstUse`: the delivery comes from a promise, as the deployed handler imports it. */
function runHandler(store: S3ExportStore, options: { openedOnFirstUse?: boolean } = {}) {
  const client = createSesClient({
    region: 'eu-west-1',
    endpoint: ses.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const delivery = (quarter: string, send: boolean) =>
    send
      ? { mailer: new SesMailer({ client }), ledger: new DeliveryLedger(store) }
      : { mailer: new OutboxMailer({ store, quarter }), ledger: undefined };
  return createRunReportHandler({
    store,
    config: CONFIG,
    rendering: () => openEmailRendering(CONFIG),
    delivery: options.openedOnFirstUse
      ? async (quarter, send) => {
          await new Promise((resolve) => setImmediate(resolve));
          return delivery(quarter, send);
        }
      : delivery,
    logger: silent(),
    metrics: new Metrics({ namespace: 'kpi-report-test', serviceName: 'test' }),
    now: () => NOW,
  });
}

const SCHEDULED = { source: 'schedule', scheduledTime: '2026-10-05T06:00:00Z' };

describe('the report function', () => {
  it('runs the last completed quarter on a schedule event: snapshot, report and mail', async () => {
    const { store } = await dataRoot();

    const result = await runHandler(store)(SCHEDULED);

    expect(result).toEqual({
      quarter: '2026-Q3',
      runId: 'schedule-2026-10-05T06:00:00Z',
      status: 'succeeded',
    });
    expect((await ses.messages()).flatMap((mail) => mail.destination.to).sort()).toEqual([
      'ceo@example.com',
      'cfo@example.com',
    ]);
    expect(await store.readText('reports/2026-Q3/kpis.json')).toBeDefined();
    expect(JSON.parse((await store.readText('reports/2026-Q3/status.json')) ?? '{}')).toMatchObject({
      status: 'succeeded',
      requestedBy: 'schedule',
      deliveries: { sent: 2, alreadySent: 0, unserved: [] },
    });
  });

  it('mails through an email delivery that is opened asynchronously on the first run', async () => {
    const { store } = await dataRoot();

    const result = await runHandler(store, { openedOnFirstUse: true })(SCHEDULED);

    expect(result).toMatchObject({ status: 'succeeded' });
    expect((await ses.messages()).flatMap((mail) => mail.destination.to).sort()).toEqual([
      'ceo@example.com',
      'cfo@example.com',
    ]);
  });

  it('answers a second delivery of the same scheduled event with the first run, sending and rewriting nothing', async () => {
    const { store } = await dataRoot();
    await runHandler(store)(SCHEDULED);
    const statusBefore = await store.readText('reports/2026-Q3/status.json');
    await ses.clear();

    const again = await runHandler(store)(SCHEDULED);

    expect(again).toEqual({
      quarter: '2026-Q3',
      runId: 'schedule-2026-10-05T06:00:00Z',
      status: 'succeeded',
      repeated: true,
    });
    expect(await ses.messages()).toEqual([]);
    expect(await store.readText('reports/2026-Q3/status.json')).toBe(statusBefore);
  });

  it('records a run asked for a quarter that has not ended as failed, saying why, and sends nothing', async () => {
    const { store } = await dataRoot();
    const event = { source: 'api', runId: 'run-open', quarter: '2026-Q4' };

    const outcome = runHandler(store)(event);

    await expect(outcome).rejects.toThrow('2026-Q4 has not ended');
    expect(JSON.parse((await store.readText('reports/2026-Q4/status.json')) ?? '{}')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^2026-Q4 has not ended: it runs to 2026-12-31 \(UTC\)/),
    });
    expect(await store.readText('reports/2026-Q4/kpis.json')).toBeUndefined();
    expect(await ses.messages()).toEqual([]);
  });

  it('records a run over another quarter’s exports as failed, naming the dates found', async () => {
    const { store, prefix } = await dataRoot({ files: [] });
    for (const name of await readdir(FIXTURE)) {
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `${prefix}/exports/2025-Q3/${name}`,
          Body: await readFile(path.join(FIXTURE, name)),
        }),
      );
    }

    const outcome = runHandler(store)({ source: 'api', runId: 'run-wrong', quarter: '2025-Q3' });

    await expect(outcome).rejects.toThrow('cannot be reported on');
    expect(JSON.parse((await store.readText('reports/2025-Q3/status.json')) ?? '{}')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('interactions: only 0 of 16 dated rows (0.0%) fall in 2025-Q3'),
    });
    expect(await store.readText('reports/2025-Q3/kpis.json')).toBeUndefined();
    expect(await ses.messages()).toEqual([]);
  });

  it('rejects an event it does not understand, naming the field', async () => {
    const { store } = await dataRoot({ files: [] });

    await expect(runHandler(store)({ source: 'schedule', scheduledTime: 'yesterday' })).rejects.toThrow(
      /scheduledTime/,
    );
  });
});

function apiEvent(
  method: 'GET' | 'POST',
  resource: string,
  options: { body?: string; quarter?: string } = {},
): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    resource,
    path: resource.replace('{quarter}', options.quarter ?? ''),
    body: options.body ?? null,
    pathParameters: options.quarter === undefined ? null : { quarter: options.quarter },
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}

describe('the reports API', () => {
  async function api() {
    const { prefix, store } = await dataRoot();
    const started: Promise<unknown>[] = [];
    const run = runHandler(store);
    const handler = createReportsApiHandler({
      store,
      // Stands for Lambda's asynchronous invocation of the report function.
      launcher: {
        start: async (request: RunRequest) => void started.push(run({ source: 'api', ...request })),
      },
      reportLink: createReportLinker({ client: s3, bucket: BUCKET, prefix }),
      logger: silent(),
      now: () => NOW,
      newRunId: () => 'run-42',
    });
    return { handler, started, store };
  }

  it('answers 400 naming the field for a bad body', async () => {
    const { handler } = await api();

    const response = await handler(
      apiEvent('POST', '/reports', { body: JSON.stringify({ quarter: '2026Q3', dryrun: true }) }),
    );

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({
      errors: expect.arrayContaining([
        expect.objectContaining({ field: 'quarter', message: 'write the quarter like 2026-Q3' }),
        expect.objectContaining({ field: '(body)', message: expect.stringContaining('dryrun') }),
      ]),
    });
  });

  it('answers 400 for a body that is not JSON and 404 for a quarter without exports', async () => {
    const { handler } = await api();

    const notJson = await handler(apiEvent('POST', '/reports', { body: 'quarter=2026-Q3' }));
    const unknown = await handler(
      apiEvent('POST', '/reports', { body: JSON.stringify({ quarter: '2019-Q1' }) }),
    );

    expect(notJson.statusCode).toBe(400);
    expect(unknown.statusCode).toBe(404);
  });

  it('answers a kpis.json that is not JSON with no KPIs, not a 500', async () => {
    // Arrange
    const { handler, store } = await api();
    await store.write('reports/2026-Q3/kpis.json', '{"schemaVersion": 1, "quart', 'application/json');

    // Act
    const status = await handler(apiEvent('GET', '/reports/{quarter}', { quarter: '2026-Q3' }));

    // Assert
    expect(status.statusCode).toBe(200);
    expect(JSON.parse(status.body)).toEqual({
      quarter: '2026-Q3',
      run: null,
      generatedAt: null,
      kpis: null,
      reportUrl: null,
    });
  });

  it('answers 202 with a run id, then the status, the KPIs and a working link to report.html', async () => {
    const { handler, started } = await api();

    const accepted = await handler(
      apiEvent('POST', '/reports', { body: JSON.stringify({ quarter: '2026-Q3' }) }),
    );
    await Promise.all(started);
    const status = await handler(apiEvent('GET', '/reports/{quarter}', { quarter: '2026-Q3' }));

    expect(accepted.statusCode).toBe(202);
    expect(JSON.parse(accepted.body)).toEqual({
      runId: 'run-42',
      quarter: '2026-Q3',
      status: 'queued',
      statusPath: '/reports/2026-Q3',
    });
    expect(status.statusCode).toBe(200);
    const body = JSON.parse(status.body);
    expect(body.run).toMatchObject({ runId: 'run-42', status: 'succeeded', requestedBy: 'api' });
    expect(Object.keys(body.kpis)).toHaveLength(7);
    const page = await fetch(body.reportUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Smith &amp; Jones');
  });

  it('links a report.html that shows its charts without any other file being signed', async () => {
    // Arrange: a published 2026-Q2 gives 2026-Q3 a trend, so the report has charts.
    const { handler, started, store } = await api();
    const prior = Object.fromEntries(KPI_IDS.map((id) => [id, { value: 50 }]));
    await store.write(
      'reports/2026-Q2/kpis.json',
      JSON.stringify({ schemaVersion: 1, quarter: '2026-Q2', kpis: prior, segments: {} }),
      'application/json',
    );

    // Act
    await handler(apiEvent('POST', '/reports', { body: JSON.stringify({ quarter: '2026-Q3' }) }));
    await Promise.all(started);
    const status = await handler(apiEvent('GET', '/reports/{quarter}', { quarter: '2026-Q3' }));
    const page = await (await fetch(JSON.parse(status.body).reportUrl)).text();

    // Assert
    expect(page.match(/src="data:image\/png;base64,/g)).toHaveLength(7);
    expect(page).not.toMatch(/src="(?!data:)/);
  });

  it('answers 400 for a malformed quarter and 404 for a quarter never run', async () => {
    const { handler } = await api();

    const malformed = await handler(apiEvent('GET', '/reports/{quarter}', { quarter: 'Q3-2026' }));
    const never = await handler(apiEvent('GET', '/reports/{quarter}', { quarter: '2020-Q1' }));

    expect(malformed.statusCode).toBe(400);
    expect(never.statusCode).toBe(404);
  });
});

describe('the upload validation function', () => {
  // SNS's Publish, answered and recorded by a local endpoint (no SNS emulator runs here).
  let sns: RecordingEndpoint<RecordedPublish>;
  let snsClient: SNSClient;
  beforeAll(async () => {
    sns = await startSnsPublishRecorder();
    snsClient = new SNSClient({
      region: 'eu-west-1',
      endpoint: sns.endpoint,
      credentials: S3RVER_CREDENTIALS,
    });
  });
  afterAll(async () => {
    snsClient.destroy();
    await sns.stop();
  });
  beforeEach(() => {
    sns.recorded.length = 0;
  });

  /**
   * The queued S3 notifications of uploads of `files`, one message each, uploaded at
   * `uploadedAt`: by default long enough before NOW that the upload has gone quiet.
   */
  function s3Event(prefix: string, files: readonly string[], uploadedAt = minutesAfter(-10)): SQSEvent {
    return {
      Records: files.map((name, index) => ({
        messageId: `m-${index}`,
        body: JSON.stringify({
          Records: [
            {
              eventTime: uploadedAt.toISOString(),
              s3: {
                bucket: { name: BUCKET },
                object: {
                  key: encodeURIComponent(`${prefix}/exports/2026-Q3/${name}`).replaceAll('%2F', '/'),
                },
              },
            },
          ],
        }),
      })),
    } as unknown as SQSEvent;
  }

  /** What a batch's validations found. */
  async function checked(result: Promise<unknown>) {
    return ((await result) as UploadBatchResult).checks;
  }

  function validator(prefix: string, store: ExportStore, at: Date = NOW, config: Config = parseConfig({})) {
    return createValidateUploadHandler({
      store,
      config,
      prefix,
      notifier: new SnsOpsNotifier({
        client: snsClient,
        topicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
      }),
      reportQuarters: () => listReportQuarters({ client: s3, bucket: BUCKET, prefix }),
      logger: silent(),
      now: () => at,
    });
  }

  const SWEEP = { source: 'sweep' };
  const minutesAfter = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

  it('writes validation.json with the problems of a bad export and notifies operations once', async () => {
    const { prefix, store } = await dataRoot();
    const files = await readdir(FIXTURE);

    const first = await checked(validator(prefix, store)(s3Event(prefix, files)));
    // A file uploaded again later, findings unchanged.
    const repeat = await checked(
      validator(prefix, store, minutesAfter(10))(s3Event(prefix, files.slice(0, 1), minutesAfter(1))),
    );

    expect(first).toEqual([{ quarter: '2026-Q3', ok: false, notified: true }]);
    expect(repeat).toEqual([{ quarter: '2026-Q3', ok: false, notified: false }]);
    const validation = JSON.parse((await store.readText('reports/2026-Q3/validation.json')) ?? '{}');
    expect(validation.problems).toContainEqual(
      expect.stringContaining('interactions: 4 of 19 rows (21.1%) were rejected'),
    );
    expect(sns.recorded).toHaveLength(1);
    expect(sns.recorded[0]?.subject).toBe('kpi-report: the 2026-Q3 exports need fixing');
    expect(await store.readText('exports/2026-Q3/validation.json')).toBeUndefined();
  });

  it('waits for a multi-file upload to complete before calling a dataset missing', async () => {
    const { prefix, store } = await dataRoot({ files: ['clients.csv'] });

    const early = await checked(validator(prefix, store)(s3Event(prefix, ['clients.csv'])));
    const late = await checked(
      validator(
        prefix,
        store,
        minutesAfter(MISSING_GRACE_MINUTES + 1),
      )(s3Event(prefix, ['clients.csv'], minutesAfter(MISSING_GRACE_MINUTES - 9))),
    );

    expect(early).toEqual([{ quarter: '2026-Q3', ok: false, notified: false }]);
    expect(late).toEqual([{ quarter: '2026-Q3', ok: false, notified: true }]);
    expect(sns.recorded[0]?.message).toContain('the required dataset interactions is missing');
  });
  it('tells operations on the first sweep after the grace period that a dataset is still missing, and only once', async () => {
    // Arrange: an upload that stopped after four files, with no event since
    const { prefix, store } = await dataRoot({
      files: ['clients.csv', 'services.csv', 'support_costs.csv', 'surveys.csv'],
    });
    await validator(prefix, store)(s3Event(prefix, ['clients.csv']));
    const exportReads = countingReads(store);

    // Act
    const first = await validator(prefix, exportReads.store, minutesAfter(MISSING_GRACE_MINUTES + 1))(SWEEP);
    const readsByFirst = exportReads.count();
    const second = await validator(
      prefix,
      exportReads.store,
      minutesAfter(MISSING_GRACE_MINUTES + 61),
    )(SWEEP);

    // Assert
    expect(first).toEqual([{ quarter: '2026-Q3', status: 'checked', notified: true }]);
    expect(second).toEqual([{ quarter: '2026-Q3', status: 'already-reported', notified: false }]);
    expect(sns.recorded).toHaveLength(1);
    expect(sns.recorded[0]).toMatchObject({
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
      subject: 'kpi-report: the 2026-Q3 exports need fixing',
      message: expect.stringContaining('the required dataset interactions is missing'),
    });
    expect(readsByFirst).toBeGreaterThan(0);
    expect(exportReads.count()).toBe(readsByFirst);
  });

  it('sends nothing more on a sweep after an upload already reported the missing dataset', async () => {
    const { prefix, store } = await dataRoot({ files: ['clients.csv'] });
    await validator(prefix, store)(s3Event(prefix, ['clients.csv']));
    await validator(
      prefix,
      store,
      minutesAfter(MISSING_GRACE_MINUTES + 1),
    )(s3Event(prefix, ['clients.csv'], minutesAfter(MISSING_GRACE_MINUTES - 9)));

    const swept = await validator(prefix, store, minutesAfter(MISSING_GRACE_MINUTES + 5))(SWEEP);

    expect(swept).toEqual([{ quarter: '2026-Q3', status: 'already-reported', notified: false }]);
    expect(sns.recorded).toHaveLength(1);
  });

  it('sends nothing for a complete export set, whether or not an upload validated it', async () => {
    // Arrange: a complete set validated on upload, and the same set with only its first upload recorded
    const config = parseConfig({ rejectLimitPercent: 50 });
    const validated = await dataRoot();
    await validator(
      validated.prefix,
      validated.store,
      NOW,
      config,
    )(s3Event(validated.prefix, ['clients.csv']));
    const unvalidated = await dataRoot();
    await unvalidated.store.write(
      'reports/2026-Q3/first-upload.json',
      JSON.stringify({ quarter: '2026-Q3', at: NOW.toISOString() }),
      'application/json',
    );
    const later = minutesAfter(MISSING_GRACE_MINUTES * 3);

    // Act
    const sweptValidated = await validator(validated.prefix, validated.store, later, config)(SWEEP);
    const sweptUnvalidated = await validator(unvalidated.prefix, unvalidated.store, later, config)(SWEEP);

    // Assert
    expect(sweptValidated).toEqual([{ quarter: '2026-Q3', status: 'complete', notified: false }]);
    expect(sweptUnvalidated).toEqual([{ quarter: '2026-Q3', status: 'checked', notified: false }]);
    expect(
      JSON.parse((await unvalidated.store.readText('reports/2026-Q3/validation.json')) ?? '{}'),
    ).toMatchObject({
      ok: true,
    });
    expect(sns.recorded).toHaveLength(0);
  });

  it('leaves a set alone while its upload is within the grace period', async () => {
    const { prefix, store } = await dataRoot({ files: ['clients.csv'] });
    await validator(prefix, store)(s3Event(prefix, ['clients.csv']));

    const swept = await validator(prefix, store, minutesAfter(MISSING_GRACE_MINUTES - 1))(SWEEP);

    expect(swept).toEqual([{ quarter: '2026-Q3', status: 'within-grace', notified: false }]);
    expect(sns.recorded).toHaveLength(0);
  });

  it('sweeps only quarter folders under the data root, skipping quarters nobody uploaded to', async () => {
    // Arrange: a report folder without first-upload.json, objects deep under reports/, a foreign folder
    const { prefix, store } = await dataRoot({ files: [] });
    await store.write('reports/2025-Q4/kpis.json', '{}', 'application/json');
    await store.write('reports/2025-Q4/charts/trend.png', 'png', 'image/png');
    await store.write('reports/drafts/notes.txt', 'x', 'text/plain');
    await store.write(
      'reports/2026-Q1/first-upload.json',
      JSON.stringify({ at: NOW.toISOString() }),
      'application/json',
    );

    // Act
    const quarters = [];
    for await (const quarter of listReportQuarters({ client: s3, bucket: BUCKET, prefix }))
      quarters.push(quarter);
    const swept = await validator(prefix, store, minutesAfter(MISSING_GRACE_MINUTES + 1))(SWEEP);

    // Assert
    expect(quarters).toEqual(['2025-Q4', '2026-Q1']);
    expect(swept).toEqual([
      { quarter: '2025-Q4', status: 'no-upload', notified: false },
      { quarter: '2026-Q1', status: 'checked', notified: true },
    ]);
    expect(sns.recorded).toHaveLength(1);
  });

  it('rejects an event that is neither a batch of queued notifications nor the sweep, naming the field', async () => {
    const { prefix, store } = await dataRoot({ files: [] });

    await expect(validator(prefix, store)({ source: 'sweeps' })).rejects.toThrow(/source|Records/);
  });
});

/** `store`, counting its listings and reads under `exports/`, to show what a sweep reads. */
function countingReads(store: ExportStore) {
  let reads = 0;
  const count = (key: string) => {
    if (key.startsWith('exports/')) reads += 1;
  };
  const counted: ExportStore = {
    location: store.location,
    list: (prefix) => {
      count(prefix);
      return store.list(prefix);
    },
    read: (key) => {
      count(key);
      return store.read(key);
    },
    readExportFile: (file, options) => {
      count(file.key);
      return store.readExportFile(file, options);
    },
    readText: (key) => store.readText(key),
    write: (key, body, contentType) => store.write(key, body, contentType),
    createIfAbsent: (key, body, contentType) => store.createIfAbsent(key, body, contentType),
  };
  return { store: counted, count: () => reads };
}
