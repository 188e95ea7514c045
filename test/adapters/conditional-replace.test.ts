/**
 * `readVersioned` and `replaceIfUnchanged`, the compare-and-swap the delivery ledger is built
 * on, held to one contract by every store: a local directory, S3 through a front that
 * honours `If-Match` as S3 does (the real SDK, real HTTP), and the memory store of the
 * property tests. Then what only the local store needs: separate processes racing, and a
 * lock left by a process that was killed.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { thisProcess } from '../../src/adapters/local/process-liveness';
import { createS3Client, S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import type { ExportStore } from '../../src/core/ports';
import { MemoryExportStore } from '../support/memory-store';
import { type RunningS3Front, startS3Front } from '../support/s3-front';
import { S3RVER_CREDENTIALS } from '../support/s3rver';

const BUCKET = 'cas';
let front: RunningS3Front;
let client: S3Client;
const roots: string[] = [];
let prefixes = 0;

beforeAll(async () => {
  front = await startS3Front([BUCKET]);
  client = createS3Client({ region: 'eu-west-1', endpoint: front.endpoint, credentials: S3RVER_CREDENTIALS });
});
afterAll(async () => {
  client.destroy();
  await front.stop();
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function localRoot(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'conditional-replace-'));
  roots.push(root);
  return root;
}

type Conditional = Required<Pick<ExportStore, 'readVersioned' | 'replaceIfUnchanged'>> & ExportStore;

const stores: [string, () => Promise<Conditional>][] = [
  ['a local directory', async () => new LocalExportStore(await localRoot()) as Conditional],
  [
    'S3 (through the If-Match front)',
    async () => {
      prefixes += 1;
      return new S3ExportStore({ client, bucket: BUCKET, prefix: `p${prefixes}` }) as Conditional;
    },
  ],
  ['the memory store', async () => new MemoryExportStore() as Conditional],
];

const KEY = 'reports/2026-Q3/deliveries/ceo@example.com.claim.json';

describe.each(stores)('readVersioned and replaceIfUnchanged on %s', (_name, open) => {
  it('reads the text with a version, and undefined for a missing object', async () => {
    // Arrange
    const store = await open();
    await store.write(KEY, '{"state":"claimed"}\n', 'application/json');

    // Act
    const read = await store.readVersioned(KEY);
    const missing = await store.readVersioned('reports/2026-Q3/deliveries/nobody.json');

    // Assert
    expect(read?.text).toBe('{"state":"claimed"}\n');
    expect(read?.version).toMatch(/\S/);
    expect(missing).toBeUndefined();
  });

  it('replaces the object at the version read, which gives it a new version', async () => {
    // Arrange
    const store = await open();
    await store.write(KEY, 'first', 'application/json');
    const first = await store.readVersioned(KEY);

    // Act
    const replaced = await store.replaceIfUnchanged(KEY, 'second', 'application/json', first?.version ?? '');

    // Assert
    expect(replaced).toBe(true);
    const second = await store.readVersioned(KEY);
    expect(second?.text).toBe('second');
    expect(second?.version).not.toBe(first?.version);
  });

  it('refuses, writing nothing, when the object changed since it was read', async () => {
    // Arrange
    const store = await open();
    await store.write(KEY, 'first', 'application/json');
    const stale = await store.readVersioned(KEY);
    await store.write(KEY, 'changed by another run', 'application/json');

    // Act
    const replaced = await store.replaceIfUnchanged(KEY, 'mine', 'application/json', stale?.version ?? '');

    // Assert
    expect(replaced).toBe(false);
    expect(await store.readText(KEY)).toBe('changed by another run');
  });

  it('refuses when the object is gone, and when the version is not one it gave out', async () => {
    // Arrange
    const store = await open();
    await store.write(KEY, 'first', 'application/json');

    // Act
    const missing = await store.replaceIfUnchanged(
      'reports/2026-Q3/deliveries/nobody.json',
      'x',
      'application/json',
      '1',
    );
    const bogus = await store.replaceIfUnchanged(KEY, 'x', 'application/json', 'not-a-version');

    // Assert
    expect([missing, bogus]).toEqual([false, false]);
    expect(await store.readText('reports/2026-Q3/deliveries/nobody.json')).toBeUndefined();
    expect(await store.readText(KEY)).toBe('first');
  });

  it('lets exactly one of 10 concurrent replaces of one version win', async () => {
    // Arrange
    const store = await open();
    await store.write(KEY, 'first', 'application/json');
    const read = await store.readVersioned(KEY);

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, caller) =>
        store.replaceIfUnchanged(KEY, `caller ${caller}`, 'application/json', read?.version ?? ''),
      ),
    );

    // Assert
    expect(results.filter((won) => won)).toHaveLength(1);
    expect(await store.readText(KEY)).toBe(`caller ${results.indexOf(true)}`);
  });

  it('refuses a key outside reports/', async () => {
    // Arrange
    const store = await open();

    // Act
    const replacing = store.replaceIfUnchanged('exports/2026-Q3/clients.csv', 'x', 'text/csv', '1');

    // Assert
    await expect(replacing).rejects.toThrow(/never writes outside reports\//);
  });
});

describe('replaceIfUnchanged on a local directory, across processes', () => {
  it('loses no update when four processes each add 1 to a counter 25 times', async () => {
    // Arrange
    const root = await localRoot();
    await new LocalExportStore(root).write('reports/counter.json', '{"count":0}\n', 'application/json');
    const child = path.resolve(import.meta.dirname, '../support/cas-counter.ts');
    const tsx = path.resolve(import.meta.dirname, '../../node_modules/.bin/tsx');

    // Act
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => promisify(execFile)(tsx, [child, root, '25'])),
    );

    // Assert
    const retries = runs.reduce((sum, run) => sum + Number(run.stdout), 0);
    expect(JSON.parse((await new LocalExportStore(root).readText('reports/counter.json')) ?? '')).toEqual({
      count: 100,
    });
    // The processes did race: some replaces lost and were retried.
    expect(retries).toBeGreaterThan(0);
    expect((await readdir(path.join(root, 'reports'))).filter((name) => name.includes('lock'))).toEqual([]);
  });

  it("passes over the lock of a process that was killed mid-replace, but not a running process's lock", async () => {
    // Arrange: a version lock left by a process that has exited, and one held by this test's parent.
    const root = await localRoot();
    const store = new LocalExportStore(root);
    await store.write(KEY, 'first', 'application/json');
    const read = await store.readVersioned(KEY);
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const folder = path.join(root, 'reports/2026-Q3/deliveries');
    const lock = (turn: number) =>
      path.join(folder, `.ceo@example.com.claim.json.v${read?.version}.lock-${turn}`);
    await writeFile(lock(1), JSON.stringify({ host: thisProcess.host, pid: Number(exited.stdout) }));

    // Act
    const replaced = await store.replaceIfUnchanged(KEY, 'second', 'application/json', read?.version ?? '');
    const reread = await store.readVersioned(KEY);
    await writeFile(lock(1), JSON.stringify({ host: thisProcess.host, pid: process.ppid }));
    const blocked = await store.replaceIfUnchanged(KEY, 'third', 'application/json', reread?.version ?? '');

    // Assert
    expect(replaced).toBe(true);
    expect(blocked).toBe(true); // a lock of another version does not matter
    const third = await store.readVersioned(KEY);
    const liveLock = path.join(folder, `.ceo@example.com.claim.json.v${third?.version}.lock-1`);
    await writeFile(liveLock, JSON.stringify({ host: thisProcess.host, pid: process.ppid }));
    expect(await store.replaceIfUnchanged(KEY, 'fourth', 'application/json', third?.version ?? '')).toBe(
      false,
    );
    expect(await store.readText(KEY)).toBe('third');
  });
});
