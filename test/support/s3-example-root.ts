/**
 * The worked example's 2026-Q3 exports in a fresh data root of a bucket (each call its own
 * prefix), and what a request logged by the S3 front (`s3-front.ts`) did to a data root: read
 * its exports, or wrote anything. For the tests that count requests of the deployed handlers.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { parseConfig } from '../../src/core/config';
import { reportKeys } from '../../src/core/data-root';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import { runQuarter } from '../../src/use-cases/run-quarter';
import { cloneFixture } from './export-fixtures';
import { publishAsPreviousQuarter } from './prior-quarter';
import type { FrontRequest } from './s3-front';

export const EXAMPLE_QUARTER = '2026-Q3';
const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/example/2026-Q3');

let roots = 0;

let previousQuarter: Promise<{ key: string; body: Uint8Array }> | undefined;

/**
 * The example's own snapshot published as 2026-Q2 (computed once per process), so that a
 * run of 2026-Q3 has a trend: the email draws trend charts only from two quarters on.
 */
function previousQuarterSnapshot(): Promise<{ key: string; body: Uint8Array }> {
  previousQuarter ??= (async () => {
    const store = new LocalExportStore(await cloneFixture('example'));
    const { snapshot } = await runQuarter({
      store,
      config: parseConfig({ rejectLimitPercent: 50 }),
      quarter: parseQuarter(EXAMPLE_QUARTER) as Quarter,
      now: new Date('2026-10-05T06:00:00.000Z'),
    });
    const label = await publishAsPreviousQuarter(store, snapshot);
    const key = reportKeys.snapshot(label);
    return { key, body: await readFile(path.join(store.location, key)) };
  })();
  return previousQuarter;
}

/** The data root's prefix as keys start with it: `''` for the bucket root, else `prefix/`. */
const rootPath = (prefix: string) => (prefix === '' ? '' : `${prefix}/`);

/**
 * Uploads the example under `<prefix>/exports/2026-Q3/`, and its snapshot as the previous
 * quarter's `reports/2026-Q2/kpis.json` (so that the report has a trend to chart), and
 * returns the prefix: `prefix` if given (`''` for the bucket root), else a new one. `parts`
 * splits interactions into
 * `interactions/part-001.csv` and `part-002.csv.gz` (each with the header), as the
 * distributed run wants them.
 */
export async function putExampleRoot(
  client: S3Client,
  bucket: string,
  options: {
    readonly interactions?: 'single' | 'parts';
    readonly leaveOut?: readonly string[];
    readonly prefix?: string;
  } = {},
): Promise<string> {
  roots += 1;
  const prefix = options.prefix ?? `root-${process.pid}-${roots}`;
  const exports = `${rootPath(prefix)}exports/${EXAMPLE_QUARTER}`;
  const put = (key: string, body: string | Uint8Array) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const previous = await previousQuarterSnapshot();
  await put(`${rootPath(prefix)}${previous.key}`, previous.body);
  for (const name of await readdir(FIXTURE)) {
    if (options.leaveOut?.includes(name)) continue;
    const body = await readFile(path.join(FIXTURE, name));
    if (name !== 'interactions.csv' || options.interactions !== 'parts') {
      await put(`${exports}/${name}`, body);
      continue;
    }
    const [header, ...rows] = body.toString('utf8').trimEnd().split('\n');
    const half = Math.ceil(rows.length / 2);
    await put(`${exports}/interactions/part-001.csv`, `${[header, ...rows.slice(0, half)].join('\n')}\n`);
    await put(
      `${exports}/interactions/part-002.csv.gz`,
      gzipSync(`${[header, ...rows.slice(half)].join('\n')}\n`),
    );
  }
  return prefix;
}

/** A read of the data root's exports: an object under `exports/`, or a listing of it. */
export function readsExports(request: FrontRequest, prefix: string): boolean {
  const exports = `${rootPath(prefix)}exports/`;
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.key.startsWith(exports)) return true;
  const listed = new URLSearchParams(request.query).get('prefix');
  return request.key === '' && listed !== null && (listed.startsWith(exports) || exports.startsWith(listed));
}

/** Any request that changes the bucket. */
export function writes(request: FrontRequest): boolean {
  return request.method === 'PUT' || request.method === 'POST' || request.method === 'DELETE';
}
