import http from 'node:http';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/adapters/s3/s3-export-store';
import { type RunningS3Front, singlePartEtag, startS3Front } from './s3-front';
import { S3RVER_CREDENTIALS } from './s3rver';

const BUCKET = 'front-test';
let front: RunningS3Front;
let client: S3Client;

async function put(key: string, body: string, conditions: { IfNoneMatch?: string; IfMatch?: string } = {}) {
  return client.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentLength: body.length, ...conditions }),
  );
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof S3ServiceException) return error.$metadata.httpStatusCode ?? -1;
    throw error;
  }
}

async function text(key: string): Promise<string> {
  const output = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await output.Body?.transformToString()) ?? '';
}

/** Waits until `condition` holds, polling every 10 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

beforeAll(async () => {
  front = await startS3Front([BUCKET]);
  client = createS3Client({ endpoint: front.endpoint, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
});

afterAll(async () => {
  client.destroy();
  await front.stop();
});

beforeEach(() => {
  front.honourConditions = true;
  front.fault = () => undefined;
  front.requests.length = 0;
});

describe('the S3 front before s3rver', () => {
  it('refuses a second create with If-None-Match: * and keeps the first body', async () => {
    // Act
    const first = await statusOf(put('claims/a.json', 'first', { IfNoneMatch: '*' }));
    const second = await statusOf(put('claims/a.json', 'second', { IfNoneMatch: '*' }));

    // Assert
    expect([first, second]).toEqual([200, 412]);
    expect(await text('claims/a.json')).toBe('first');
  });

  it('lets exactly one of many concurrent creates of one key win', async () => {
    // Act
    const statuses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        statusOf(put('claims/race.json', `writer-${i}`, { IfNoneMatch: '*' })),
      ),
    );

    // Assert
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(11);
  });

  it('replaces with If-Match only while the ETag is unchanged, and answers 404 for a missing key', async () => {
    // Arrange
    await put('records/r.json', 'v1');
    const v1 = singlePartEtag('v1');

    // Act
    const replaced = await statusOf(put('records/r.json', 'v2', { IfMatch: `"${v1}"` }));
    const stale = await statusOf(put('records/r.json', 'v3', { IfMatch: `"${v1}"` }));
    const missing = await statusOf(put('records/none.json', 'x', { IfMatch: `"${v1}"` }));

    // Assert
    expect([replaced, stale, missing]).toEqual([200, 412, 404]);
    expect(await text('records/r.json')).toBe('v2');
  });

  it('deletes with If-Match only while the ETag is unchanged', async () => {
    // Arrange
    await put('records/d.json', 'v1');

    // Act
    const stale = await statusOf(
      client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'records/d.json', IfMatch: '"0000"' })),
    );
    const current = await statusOf(
      client.send(
        new DeleteObjectCommand({
          Bucket: BUCKET,
          Key: 'records/d.json',
          IfMatch: `"${singlePartEtag('v1')}"`,
        }),
      ),
    );

    // Assert
    expect([stale, current]).toEqual([412, 200]);
    expect(await statusOf(text('records/d.json'))).toBe(404);
  });

  it('never lets a read see an object half written by a conditional replace', async () => {
    // Arrange: two 1 MiB bodies that differ everywhere.
    const bodies = ['a', 'b'].map((letter) => letter.repeat(1024 * 1024));
    await put('claims/big.json', bodies[0] as string, { IfNoneMatch: '*' });

    // Act: replace it back and forth while reading it.
    const reads: Promise<string>[] = [];
    for (let round = 1; round <= 6; round += 1) {
      const etag = singlePartEtag(bodies[(round + 1) % 2] as string);
      reads.push(text('claims/big.json'), text('claims/big.json'));
      await put('claims/big.json', bodies[round % 2] as string, { IfMatch: `"${etag}"` });
    }

    // Assert
    for (const body of await Promise.all(reads)) expect(bodies).toContain(body);
  });

  it('serves the next read of a key after a waiting reader went away', async () => {
    // Arrange: a slow reader holds the key's read lock; a second reader waits behind it.
    await put('held/big.bin', 'x'.repeat(8 * 1024 * 1024));
    const url = `${front.endpoint}/${BUCKET}/held/big.bin`;
    const slow = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(url, resolve).on('error', reject);
    });
    slow.pause();
    const waiting = http.get(url);
    waiting.on('error', () => undefined);
    await until(() => front.requests.filter((request) => request.key === 'held/big.bin').length === 3);

    // Act: the waiting reader gives up (a process killed), then the slow one finishes.
    waiting.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    slow.resume();
    await new Promise((resolve) => slow.on('end', resolve));
    const next = await Promise.race([
      text('held/big.bin').then((body) => body.length),
      new Promise((resolve) => setTimeout(() => resolve('no answer in 10 s'), 10_000)),
    ]);

    // Assert
    expect(next).toBe(8 * 1024 * 1024);
  }, 20_000);

  it('ignores the conditions like s3rver when told to, for testing stores that cannot exclude', async () => {
    // Arrange
    front.honourConditions = false;

    // Act
    const statuses = [
      await statusOf(put('claims/lax.json', 'first', { IfNoneMatch: '*' })),
      await statusOf(put('claims/lax.json', 'second', { IfNoneMatch: '*' })),
    ];

    // Assert
    expect(statuses).toEqual([200, 200]);
    expect(await text('claims/lax.json')).toBe('second');
  });

  it('logs every request with its method and key', async () => {
    // Act
    await put('exports/2026-Q3/clients.csv', 'a');
    await text('exports/2026-Q3/clients.csv');

    // Assert
    expect(front.requests.map(({ method, key }) => `${method} ${key}`)).toEqual([
      'PUT exports/2026-Q3/clients.csv',
      'GET exports/2026-Q3/clients.csv',
    ]);
  });

  it('cuts a body short while the response looks complete', async () => {
    // Arrange
    await put('exports/big.csv', 'x'.repeat(10_000));
    front.fault = (request) => (request.method === 'GET' ? { kind: 'cut-body', bytes: 100 } : undefined);

    // Act
    const output = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'exports/big.csv' }));
    const read = await output.Body?.transformToString();

    // Assert: HTTP sees a complete 100-byte answer; only the stored size tells it is short.
    expect(output.ContentLength).toBe(100);
    expect(read).toBe('x'.repeat(100));
  });

  it('stalls a body after some bytes, the connection still open', async () => {
    // Arrange
    await put('exports/slow.csv', 'y'.repeat(1_000));
    front.fault = (request) => (request.method === 'GET' ? { kind: 'stall', bytes: 10 } : undefined);
    const output = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'exports/slow.csv' }));
    const body = output.Body as unknown as Readable;
    const iterator = body[Symbol.asyncIterator]();

    // Act
    const first = await iterator.next();
    const next = await Promise.race([
      iterator.next().then(() => 'more'),
      new Promise((resolve) => setTimeout(resolve, 300, 'stalled')),
    ]);

    // Assert
    expect(Buffer.from(first.value as Uint8Array).toString()).toBe('y'.repeat(10));
    expect(next).toBe('stalled');
    body.destroy();
  });

  it('answers an injected status with an S3 error body', async () => {
    // Arrange
    front.fault = () => ({ kind: 'status', status: 503, code: 'SlowDown' });

    // Act
    const error = await client
      .send(new GetObjectCommand({ Bucket: BUCKET, Key: 'anything' }))
      .catch((caught: unknown) => caught);

    // Assert
    expect(error).toBeInstanceOf(S3ServiceException);
    expect((error as S3ServiceException).name).toBe('SlowDown');
  }, 60_000);
});
