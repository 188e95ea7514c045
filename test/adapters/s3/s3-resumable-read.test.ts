/**
 * S3 reads are read in full or fail: through the real SDK against s3rver, behind a front
 * that cuts a body short (framed as complete), stalls it or breaks the connection. A read
 * resumes from the byte it reached with `Range`, pinned to the object's ETag; one that
 * keeps failing becomes a problem naming the file, never KPIs from part of it.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, S3ExportStore } from '../../../src/adapters/s3/s3-export-store';
import { parseConfig } from '../../../src/core/config';
import { IncompleteReadError } from '../../../src/core/ports';
import { parseQuarter, type Quarter, quarterPeriod } from '../../../src/core/quarter';
import { createBytesReader } from '../../../src/core/readers/bytes/bytes-reader';
import { inlineChunkExecutor } from '../../../src/core/readers/bytes/inline-chunk-executor';
import { readExportSet } from '../../../src/core/readers/simple/read-export-set';
import { type FaultyS3Front, startFaultyS3Front } from '../../support/faulty-s3-front';
import { type RunningS3rver, S3RVER_CREDENTIALS, startS3rver } from '../../support/s3rver';

const BUCKET = 'kpi-data';
const KEY = 'exports/2026-Q3/interactions.csv';
const ROWS = 3_000;
const INTERACTIONS = `interaction_id,client_id,occurred_at,channel\n${Array.from(
  { length: ROWS },
  (_, i) => `I${i},${i % 2 ? 'A' : 'B'},2026-07-${String((i % 28) + 1).padStart(2, '0')},self_service\n`,
).join('')}`;
const CLIENTS = 'client_id,customer_since\nA,2020-01-01\nB,2020-01-01\n';
const SIZE = Buffer.byteLength(INTERACTIONS);
const HALF = Math.floor(SIZE / 2);

let s3rver: RunningS3rver;
let front: FaultyS3Front;
let direct: S3Client;
let viaFront: S3Client;

function storeViaFront(): S3ExportStore {
  return new S3ExportStore({ client: viaFront, bucket: BUCKET, prefix: '', readIdleTimeoutMs: 300 });
}

async function put(key: string, body: string): Promise<void> {
  await direct.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }),
  );
}

async function readAll(store: S3ExportStore, listed = { size: SIZE }): Promise<string> {
  const pieces: Uint8Array[] = [];
  for await (const piece of store.read(KEY, listed)) pieces.push(piece);
  return Buffer.concat(pieces).toString('utf8');
}

beforeAll(async () => {
  s3rver = await startS3rver([BUCKET]);
  front = await startFaultyS3Front(s3rver.endpoint);
  const options = { region: 'us-east-1', credentials: S3RVER_CREDENTIALS };
  direct = createS3Client({ ...options, endpoint: s3rver.endpoint });
  viaFront = createS3Client({ ...options, endpoint: front.endpoint });
  await put(KEY, INTERACTIONS);
  await put('exports/2026-Q3/clients.csv', CLIENTS);
});

afterEach(() => {
  front.gets.length = 0;
});

afterAll(async () => {
  direct.destroy();
  viaFront.destroy();
  await front.close();
  await s3rver.stop();
});

describe('S3ExportStore.read', () => {
  it.each([
    ['ends at 50% but is framed as complete', { kind: 'cut', share: 0.5 }],
    ['stalls at 50%', { kind: 'stall', share: 0.5 }],
    ['breaks the connection at 50%', { kind: 'break', share: 0.5 }],
  ] as const)('resumes with Range from the byte reached when a body %s', async (_case, fault) => {
    // Arrange
    front.fail(KEY, fault);

    // Act
    const text = await readAll(storeViaFront());

    // Assert
    expect(text).toBe(INTERACTIONS);
    expect(front.gets.map(({ range, fault }) => ({ range, fault }))).toEqual([
      { range: undefined, fault: fault.kind },
      { range: `bytes=${HALF}-`, fault: undefined },
    ]);
    expect(front.gets[1]?.ifMatch).toMatch(/^"[0-9a-f]+"$/);
  });

  it('gives up after four bodies, saying what happened to each', async () => {
    // Arrange
    const cut = { kind: 'cut', share: 0 } as const;
    front.fail(KEY, { kind: 'cut', share: 0.5 }, cut, { kind: 'stall', share: 0 }, cut);

    // Act
    const reading = readAll(storeViaFront());

    // Assert
    await expect(reading).rejects.toThrow(IncompleteReadError);
    await expect(reading).rejects.toThrow(
      `'${KEY}' could not be read in full: the answer ended after ${HALF} of ${SIZE} bytes; then the answer ended after ${HALF} of ${SIZE} bytes; then the connection stalled for 0.3 s after ${HALF} bytes; then the answer ended after ${HALF} of ${SIZE} bytes (4 tries)`,
    );
    expect(front.gets).toHaveLength(4);
  });

  it('fails when the object is replaced between two parts of the read', async () => {
    // Arrange
    const key = 'exports/2026-Q3/replaced.csv';
    await put(key, INTERACTIONS);
    front.fail(key, { kind: 'cut', share: 0.5 });
    const store = storeViaFront();
    const read = async () => {
      let received = 0;
      for await (const piece of store.read(key, { size: SIZE })) {
        received += piece.length;
        // Another upload lands while the first half is read.
        if (received === HALF) await put(key, `${INTERACTIONS}I9999,A,2026-07-01,assisted\n`);
      }
    };

    // Act
    const outcome = read();

    // Assert
    await expect(outcome).rejects.toThrow(
      `'${key}' could not be read in full: it was replaced by another upload while it was read`,
    );
  });
});

describe('an export set read from S3 through a faulty connection', () => {
  const period = quarterPeriod(parseQuarter('2026-Q3') as Quarter);
  const config = parseConfig({});

  it.each([
    ['simple', readExportSet],
    ['bytes', createBytesReader({ executor: inlineChunkExecutor, chunkBytes: 4096 })],
  ])('is read in full by the %s reader when a body is cut at 50% once', async (_name, reader) => {
    // Arrange
    front.fail(KEY, { kind: 'cut', share: 0.5 });

    // Act
    const reading = await reader({ store: storeViaFront(), period, config });

    // Assert
    expect(reading.problems).toEqual([]);
    expect(reading.dataQuality.interactions).toMatchObject({ rows: ROWS, rejected: 0 });
    expect(front.gets.filter((get) => get.key.endsWith(KEY)).map((get) => get.range)).toEqual([
      undefined,
      `bytes=${HALF}-`,
    ]);
  });

  it.each([
    ['simple', readExportSet],
    ['bytes', createBytesReader({ executor: inlineChunkExecutor, chunkBytes: 4096 })],
  ])(
    'cannot be reported on by the %s reader when every body is cut, naming the file',
    async (_name, reader) => {
      // Arrange
      const cut = { kind: 'cut', share: 0.5 } as const;
      front.fail(KEY, cut, cut, cut, cut);

      // Act
      const reading = await reader({ store: storeViaFront(), period, config });

      // Assert
      expect(reading.problems).toEqual([
        expect.stringMatching(
          /^interactions\.csv could not be read in full: the answer ended after \d+ of \d+ bytes; .* \(4 tries\); check the connection to the store and run again$/,
        ),
      ]);
    },
  );
});
