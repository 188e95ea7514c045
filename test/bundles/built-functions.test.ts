/**
 * The seven Lambda functions as deployed: the app is synthesised (esbuild bundles, as
 * `cdk synth` makes them), and each function's asset runs on its runtime's Node.js, in a
 * process of its own, from a read-only folder outside the repository, with its template's
 * environment (`test/support/built-functions.ts`), against s3rver behind the S3 front
 * (conditional writes, a log of every request) and the SES emulator. A file a bundle needs
 * but lacks (a template, the chart wasm, a font, the reader's worker, a lazily loaded chunk)
 * fails these tests, as it would fail the deployed function.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/adapters/s3/s3-export-store';
import { apiGatewayEvent } from '../support/api-gateway-event';
import {
  type Answer,
  type BuiltApp,
  type FunctionName,
  invoke,
  type Reference,
  runsUnprivileged,
  startInvocation,
  synthesizeApp,
} from '../support/built-functions';
import { lambdaNodeBinary, runtimeMajor } from '../support/lambda-node';
import {
  type RecordedInvocation,
  type RecordedPublish,
  type RecordingEndpoint,
  startLambdaInvokeRecorder,
  startSnsPublishRecorder,
} from '../support/recording-endpoints';
import { EXAMPLE_QUARTER, putExampleRoot, readsExports, writes } from '../support/s3-example-root';
import { type RunningS3Front, startS3Front } from '../support/s3-front';
import { S3RVER_CREDENTIALS } from '../support/s3rver';
import { type RunningSesLocal, startSesLocal } from '../support/ses-local';

/** Synthesis bundles seven functions with esbuild and runs cdk-nag: allow for a busy machine. */
const SETUP_MS = 300_000;
const TEST_MS = 120_000;
const SCHEDULED = { source: 'schedule', scheduledTime: '2026-10-05T06:00:00Z' };
const RECIPIENTS = ['ceo@example.com', 'cfo@example.com'];

let built: BuiltApp;
let settingsFolder: string;
let front: RunningS3Front;
let ses: RunningSesLocal;
let lambda: RecordingEndpoint<RecordedInvocation>;
let sns: RecordingEndpoint<RecordedPublish>;
let s3: S3Client;
let buckets = 0;

/**
 * This file bundles seven functions and starts a process per invocation: it runs at a lower
 * CPU priority (its bundler and function processes inherit it), so the other test files'
 * timeouts do not pay for it on a busy machine.
 */
const startingPriority = os.getPriority();

beforeAll(async () => {
  os.setPriority(Math.min(startingPriority + 10, 19));
  settingsFolder = mkdtempSync(path.join(os.tmpdir(), 'kpi-report-built-settings-'));
  const deployJson = path.join(settingsFolder, 'deploy.json');
  writeFileSync(
    deployJson,
    JSON.stringify({
      senderEmail: 'kpi@example.com',
      recipients: RECIPIENTS.map((address) => ({ address })),
      configuration: { companyName: 'Smith & Jones', rejectLimitPercent: 50 },
    }),
  );
  built = synthesizeApp({ configFile: deployJson });
  lambdaNodeBinary(built.functions.run.runtime); // fetched once, before any test's clock starts
  front = await startS3Front([]);
  ses = await startSesLocal();
  lambda = await startLambdaInvokeRecorder();
  sns = await startSnsPublishRecorder();
  s3 = createS3Client({ region: 'eu-west-1', endpoint: front.endpoint, credentials: S3RVER_CREDENTIALS });
}, SETUP_MS);

afterAll(async () => {
  try {
    os.setPriority(startingPriority); // raising it back needs root; the worker ends soon anyway
  } catch {}
  s3?.destroy();
  await Promise.all([front?.stop(), ses?.close(), lambda?.stop(), sns?.stop()]);
  built?.remove();
  if (settingsFolder) rmSync(settingsFolder, { recursive: true, force: true });
});

