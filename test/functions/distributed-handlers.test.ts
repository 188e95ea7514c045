/**
 * The distributed run's handlers invoked locally as the state machine invokes them, against
 * a local S3 server (s3rver) and SES emulator (aws-ses-v2-local), through the real AWS SDK:
 * resolve-repeats plans the run, map-part runs on each key listed as the Distributed Map's
 * ItemReader lists them, resolve-repeats on each hash range, then reduce-parts with the run
 * request.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMapPartHandler, PartKeyError } from '../../functions/map-part/index';
import { createReduceHandler } from '../../functions/reduce-parts/index';
import { createResolveRepeatsHandler } from '../../functions/resolve-repeats/index';
import { createRunReportHandler } from '../../functions/run-report/index';
import { createS3Client, S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import { parseConfig } from '../../src/core/config';
import type { ExportStore } from '../../src/core/ports';
import type { Snapshot } from '../../src/core/snapshot';
import { DistributedRunError } from '../../src/use-cases/distributed-run';
import { dryRunView } from '../../src/use-cases/dry-run-view';
import { reportKeys } from '../../src/use-cases/report-keys';
import { mapAndResolve } from '../support/distributed-handlers';
import { reportHandlerDeps } from '../support/local-report-handlers';
import { type RunningS3Front, startS3Front } from '../support/s3-front';
import { S3RVER_CREDENTIALS } from '../support/s3rver';
import { type RunningSesLocal, startSesLocal } from '../support/ses-local';

const BUCKET = 'kpi-data';
const QUARTER = '2026-Q3';
const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/example/2026-Q3');
const SINGLE_FILES = ['clients.csv', 'services.csv', 'surveys.csv', 'support_costs.csv'];
const CONFIG = parseConfig({
  companyName: 'Smith & Jones',
  rejectLimitPercent: 50,
  email: {
    from: 'KPI report <kpi@example.com>',
    recipients: [{ address: 'ceo@example.com' }, { address: 'cfo@example.com' }],
  },
});
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

async function put(key: string, body: Uint8Array | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

/**
 * A fresh data root holding the worked example's 2026-Q3 exports, interactions either as one
 * file or split in two parts (each with the header; the second gzipped).
 */
async function dataRoot(options: { interactions: 'single' | 'parts' }) {
  prefixCounter += 1;
  const prefix = `tenant-${prefixCounter}`;
  const exports = `${prefix}/exports/${QUARTER}`;
  for (const name of SINGLE_FILES) await put(`${exports}/${name}`, await readFile(path.join(FIXTURE, name)));
  const interactions = await readFile(path.join(FIXTURE, 'interactions.csv'), 'utf8');
  if (options.interactions === 'single') {
    await put(`${exports}/interactions.csv`, interactions);
  } else {
    const [header, ...rows] = interactions.trimEnd().split('\n');
    const half = Math.ceil(rows.length / 2);
    await put(`${exports}/interactions/part-001.csv`, `${[header, ...rows.slice(0, half)].join('\n')}\n`);
    await put(
      `${exports}/interactions/part-002.csv.gz`,
      gzipSync(`${[header, ...rows.slice(half)].join('\n')}\n`),
    );
  }
  return { prefix, store: new S3ExportStore({ client: s3, bucket: BUCKET, prefix }) };
}

