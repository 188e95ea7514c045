import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openExportStore } from '../../../src/adapters/open-export-store';
import { createS3Client, S3ExportStore } from '../../../src/adapters/s3/s3-export-store';
import { ObjectNotFoundError } from '../../../src/core/ports';
import { type RunningS3Front, startS3Front } from '../../support/s3-front';
import { type RunningS3rver, S3RVER_CREDENTIALS, startS3rver } from '../../support/s3rver';

const BUCKET = 'kpi-data';
const ROOT = 'tenant-a';
const MANY = 1_100;
const manyKey = (index: number) => `exports/2026-Q3/many/object-${String(index).padStart(4, '0')}.csv`;

let server: RunningS3rver;
let client: S3Client;
let store: S3ExportStore;

async function putObject(key: string, body: string | Uint8Array): Promise<void> {
  // An explicit length: the SDK warns "Stream of unknown length" for an empty body otherwise.
  const length = Buffer.byteLength(body);
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentLength: length }));
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

function csvLines(count: number): string {
  const rows = Array.from(
    { length: count },
    (_, i) => `c-${i},2026-07-${String((i % 28) + 1).padStart(2, '0')}`,
  );
  return `client_id,date\n${rows.join('\n')}\n`;
}

beforeAll(async () => {
  server = await startS3rver([BUCKET]);
  client = createS3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
  });
  store = new S3ExportStore({ client, bucket: BUCKET, prefix: ROOT });
  const indexes = Array.from({ length: MANY }, (_, i) => i);
  await forEachLimited(indexes, 16, (i) => putObject(`${ROOT}/${manyKey(i)}`, `row ${i}\n`));
  await putObject(`${ROOT}/exports/2026-Q3/clients.csv`, 'client_id\nc-1\n');
  await putObject(`${ROOT}/exports/2026-Q3/`, ''); // a console-made "folder" marker
  await putObject(`${ROOT}-old/exports/2026-Q3/clients.csv`, 'another root sharing the name as prefix');
  await putObject(`tenant-b/exports/2026-Q3/clients.csv`, 'another tenant');
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('S3ExportStore', () => {
  it('reports s3://bucket/prefix as its location', () => {
    // Arrange
    const bucketRoot = new S3ExportStore({ client, bucket: BUCKET, prefix: '' });

    // Act
    const locations = [store.location, bucketRoot.location];

    // Assert
    expect(locations).toEqual([`s3://${BUCKET}/${ROOT}`, `s3://${BUCKET}`]);
  });

  describe('list', () => {
    it('pages through more than 1,000 objects and yields them all in key order', async () => {
      // Arrange
      const firstPage = await client.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${ROOT}/exports/2026-Q3/many/` }),
      );

      // Act
      const objects = await collect(store.list('exports/2026-Q3/many/'));

      // Assert: the server really pages, and the store follows every page.
      expect(firstPage.IsTruncated).toBe(true);
      expect(firstPage.KeyCount).toBe(1_000);
      expect(objects).toHaveLength(MANY);
      expect(objects.map((object) => object.key)).toEqual(Array.from({ length: MANY }, (_, i) => manyKey(i)));
    });

    it('strips the root prefix, skips folder markers and ignores objects outside the root', async () => {
      // Arrange
      const content = 'client_id\nc-1\n';

      // Act
      const objects = await collect(store.list('exports/2026-Q3/c'));

      // Assert
      expect(objects).toEqual([
        {
          key: 'exports/2026-Q3/clients.csv',
          size: content.length,
          etag: createHash('md5').update(content).digest('hex'),
          versionId: undefined,
        },
      ]);
    });

    it('yields keys in byte order even though s3rver lists them in its directory-walk order', async () => {
      // Arrange
      const keys = ['exports/order/a.csv', 'exports/order/a.csv-x', 'exports/order/a-b', 'exports/order/a/x'];
      for (const key of keys) await putObject(`${ROOT}/${key}`, key);

      // Act
      const objects = await collect(store.list('exports/order/'));

      // Assert
      expect(objects.map((object) => object.key)).toEqual([
        'exports/order/a-b',
        'exports/order/a.csv',
        'exports/order/a.csv-x',
        'exports/order/a/x',
      ]);
    });

    it('yields nothing for a prefix with no objects', async () => {
      // Arrange
      const prefix = 'exports/2099-Q1/';

      // Act
      const objects = await collect(store.list(prefix));

      // Assert
      expect(objects).toEqual([]);
    });
  });

  describe('read', () => {
    it('streams gzip part objects back byte-identical, and they gunzip to the original CSV', async () => {
      // Arrange
      const parts = [csvLines(5_000), csvLines(7_000)];
      const gzipped = parts.map((csv) => gzipSync(csv));
      for (const [i, body] of gzipped.entries()) {
        await putObject(`${ROOT}/exports/2026-Q3/interactions/part-00${i + 1}.csv.gz`, body);
      }

      // Act
      const read = await Promise.all(
        gzipped.map((_, i) => collect(store.read(`exports/2026-Q3/interactions/part-00${i + 1}.csv.gz`))),
      );
      const text: string[] = [];
      await pipeline(
        Readable.from(store.read('exports/2026-Q3/interactions/part-002.csv.gz')),
        createGunzip(),
        async (decompressed: AsyncIterable<Buffer>) => {
          for await (const chunk of decompressed) text.push(chunk.toString('utf8'));
        },
      );

      // Assert
      expect(read.map((chunks) => Buffer.concat(chunks))).toEqual(gzipped);
      expect(text.join('')).toBe(parts[1]);
    });

    it('streams a multi-megabyte object in several chunks', async () => {
      // Arrange
      const content = randomBytes(6 * 1024 * 1024);
      await putObject(`${ROOT}/exports/2026-Q3/big.bin`, content);

      // Act
      const chunks = await collect(store.read('exports/2026-Q3/big.bin'));

      // Assert
      expect(chunks.length).toBeGreaterThan(4);
      expect(Buffer.concat(chunks).equals(content)).toBe(true);
    });

    it('rejects with ObjectNotFoundError naming the key when the object does not exist', async () => {
      // Arrange
      const key = 'exports/2026-Q3/missing.csv';

      // Act
      const reading = collect(store.read(key));

      // Assert
      await expect(reading).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(reading).rejects.toMatchObject({ key });
    });
  });

  describe('readText', () => {
    it('returns the object as UTF-8 text', async () => {
      // Arrange
      await putObject(`${ROOT}/reports/2026-Q2/kpis.json`, '{"name":"Zoë"}');

      // Act
      const text = await store.readText('reports/2026-Q2/kpis.json');

      // Assert
      expect(text).toBe('{"name":"Zoë"}');
    });

    it('returns undefined when the object does not exist', async () => {
      // Arrange
      const key = 'reports/2025-Q4/kpis.json';

      // Act
      const text = await store.readText(key);

      // Assert
      expect(text).toBeUndefined();
    });

    it('still fails loudly when the bucket itself does not exist', async () => {
      // Arrange
      const elsewhere = new S3ExportStore({ client, bucket: 'no-such-bucket', prefix: '' });

      // Act
      const reading = elsewhere.readText('reports/2026-Q3/kpis.json');

      // Assert
      await expect(reading).rejects.toMatchObject({
        name: 'DataLocationError',
        message:
          'the bucket of s3://no-such-bucket does not exist; check the bucket name in --data (and AWS_REGION)',
        cause: { name: 'NoSuchBucket' },
      });
    });
  });

  describe('write', () => {
    it('puts a report under the root prefix with its content type', async () => {
      // Arrange
      const body = '{"quarter":"2026-Q3"}';

      // Act
      await store.write('reports/2026-Q3/kpis.json', body, 'application/json');

      // Assert
      const head = await client.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: `${ROOT}/reports/2026-Q3/kpis.json` }),
      );
      expect(head.ContentType).toBe('application/json');
      expect(await store.readText('reports/2026-Q3/kpis.json')).toBe(body);
    });

    it('writes an empty body as an empty object', async () => {
      // Arrange
      const key = 'reports/2026-Q3/empty.txt';

      // Act
      await store.write(key, new Uint8Array(0), 'text/plain');

      // Assert
      expect(await store.readText(key)).toBe('');
      expect(await collect(store.read(key))).toEqual([]);
    });

    it('refuses a key outside reports/ and leaves the export untouched', async () => {
      // Arrange
      const key = 'exports/2026-Q3/clients.csv';

      // Act
      const writing = store.write(key, 'overwritten', 'text/csv');

      // Assert
      await expect(writing).rejects.toThrow(/never writes outside reports\//);
      expect(await store.readText(key)).toBe('client_id\nc-1\n');
    });

    it('refuses a key with a .. segment', async () => {
      // Arrange
      const key = 'reports/../exports/2026-Q3/clients.csv';

      // Act
      const writing = store.write(key, 'x', 'text/csv');

      // Assert
      await expect(writing).rejects.toThrow(/has a '\.\.' segment/);
    });
  });
});

describe('S3ExportStore.createIfAbsent', () => {
  it('creates the object with its body and content type and returns true when the key is free', async () => {
    // Arrange
    const key = 'reports/2026-Q3/sent/ceo@example.com.json';

    // Act
    const created = await store.createIfAbsent(key, '{"state":"sending"}', 'application/json');

    // Assert
    expect(created).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${ROOT}/${key}` }));
    expect(head.ContentType).toBe('application/json');
    expect(await store.readText(key)).toBe('{"state":"sending"}');
  });

  describe('through a front that answers as S3 does (s3rver ignores If-None-Match)', () => {
    const FRONT_BUCKET = 'kpi-front';
    const KEY = 'reports/2026-Q3/kpis.json';
    let front: RunningS3Front;
    let frontClient: S3Client;
    let prefixes = 0;

    beforeAll(async () => {
      front = await startS3Front([FRONT_BUCKET]);
      frontClient = createS3Client({
        region: 'us-east-1',
        endpoint: front.endpoint,
        credentials: S3RVER_CREDENTIALS,
      });
    });
    afterAll(async () => {
      frontClient.destroy();
      await front.stop();
    });
    afterEach(() => {
      front.fault = () => undefined;
      front.requests.length = 0;
    });

    /** A store under a root of its own, so that no test sees another's objects. */
    function freshStore(): S3ExportStore {
      prefixes += 1;
      return new S3ExportStore({
        client: frontClient,
        bucket: FRONT_BUCKET,
        prefix: `${ROOT}-${prefixes}`,
      });
    }

    /** Every PUT answers with this S3 error, as S3 words it. */
    function failPuts(code: string, status: number): void {
      front.fault = (request) => (request.method === 'PUT' ? { kind: 'status', status, code } : undefined);
    }

    it('creates under the root prefix, and a second create of the key returns false and keeps the first body', async () => {
      // Arrange
      const created = freshStore();

      // Act
      const first = await created.createIfAbsent(KEY, 'first', 'application/json');
      const second = await created.createIfAbsent(KEY, 'second', 'application/json');

      // Assert
      expect([first, second]).toEqual([true, false]);
      expect(await created.readText(KEY)).toBe('first');
      const puts = front.requests.filter((request) => request.method === 'PUT');
      expect(puts.map(({ key, status }) => [key, status])).toEqual([
        [`${ROOT}-${prefixes}/${KEY}`, 200],
        [`${ROOT}-${prefixes}/${KEY}`, 412],
      ]);
    });

    it('returns false, writing nothing, when S3 answers 409 ConditionalRequestConflict (a concurrent create won)', async () => {
      // Arrange
      const created = freshStore();
      failPuts('ConditionalRequestConflict', 409);

      // Act
      const result = await created.createIfAbsent(KEY, 'late', 'application/json');

      // Assert
      expect(result).toBe(false);
      front.fault = () => undefined;
      expect(await created.readText(KEY)).toBeUndefined();
    });

    it('says what access a denied write needs', async () => {
      // Arrange
      const created = freshStore();
      failPuts('AccessDenied', 403);

      // Act
      const creating = created.createIfAbsent(KEY, '{}', 'application/json');

      // Assert
      await expect(creating).rejects.toMatchObject({
        name: 'DataLocationError',
        message: expect.stringContaining('need s3:ListBucket, s3:GetObject and, for reports/, s3:PutObject'),
      });
    });

    it.each([
      ['OperationAborted', 409],
      ['InternalError', 500],
    ])('lets any other error through: %s (%i)', async (code, status) => {
      // Arrange
      const created = freshStore();
      failPuts(code, status);

      // Act
      const creating = created.createIfAbsent(KEY, '{}', 'application/json');

      // Assert
      await expect(creating).rejects.toMatchObject({ name: code });
    });

    it('refuses a key outside reports/ without sending anything', async () => {
      // Arrange
      const created = freshStore();

      // Act
      const creating = created.createIfAbsent('exports/2026-Q3/clients.csv', 'x', 'text/csv');

      // Assert
      await expect(creating).rejects.toThrow(/never writes outside reports\//);
      expect(front.requests).toEqual([]);
    });
  });
});

describe('openExportStore with an s3:// location', () => {
  it('reads, lists and writes through the endpoint and region taken from the env', async () => {
    // Arrange: the SDK's default chain finds the credentials in process.env.
    vi.stubEnv('AWS_ACCESS_KEY_ID', S3RVER_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3RVER_CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', undefined);
    const opened = await openExportStore(`s3://${BUCKET}/${ROOT}/`, {
      AWS_ENDPOINT_URL_S3: server.endpoint,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9', // must lose to the S3-specific variable
      AWS_REGION: 'eu-west-3',
    });

    // Act
    const clients = await opened.readText('exports/2026-Q3/clients.csv');
    const listed = await collect(opened.list('exports/2026-Q3/clients'));
    await opened.write('reports/2026-Q3/summary.txt', 'done', 'text/plain');

    // Assert
    expect(opened.location).toBe(`s3://${BUCKET}/${ROOT}`);
    expect(clients).toBe('client_id\nc-1\n');
    expect(listed.map((object) => object.key)).toEqual(['exports/2026-Q3/clients.csv']);
    expect(await store.readText('reports/2026-Q3/summary.txt')).toBe('done');
  });
});