/** A deployment of its own: a fresh data bucket (the template's DATA_PREFIX is the bucket root). */
async function deployment() {
  buckets += 1;
  const bucket = `built-${buckets}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await ses.clear();
  const references: Record<Reference, string> = {
    dataBucket: bucket,
    configurationSet: 'kpi-report-test',
    opsTopic: 'arn:aws:sns:eu-west-1:123456789012:kpi-report-ops',
    runFunction: 'kpi-report-run',
    stateMachine: 'arn:aws:states:eu-west-1:123456789012:stateMachine:kpi-report-distributed-run',
  };
  const invocation = (name: FunctionName, event: unknown, requestId: string) => ({
    app: built,
    fn: built.functions[name],
    event,
    requestId,
    references,
    extraEnvironment: {
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: front.endpoint,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
    },
  });
  return {
    bucket,
    /** Invokes a function and returns its result, failing with its error and logs if it threw. */
    call: async (name: FunctionName, event: unknown, requestId: string = randomUUID()) =>
      resultOf(await invoke(invocation(name, event, requestId))),
    start: (name: FunctionName, event: unknown, requestId: string = randomUUID()) =>
      startInvocation(invocation(name, event, requestId)),
    requests: () => front.requests.filter((request) => request.bucket === bucket),
    text: async (key: string) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await object.Body?.transformToString()) ?? '';
    },
  };
}

function resultOf(answer: Answer): unknown {
  if (!answer.ok) {
    throw new Error(
      `the function failed: ${answer.errorType}: ${answer.errorMessage}\n${answer.stack ?? ''}\n${answer.logs}`,
    );
  }
  return answer.result;
}

async function mailed(): Promise<{ to: string[]; pngs: number; csv: number }[]> {
  return (await ses.messages())
    .map((mail) => ({
      to: [...mail.destination.to],
      pngs: mail.attachments.filter((part) => part.contentType === 'image/png' && part.size > 1000).length,
      csv: mail.attachments.filter((part) => part.filename?.endsWith('.csv')).length,
    }))
    .sort((a, b) => (a.to[0] ?? '').localeCompare(b.to[0] ?? ''));
}

const EXPECTED_MAIL = [
  { to: ['ceo@example.com'], pngs: 7, csv: 1 },
  { to: ['cfo@example.com'], pngs: 7, csv: 1 },
].sort((a, b) => (a.to[0] ?? '').localeCompare(b.to[0] ?? ''));

describe('the built run function', () => {
  it(
    'runs a scheduled quarter and mails each recipient the report with its charts and CSV; its duplicate reads no export and writes nothing',
    async () => {
      // Arrange
      const deployed = await deployment();
      await putExampleRoot(s3, deployed.bucket, { prefix: '' });

      // Act
      const firstAnswer = await deployed.start('run', SCHEDULED, 'request-1').answer;
      const first = resultOf(firstAnswer);
      const mailedByFirst = await mailed();
      await ses.clear();
      const before = deployed.requests().length;
      const duplicate = await deployed.call('run', SCHEDULED, 'request-2');
      const byDuplicate = deployed.requests().slice(before);

      // Assert: on the runtime's Node.js major, as nobody when the tests run as root
      const node = lambdaNodeBinary(built.functions.run.runtime);
      expect(firstAnswer.node?.split('.')[0]).toBe(`v${runtimeMajor(built.functions.run.runtime)}`);
      expect(firstAnswer.uid).toBe(runsUnprivileged(node) ? 65534 : process.getuid?.());
      expect(first).toEqual({
        quarter: EXAMPLE_QUARTER,
        runId: 'schedule-2026-10-05T06:00:00Z',
        status: 'succeeded',
      });
      expect(mailedByFirst).toEqual(EXPECTED_MAIL);
      expect(JSON.parse(await deployed.text('reports/2026-Q3/status.json'))).toMatchObject({
        status: 'succeeded',
        deliveries: { sent: 2, alreadySent: 0, unserved: [] },
      });
      expect(duplicate).toEqual({ ...(first as object), repeated: true });
      expect(byDuplicate.length).toBeGreaterThan(0);
      expect(byDuplicate.filter((request) => readsExports(request, ''))).toEqual([]);
      expect(byDuplicate.filter(writes)).toEqual([]);
      expect(await mailed()).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'runs once when the same event reaches two processes at once',
    async () => {
      const deployed = await deployment();
      await putExampleRoot(s3, deployed.bucket, { prefix: '' });

      const answers = await Promise.all([
        deployed.start('run', SCHEDULED, 'request-1').answer,
        deployed.start('run', SCHEDULED, 'request-2').answer,
      ]);

      const results = answers.map(resultOf) as { status: string; repeated?: true }[];
      expect(results.filter((result) => result.repeated === undefined)).toEqual([
        expect.objectContaining({ status: 'succeeded' }),
      ]);
      expect(await mailed()).toEqual(EXPECTED_MAIL);
    },
    TEST_MS,
  );

  it(
    "leaves a run killed mid-way to Lambda's retry of it, which takes it over and finishes it",
    async () => {
      // Arrange: the first invocation is killed once it holds the run's record.
      const deployed = await deployment();
      await putExampleRoot(s3, deployed.bucket, { prefix: '' });
      const killed = deployed.start('run', SCHEDULED, 'request-1');
      await until(() =>
        deployed
          .requests()
          .some(
            (request) => /attempt-0001\.json$/.test(request.key) && request.status === 200 && writes(request),
          ),
      );
      killed.process.kill('SIGKILL');
      const killedAnswer = await killed.answer;

      // Act: a second delivery of the event, then Lambda's retry of the killed invocation.
      const other = await deployed.call('run', SCHEDULED, 'request-2');
      const retry = await deployed.call('run', SCHEDULED, 'request-1');

      // Assert
      expect(killedAnswer).toMatchObject({ ok: false, errorType: 'Runtime.ExitError' });
      expect(other).toMatchObject({ status: 'in-progress-elsewhere', repeated: true });
      expect(retry).toEqual({
        quarter: EXAMPLE_QUARTER,
        runId: 'schedule-2026-10-05T06:00:00Z',
        status: 'succeeded',
      });
      expect(await mailed()).toEqual(EXPECTED_MAIL);
    },
    TEST_MS,
  );
});

describe('the built API function', () => {
  it(
    'queues a run as an asynchronous invocation of the run function, then answers its status, KPIs and a working report link',
    async () => {
      // Arrange
      const deployed = await deployment();
      await putExampleRoot(s3, deployed.bucket, { prefix: '' });
      const queued = lambda.recorded.length;

      // Act: POST, Lambda delivers the queued event to the run function, GET.
      const accepted = (await deployed.call(
        'api',
        apiGatewayEvent('POST', '/reports', { body: { quarter: EXAMPLE_QUARTER } }),
      )) as { statusCode: number; body: string };
      const invocation = lambda.recorded[queued];
      const ran = await deployed.call('run', invocation?.payload);
      const answered = (await deployed.call(
        'api',
        apiGatewayEvent('GET', '/reports/{quarter}', { quarter: EXAMPLE_QUARTER }),
      )) as {
        statusCode: number;
        body: string;
      };

      // Assert
      expect(accepted.statusCode).toBe(202);
      const { runId } = JSON.parse(accepted.body) as { runId: string };
      expect(invocation).toEqual({
        functionName: 'kpi-report-run',
        invocationType: 'Event',
        payload: { source: 'api', runId, quarter: EXAMPLE_QUARTER, dryRun: false, resend: false },
      });
      expect(ran).toMatchObject({ runId, status: 'succeeded' });
      expect(answered.statusCode).toBe(200);
      const status = JSON.parse(answered.body);
      expect(status.run).toMatchObject({ runId, status: 'succeeded', requestedBy: 'api' });
      expect(Object.keys(status.kpis)).toHaveLength(7);
      const page = await fetch(status.reportUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Smith &amp; Jones');
    },
    TEST_MS,
  );
});

describe('the built validate function', () => {
  it(
    'validates an upload, writes validation.json and tells operations through SNS that the set needs fixing',
    async () => {
      const deployed = await deployment();
      await putExampleRoot(s3, deployed.bucket, { prefix: '', leaveOut: ['clients.csv'] });
      const key = `exports/${EXAMPLE_QUARTER}/clients.csv`;
      await s3.send(
        new PutObjectCommand({ Bucket: deployed.bucket, Key: key, Body: 'customer,since\nC1,2020-01-01\n' }),
      );
      const published = sns.recorded.length;

      // S3's notification as the upload queue hands it over, the upload long enough ago to have gone quiet.
      const uploadedAt = new Date(Date.now() - 10 * 60_000).toISOString();
      const notification = {
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            eventTime: uploadedAt,
            s3: { bucket: { name: deployed.bucket }, object: { key } },
          },
        ],
      };
      const checked = await deployed.call('validate', {
        Records: [{ messageId: 'm-1', body: JSON.stringify(notification) }],
      });

      expect(checked).toMatchObject({
        batchItemFailures: [],
        checks: [{ quarter: EXAMPLE_QUARTER, ok: false, notified: true }],
      });
      expect(JSON.parse(await deployed.text('reports/2026-Q3/validation.json'))).toMatchObject({ ok: false });
      expect(sns.recorded.slice(published)).toEqual([
        {
          topicArn: 'arn:aws:sns:eu-west-1:123456789012:kpi-report-ops',
          subject: 'kpi-report: the 2026-Q3 exports need fixing',
          message: expect.stringContaining('clients'),
        },
      ]);
    },
    TEST_MS,
  );
});

describe('the built delivery events function', () => {
  it(
    "records an SES send event of a tagged report beside the ledger, without the recipient's address",
    async () => {
      const deployed = await deployment();
      const recipientHash = 'a1b2c3d4e5f6';

      const recorded = await deployed.call('deliveryEvents', {
        source: 'aws.ses',
        'detail-type': 'Email Sent',
        detail: {
          eventType: 'Send',
          mail: {
            timestamp: '2026-10-05T06:01:02.000Z',
            messageId: '0102019a-built-000000',
            destination: ['ceo@example.com'],
            tags: {
              'ses:configuration-set': ['kpi-report-test'],
              'kpi-quarter': [EXAMPLE_QUARTER],
              'kpi-run': ['schedule-2026-10-05T06_00_00Z'],
              'kpi-attempt': ['attempt-1'],
              'kpi-recipient': [recipientHash],
            },
          },
        },
      });

      const key = `reports/${EXAMPLE_QUARTER}/deliveries/events/${recipientHash}/attempt-1.send.0102019a-built-000000.json`;
      expect(recorded).toEqual({ recorded: key });
      const text = await deployed.text(key);
      expect(JSON.parse(text)).toMatchObject({ eventType: 'send', messageId: '0102019a-built-000000' });
      expect(text).not.toContain('@');
    },
    TEST_MS,
  );
});

describe('the built map, resolve-repeats and reduce functions', () => {
  it(
    'plan the run, measure each interactions part, check each hash range for repeats, then reduce into the report and mail it',
    async () => {
      // Arrange
      const deployed = await deployment();
      await putExampleRoot(s3, deployed.bucket, { prefix: '', interactions: 'parts' });
      const run = {
        quarter: EXAMPLE_QUARTER,
        runId: 'api-run-7',
        requestedBy: 'api',
        dryRun: false,
        resend: false,
      };

      // Act: the plan, the Distributed Maps' items (bucket keys as listed, then the plan's
      // ranges), then the reduce step.
      const planned = await deployed.call('resolveRepeats', {
        step: 'plan',
        quarter: run.quarter,
        runId: run.runId,
      });
      const parts = [];
      for (const part of ['part-001.csv', 'part-002.csv.gz']) {
        const key = `exports/${EXAMPLE_QUARTER}/interactions/${part}`;
        parts.push(await deployed.call('mapPart', { quarter: run.quarter, runId: run.runId, key }));
      }
      const range = await deployed.call('resolveRepeats', {
        step: 'range',
        quarter: run.quarter,
        runId: run.runId,
        range: 0,
      });
      const reduced = await deployed.call('reduce', {
        ...run,
        executionId: 'arn:aws:states:eu-west-1:123456789012:execution:kpi-report-distributed-run:x',
      });

      // Assert
      expect(planned).toEqual({ ranges: 1, parts: 2 });
      expect(parts).toEqual([
        expect.objectContaining({ part: 0, rows: 10 }),
        expect.objectContaining({ part: 1, rows: 9 }),
      ]);
      // I13 is in both parts: one repeat, found by the range step.
      expect(range).toEqual({ range: 0, claims: 16, repeats: 1 });
      expect(reduced).toEqual({ quarter: EXAMPLE_QUARTER, runId: 'api-run-7', status: 'succeeded' });
      expect(await mailed()).toEqual(EXPECTED_MAIL);
    },
    TEST_MS,
  );
});

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