/** What the Distributed Map's ItemReader lists: every key under the quarter's interactions prefix. */
async function listedKeys(prefix: string): Promise<string[]> {
  const listed = await s3.send(
    new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/exports/${QUARTER}/interactions/` }),
  );
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
}

function mapPartHandler(store: S3ExportStore, prefix: string) {
  return createMapPartHandler({ store, config: CONFIG, prefix, logger: silent() });
}

function resolveRepeatsHandler(store: S3ExportStore) {
  return createResolveRepeatsHandler({ store, logger: silent() });
}

/** The state machine's first step: the run's plan. */
async function plan(store: S3ExportStore, runId = RUN_ID) {
  return resolveRepeatsHandler(store)({ step: 'plan', quarter: QUARTER, runId });
}

function emailDeps(store: S3ExportStore) {
  return reportHandlerDeps(store, ses, CONFIG);
}

async function snapshotOf(store: ExportStore): Promise<Snapshot> {
  return JSON.parse((await store.readText(reportKeys.snapshot(QUARTER))) ?? 'null') as Snapshot;
}

const RUN_ID = 'api-run-1';
const RUN = { quarter: QUARTER, runId: RUN_ID, requestedBy: 'api', dryRun: false, resend: false };

describe('the map-part function', () => {
  it("measures a part named by its bucket key and writes its tally and claims under the run's folder", async () => {
    // Arrange
    const { prefix, store } = await dataRoot({ interactions: 'parts' });
    const [first] = await listedKeys(prefix);
    await plan(store);

    // Act
    const result = await mapPartHandler(store, prefix)({ quarter: QUARTER, runId: RUN_ID, key: first });

    // Assert
    expect(result).toEqual({
      key: `exports/${QUARTER}/interactions/part-001.csv`,
      part: 0,
      rows: 10,
      rejected: expect.any(Number),
      claims: 10 - result.rejected,
    });
    const written = await s3.send(
      new ListObjectsV2Command({
        Bucket: BUCKET,
        Prefix: `${prefix}/${reportKeys.shuffle(QUARTER, RUN_ID)}`,
      }),
    );
    expect((written.Contents ?? []).map((object) => object.Key?.slice(prefix.length + 1))).toEqual(
      expect.arrayContaining([
        `${reportKeys.shuffle(QUARTER, RUN_ID)}plan.json`,
        `${reportKeys.shuffle(QUARTER, RUN_ID)}parts/00000/pieces.json`,
        `${reportKeys.shuffle(QUARTER, RUN_ID)}parts/00000/tally.bin`,
        expect.stringMatching(/parts\/00000\/claims\/[^/]+\/0000-000000\.claims$/),
      ]),
    );
  });

  it('reads a gzipped part the same way', async () => {
    const { prefix, store } = await dataRoot({ interactions: 'parts' });
    const keys = await listedKeys(prefix);
    await plan(store, 'r');

    const result = await mapPartHandler(store, prefix)({ quarter: QUARTER, runId: 'r', key: keys[1] });

    expect(result).toMatchObject({
      key: `exports/${QUARTER}/interactions/part-002.csv.gz`,
      part: 1,
      rows: 9,
    });
  });

  it('fails, naming the missing step, when the run was not planned', async () => {
    const { prefix, store } = await dataRoot({ interactions: 'parts' });
    const [first] = await listedKeys(prefix);

    const unplanned = mapPartHandler(store, prefix)({ quarter: QUARTER, runId: 'unplanned', key: first });
    await expect(unplanned).rejects.toThrow(DistributedRunError);
    await expect(unplanned).rejects.toThrow(
      /run unplanned of 2026-Q3 has no plan: its steps run inside the distributed-run state machine, after PlanRanges/,
    );
  });

  it('writes nothing for a listed object that is not a CSV part', async () => {
    const { prefix, store } = await dataRoot({ interactions: 'parts' });
    await put(`${prefix}/exports/${QUARTER}/interactions/README.txt`, 'parts of the interactions export');

    const result = await mapPartHandler(
      store,
      prefix,
    )({ quarter: QUARTER, runId: 'r', key: `${prefix}/exports/${QUARTER}/interactions/README.txt` });

    expect(result).toEqual({
      key: `exports/${QUARTER}/interactions/README.txt`,
      part: undefined,
      rows: 0,
      rejected: 0,
      claims: 0,
    });
  });

  it("refuses a key outside the quarter's interactions parts, before reading anything", async () => {
    const { prefix, store } = await dataRoot({ interactions: 'parts' });
    const handler = mapPartHandler(store, prefix);

    await expect(
      handler({ quarter: QUARTER, runId: 'r', key: `${prefix}/exports/${QUARTER}/clients.csv` }),
    ).rejects.toThrow(PartKeyError);
    await expect(
      handler({ quarter: QUARTER, runId: 'r', key: `other/exports/${QUARTER}/interactions/part-001.csv` }),
    ).rejects.toThrow(/is not under tenant-\d+\/exports\/2026-Q3\/interactions\//);
    await expect(
      handler({
        quarter: '2026-Q2',
        runId: 'r',
        key: `${prefix}/exports/${QUARTER}/interactions/part-001.csv`,
      }),
    ).rejects.toThrow(PartKeyError);
  });

  it('rejects an item it does not understand, naming the field', async () => {
    const { prefix, store } = await dataRoot({ interactions: 'parts' });

    await expect(mapPartHandler(store, prefix)({ quarter: 'Q3-2026', runId: 'r', key: 'k' })).rejects.toThrow(
      /quarter/,
    );
  });
});

describe('the resolve-repeats function', () => {
  it('plans the run: the parts in file order and one hash range for a small quarter, in plan.json', async () => {
    const { store } = await dataRoot({ interactions: 'parts' });

    const planned = await plan(store);

    expect(planned).toEqual({ ranges: 1, parts: 2 });
    expect(
      JSON.parse((await store.readText(`${reportKeys.shuffle(QUARTER, RUN_ID)}plan.json`)) ?? '{}'),
    ).toMatchObject({
      quarter: QUARTER,
      ranges: 1,
      parts: [
        { key: `exports/${QUARTER}/interactions/part-001.csv`, etag: expect.any(String) },
        { key: `exports/${QUARTER}/interactions/part-002.csv.gz`, etag: expect.any(String) },
      ],
    });
  });

  it('refuses to plan a quarter whose interactions are one file: there is nothing to share out', async () => {
    const { store } = await dataRoot({ interactions: 'single' });

    await expect(plan(store)).rejects.toThrow(DistributedRunError);
    await expect(plan(store)).rejects.toThrow(/no interactions parts under exports\/2026-Q3\/interactions\//);
  });

  it('checks a hash range for repeats once every part is mapped, and answers what it found', async () => {
    const root = await dataRoot({ interactions: 'parts' });
    await plan(root.store);
    const range = { step: 'range', quarter: QUARTER, runId: RUN_ID, range: 0 };
    const [first, second] = await listedKeys(root.prefix);
    const mapPart = mapPartHandler(root.store, root.prefix);
    await mapPart({ quarter: QUARTER, runId: RUN_ID, key: first });

    await expect(resolveRepeatsHandler(root.store)(range)).rejects.toThrow(
      /part-002\.csv\.gz was not mapped/,
    );
    await mapPart({ quarter: QUARTER, runId: RUN_ID, key: second });
    const resolved = await resolveRepeatsHandler(root.store)(range);

    // 19 rows, of which I15 (unknown client), I17 (bad date) and I18 (bad channel) claim no
    // id; I13 is the one repeat.
    expect(resolved).toEqual({ range: 0, claims: 16, repeats: 1 });
  });

  it('rejects an event it does not understand, naming the field', async () => {
    const { store } = await dataRoot({ interactions: 'parts' });
    const handler = resolveRepeatsHandler(store);

    await expect(handler({ step: 'merge', quarter: QUARTER, runId: RUN_ID })).rejects.toThrow(/step/);
    await expect(handler({ step: 'range', quarter: QUARTER, runId: RUN_ID, range: -1 })).rejects.toThrow(
      /range/,
    );
    await expect(handler({ step: 'plan', quarter: '2026-Q5', runId: RUN_ID })).rejects.toThrow(/quarter/);
  });
});

describe('the reduce-parts function', () => {
  it('after the map, reports the same KPIs as one function reading the single file, and mails them', async () => {
    // Arrange
    const single = await dataRoot({ interactions: 'single' });
    await createRunReportHandler(emailDeps(single.store))({
      source: 'api',
      runId: 'single',
      quarter: QUARTER,
      dryRun: true,
    });
    const parted = await dataRoot({ interactions: 'parts' });
    await mapAndResolve({
      ...parted,
      config: CONFIG,
      logger: silent(),
      quarter: QUARTER,
      runId: RUN_ID,
      keys: await listedKeys(parted.prefix),
    });

    // Act
    const result = await createReduceHandler(emailDeps(parted.store))(RUN);

    // Assert
    expect(result).toEqual({ quarter: QUARTER, runId: RUN.runId, status: 'succeeded' });
    const [expected, actual] = [
      await snapshotOf(dryRunView(single.store, QUARTER, 'single')),
      await snapshotOf(parted.store),
    ];
    expect(actual.kpis).toEqual(expected.kpis);
    expect(actual.segments).toEqual(expected.segments);
    // I13 is in both parts: the range step rejects the second, with the single run's words.
    expect(actual.dataQuality.interactions).toMatchObject({
      rows: expected.dataQuality.interactions.rows,
      rejected: expected.dataQuality.interactions.rejected,
      examples: expected.dataQuality.interactions.examples.map((example) => ({
        ...example,
        file: example.line <= 11 ? 'interactions/part-001.csv' : 'interactions/part-002.csv.gz',
        line: example.line <= 11 ? example.line : example.line - 10,
      })),
    });
    expect(actual.dataQuality.interactions.examples).toContainEqual({
      file: 'interactions/part-002.csv.gz',
      line: 7,
      reason: "interaction_id 'I13' repeats an earlier row; the first is kept",
    });
    expect((await ses.messages()).flatMap((mail) => mail.destination.to).sort()).toEqual([
      'ceo@example.com',
      'cfo@example.com',
    ]);
    expect(JSON.parse((await parted.store.readText(reportKeys.status(QUARTER))) ?? '{}')).toMatchObject({
      status: 'succeeded',
      runId: RUN.runId,
      requestedBy: 'api',
    });
  });

  it('fails, and records the failure in status.json, when a part has no partial', async () => {
    const parted = await dataRoot({ interactions: 'parts' });
    const [first] = await listedKeys(parted.prefix);
    await plan(parted.store);
    await mapPartHandler(parted.store, parted.prefix)({ quarter: QUARTER, runId: RUN.runId, key: first });

    await expect(createReduceHandler(emailDeps(parted.store))(RUN)).rejects.toThrow(/part-002/);

    expect(JSON.parse((await parted.store.readText(reportKeys.status(QUARTER))) ?? '{}')).toMatchObject({
      status: 'failed',
    });
    expect(await ses.messages()).toEqual([]);
  });

  it('rejects an input it does not understand, naming the field', async () => {
    const parted = await dataRoot({ interactions: 'parts' });

    await expect(
      createReduceHandler(emailDeps(parted.store))({ ...RUN, requestedBy: 'someone' }),
    ).rejects.toThrow(/requestedBy/);
  });
});
