/**
 * The engine's API (`import … from 'kpi-report'`) on the spec's worked example: from a local
 * directory, from an S3 bucket (s3rver on 127.0.0.1) and from an app's own store, with the
 * same result a run of the use case gives; an export set that cannot be reported on, bad
 * settings and an open quarter.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeQuarter,
  type ExportStore,
  localStore,
  OpenQuarterError,
  SettingsError,
  s3Store,
} from '../../src/api/index';
import { parseConfig } from '../../src/core/config';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import { runQuarter } from '../../src/use-cases/run-quarter';
import { cloneFixture, readSnapshot, removeDataRoots } from '../support/export-fixtures';
import { MemoryExportStore } from '../support/memory-store';
import { EXAMPLE_QUARTER, putExampleRoot } from '../support/s3-example-root';
import { type RunningS3rver, S3RVER_CREDENTIALS, startS3rver } from '../support/s3rver';

/** The example has a fifth of its rows bad on purpose: it is reported on over a 50% limit. */
const SETTINGS = { rejectLimitPercent: 50 };
const NOW = new Date('2026-10-05T06:00:00.000Z');
const BUCKET = 'api-bucket';

let s3rver: RunningS3rver;

beforeAll(async () => {
  s3rver = await startS3rver([BUCKET]);
});

afterAll(async () => {
  await s3rver.stop();
  await removeDataRoots();
});

/** The snapshot the run use case computes for the example, for comparison. */
async function expectedSnapshot() {
  const store = localStore(await cloneFixture('example'));
  const { snapshot } = await runQuarter({
    store,
    config: parseConfig(SETTINGS),
    quarter: parseQuarter(EXAMPLE_QUARTER) as Quarter,
    now: NOW,
  });
  return snapshot;
}

describe('computeQuarter', () => {
  it('computes the quarter of a local directory, writes kpis.json and, when asked, the report files', async () => {
    // Arrange
    const root = await cloneFixture('example');

    // Act
    const result = await computeQuarter({
      store: localStore(root),
      quarter: '2026-q3',
      settings: SETTINGS,
      now: NOW,
      writeReport: true,
    });

    // Assert
    if (!result.ok) throw new Error(`not computed: ${result.problems.join('; ')}`);
    expect(result.quarter).toBe('2026-Q3');
    const expected = await expectedSnapshot();
    // The files' local ETags hold their times, so the two clones differ only there.
    expect({ ...result.snapshot, dataQuality: undefined }).toEqual({ ...expected, dataQuality: undefined });
    expect(result.snapshot.dataQuality.surveys.rejected).toBe(expected.dataQuality.surveys.rejected);
    expect(await readSnapshot(root, '2026-Q3')).toEqual(result.snapshot);
    expect(result.snapshotKey).toBe('reports/2026-Q3/kpis.json');
    expect(result.report).toEqual({
      html: 'reports/2026-Q3/report.html',
      text: 'reports/2026-Q3/report.txt',
      csv: 'reports/2026-Q3/kpis-2026-Q3.csv',
    });
    const html = await readFile(path.join(root, 'reports/2026-Q3/report.html'), 'utf8');
    expect(html).toContain('Net Promoter Score');
  });

  it('leaves the report files out unless asked for', async () => {
    const root = await cloneFixture('example');
    const result = await computeQuarter({
      store: localStore(root),
      quarter: '2026-Q3',
      settings: SETTINGS,
      now: NOW,
    });
    expect(result.ok && result.report).toBeUndefined();
  });

  it('reads an S3 bucket through a store built from bucket, prefix, endpoint and credentials', async () => {
    // Arrange
    const client = new S3Client({
      endpoint: s3rver.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    const prefix = await putExampleRoot(client, BUCKET, { prefix: 'finance/kpis' });
    client.destroy();

    // Act
    const store = s3Store({
      bucket: BUCKET,
      prefix,
      endpoint: s3rver.endpoint,
      region: 'us-east-1',
      credentials: async () => S3RVER_CREDENTIALS,
    });
    const result = await computeQuarter({
      store,
      quarter: '2026-Q3',
      settings: SETTINGS,
      now: NOW,
      reader: 'simple',
    });

    // Assert: the same figures as the local run; 2026-Q2 (published there) is in the trend.
    if (!result.ok) throw new Error(`not computed: ${result.problems.join('; ')}`);
    expect(store.location).toBe(`s3://${BUCKET}/finance/kpis`);
    expect(result.snapshot.kpis.netPromoterScore.value).toBe(
      (await expectedSnapshot()).kpis.netPromoterScore.value,
    );
    expect(result.snapshot.kpis.netPromoterScore.trend.map((point) => point.quarter)).toEqual([
      '2026-Q2',
      '2026-Q3',
    ]);
    expect(await store.readText('reports/2026-Q3/kpis.json')).toBe(
      `${JSON.stringify(result.snapshot, null, 2)}\n`,
    );
  });

  it('reads any object implementing the store port', async () => {
    // Arrange
    const memory = new MemoryExportStore();
    const fixture = path.resolve(import.meta.dirname, '../fixtures/example/2026-Q3');
    for (const name of ['clients', 'interactions', 'services', 'surveys', 'support_costs']) {
      memory.put(`exports/2026-Q3/${name}.csv`, await readFile(path.join(fixture, `${name}.csv`), 'utf8'));
    }
    const store: ExportStore = memory;

    // Act
    const result = await computeQuarter({ store, quarter: '2026-Q3', settings: SETTINGS, now: NOW });

    // Assert
    expect(result.ok && result.snapshot.kpis).toEqual((await expectedSnapshot()).kpis);
  });

  it('answers ok: false with every problem for an export set that cannot be reported on', async () => {
    const root = await cloneFixture('example');
    const result = await computeQuarter({ store: localStore(root), quarter: '2026-Q3', now: NOW });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(3);
    expect(result.problems[0]).toMatch(/^interactions: 4 of 19 rows .* over the 1% limit/);
    expect(result.validationKey).toBe('reports/2026-Q3/validation.json');
    await expect(readFile(path.join(root, 'reports/2026-Q3/kpis.json'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses bad settings, a bad quarter and an open quarter before reading anything', async () => {
    const store = new MemoryExportStore();
    await expect(
      computeQuarter({ store, quarter: '2026-Q3', settings: { currency: 'euro', minimumSample: 0 } }),
    ).rejects.toThrow(SettingsError);
    await expect(
      computeQuarter({ store, quarter: '2026-Q3', settings: { currency: 'euro', minimumSample: 0 } }),
    ).rejects.toThrow(/currency: .*\n.*minimumSample/);
    await expect(computeQuarter({ store, quarter: '2026-Q5' })).rejects.toThrow(SettingsError);
    await expect(computeQuarter({ store, quarter: '2026-Q4', now: NOW })).rejects.toThrow(OpenQuarterError);
    expect([...store.objects.keys()]).toEqual([]);
  });

  it('refuses a template folder that does not exist before reading the exports', async () => {
    const root = await cloneFixture('example');
    const settings = { ...SETTINGS, email: { templateDir: path.join(root, 'no-such-folder') } };
    await expect(
      computeQuarter({ store: localStore(root), quarter: '2026-Q3', settings, now: NOW, writeReport: true }),
    ).rejects.toThrow(/the template folder \(email.templateDir\) does not exist/);
    await expect(readFile(path.join(root, 'reports/2026-Q3/validation.json'))).rejects.toThrow(/ENOENT/);
  });
});
