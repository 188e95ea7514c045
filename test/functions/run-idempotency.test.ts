/**
 * Run-level idempotency in the report and reduce functions, against s3rver behind the S3
 * front (which honours If-None-Match like S3 and logs every request) and the SES emulator,
 * through the real AWS SDK: a repeated run request is answered from the run's record, with
 * no read of the exports and no write.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createReduceHandler } from '../../functions/reduce-parts/index';
import { createRunReportHandler } from '../../functions/run-report/index';
import { S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import type { ExportStore, RunRequest } from '../../src/core/ports';
import { mapAndResolve } from '../support/distributed-handlers';
import { EXAMPLE_CONFIG, reportHandlerDeps, useLocalAws } from '../support/local-report-handlers';
import { EXAMPLE_QUARTER, putExampleRoot, readsExports, writes } from '../support/s3-example-root';

const SCHEDULED = { source: 'schedule', scheduledTime: '2026-10-05T06:00:00Z' };
const RUN_ID = 'schedule-2026-10-05T06:00:00Z';
/** About 100 bytes: the example's interactions parts go to the state machine. */
const DISTRIBUTED = { ...EXAMPLE_CONFIG, distributedAboveMiB: 0.0001 };

const aws = useLocalAws();
const emailDeps = (store: ExportStore) => reportHandlerDeps(store, aws.ses);

/** A Lambda context for one invocation: its request id, and ten minutes left. */
const invocation = (awsRequestId: string) => ({ awsRequestId, getRemainingTimeInMillis: () => 600_000 });

async function dataRoot(options: Parameters<typeof putExampleRoot>[2] = {}) {
  const prefix = await putExampleRoot(aws.s3, aws.bucket, options);
  return { prefix, store: new S3ExportStore({ client: aws.s3, bucket: aws.bucket, prefix }) };
}

async function recipientsMailed(): Promise<string[]> {
  return (await aws.ses.messages()).flatMap((mail) => mail.destination.to).sort();
}

describe('a repeated scheduled event', () => {
  it('is answered with the recorded result: no read under exports/, no write, no mail', async () => {
    // Arrange
    const { prefix, store } = await dataRoot({ interactions: 'single' });
    const run = createRunReportHandler(emailDeps(store));
    const first = await run(SCHEDULED, invocation('request-1'));
    await aws.ses.clear();
    aws.front.requests.length = 0;

    // Act: EventBridge Scheduler delivers the event again (a new invocation).
    const again = await run(SCHEDULED, invocation('request-2'));

    // Assert
    expect(first).toEqual({ quarter: EXAMPLE_QUARTER, runId: RUN_ID, status: 'succeeded' });
    expect(again).toEqual({ quarter: EXAMPLE_QUARTER, runId: RUN_ID, status: 'succeeded', repeated: true });
    const mine = aws.front.requests.filter(
      (request) => request.key.startsWith(prefix) || request.query.includes(prefix),
    );
    expect(mine.length).toBeGreaterThan(0); // it did look at the run's record
    expect(mine.filter((request) => readsExports(request, prefix))).toEqual([]);
    expect(mine.filter(writes)).toEqual([]);
    expect(await recipientsMailed()).toEqual([]);
  });

  it('delivered twice at once runs once: one invocation runs, the other answers in progress', async () => {
    const { store } = await dataRoot({ interactions: 'single' });
    const deps = emailDeps(store);

    const answers = await Promise.all([
      createRunReportHandler(deps)(SCHEDULED, invocation('request-1')),
      createRunReportHandler(deps)(SCHEDULED, invocation('request-2')),
    ]);

    expect(answers.map((answer) => answer.status).sort()).toEqual(['in-progress-elsewhere', 'succeeded']);
    expect(await recipientsMailed()).toEqual(['ceo@example.com', 'cfo@example.com']);
  });

  it('runs again after a failed run, and succeeds once the exports are complete', async () => {
    // Arrange: the first attempt fails (clients.csv missing), so the scheduled run waits for its exports.
    const { prefix, store } = await dataRoot({ interactions: 'single', leaveOut: ['clients.csv'] });
    const run = createRunReportHandler(emailDeps(store));
    expect(await run(SCHEDULED, invocation('request-1'))).toMatchObject({ status: 'waiting-for-exports' });
    const fixture = path.resolve(import.meta.dirname, '../fixtures/example/2026-Q3/clients.csv');
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: aws.bucket,
        Key: `${prefix}/exports/${EXAMPLE_QUARTER}/clients.csv`,
        Body: await readFile(fixture),
      }),
    );

    // Act: the same event again (Scheduler delivers at least once; or a redrive)
    const retried = await run(SCHEDULED, invocation('request-1'));

    // Assert
    expect(retried).toEqual({ quarter: EXAMPLE_QUARTER, runId: RUN_ID, status: 'succeeded' });
    expect(await recipientsMailed()).toEqual(['ceo@example.com', 'cfo@example.com']);
  });
});

describe('a distributed run requested again', () => {
  it('is started once, reduced once, and then answered from its record', async () => {
    // Arrange
    const { prefix, store } = await dataRoot({ interactions: 'parts' });
    const started: RunRequest[] = [];
    const deps = reportHandlerDeps(store, aws.ses, DISTRIBUTED);
    const run = createRunReportHandler({
      ...deps,
      distributed: { start: async (request) => void started.push(request) },
    });
    const reduce = createReduceHandler(deps);

    // Act: the schedule fires; its duplicate arrives while the state machine runs; the map
    // and reduce steps run; a third delivery arrives after.
    const handedOver = await run(SCHEDULED, invocation('request-1'));
    const duringMap = await run(SCHEDULED, invocation('request-2'));
    await mapAndResolve({
      store,
      config: DISTRIBUTED,
      prefix,
      logger: deps.logger,
      quarter: EXAMPLE_QUARTER,
      runId: RUN_ID,
      keys: ['part-001.csv', 'part-002.csv.gz'].map(
        (part) => `${prefix}/exports/${EXAMPLE_QUARTER}/interactions/${part}`,
      ),
    });
    const input = { ...started[0], executionId: 'arn:aws:states:eu-west-1:123456789012:execution:sm:x' };
    const reduced = await reduce(input, invocation('reduce-request-1'));
    aws.front.requests.length = 0;
    const afterwards = await run(SCHEDULED, invocation('request-3'));
    const reduceAgain = await reduce(input, invocation('reduce-request-2'));

    // Assert
    expect(handedOver).toMatchObject({ status: 'distributed' });
    expect(duringMap).toEqual({
      quarter: EXAMPLE_QUARTER,
      runId: RUN_ID,
      status: 'distributed',
      repeated: true,
    });
    expect(started).toHaveLength(1);
    expect(reduced).toEqual({ quarter: EXAMPLE_QUARTER, runId: RUN_ID, status: 'succeeded' });
    expect(afterwards).toEqual({
      quarter: EXAMPLE_QUARTER,
      runId: RUN_ID,
      status: 'succeeded',
      repeated: true,
    });
    expect(reduceAgain).toMatchObject({ status: 'succeeded', repeated: true });
    expect(aws.front.requests.filter((request) => readsExports(request, prefix))).toEqual([]);
    expect(aws.front.requests.filter(writes)).toEqual([]);
    expect(await recipientsMailed()).toEqual(['ceo@example.com', 'cfo@example.com']);
  });
});
