/**
 * Every failure path is a product feature: 51 distinct bad inputs, each given to the bundled
 * CLI as a process, as a user would. For each: the exit code (1 for exports that cannot be
 * reported on, 2 for a usage, configuration or data-location mistake, never 3), the message
 * naming the file (and line) or setting, no stack trace, no kpis.json or message written
 * unless the case publishes by design, and exports/ byte-identical afterwards.
 *
 * The cases run up to three at a time in `beforeAll`, each in its own data root; each
 * `it` then checks one case's outcome.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/adapters/s3/s3-export-store';
import { type BundledCli, bundleCli, type CliRun, runCli } from '../support/bundled-cli';
import { createDataRoot, filesUnder, hashExports, removeDataRoots, toCsv } from '../support/export-fixtures';
import { type FaultyS3Front, startFaultyS3Front } from '../support/faulty-s3-front';
import { type RunningS3rver, S3RVER_CREDENTIALS, startS3rver } from '../support/s3rver';

const Q = '2026-Q3';
const day = (i: number) =>
  `2026-${String(7 + (i % 3)).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
const CLIENTS = ['client_id', 'customer_since', 'churned_on', 'product'];
const INTERACTIONS = ['interaction_id', 'client_id', 'occurred_at', 'channel'];

/** A clean set: four clients, 40 interactions, services, surveys and costs, all in 2026-Q3. */
function cleanRows(): Record<string, string[][]> {
  return {
    'clients.csv': [
      CLIENTS,
      ['A', '2020-01-01', '', 'Analytics'],
      ['B', '2020-01-01', '', 'Payments'],
      ['C', '2021-05-01', '', 'Analytics'],
      ['D', '2022-03-01', '', 'Payments'],
    ],
    'interactions.csv': [
      INTERACTIONS,
      ...Array.from({ length: 40 }, (_, i) => [
        `I${String(i + 1).padStart(2, '0')}`,
        'ABCD'[i % 4] as string,
        day(i),
        i % 3 ? 'self_service' : 'assisted',
      ]),
    ],
    'services.csv': [
      ['client_id', 'service', 'started_on', 'ended_on'],
      ['A', 'api', '2025-01-01', ''],
      ['B', 'sso', '2025-01-01', ''],
    ],
    'surveys.csv': [
      ['response_id', 'client_id', 'submitted_at', 'survey', 'score', 'scale_max'],
      ['R1', 'A', '2026-08-01', 'nps', '9', ''],
      ['R2', 'B', '2026-08-02', 'cess', '70', ''],
    ],
    'support_costs.csv': [
      ['incurred_on', 'amount', 'client_id', 'category'],
      ['2026-08-01', '120.50', 'A', 'tier1'],
      ['2026-08-02', '80', '', 'tier2'],
    ],
  };
}

/** The clean set's files with `name` replaced (or removed when `content` is null). */
function cleanWith(changes: Record<string, string | Uint8Array | null>): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = Object.fromEntries(
    Object.entries(cleanRows()).map(([name, rows]) => [name, toCsv(rows)]),
  );
  for (const [name, content] of Object.entries(changes)) {
    if (content === null) delete files[name];
    else files[name] = content;
  }
  return files;
}

/** The clean interactions.csv text with `row` added as line 42. */
function interactionsWith(row: string): string {
  return `${toCsv(cleanRows()['interactions.csv'] as string[][])}${row}\n`;
}

/** Lines of the clean interactions.csv, so a test can break one. */
function interactionLines(): string[] {
  return toCsv(cleanRows()['interactions.csv'] as string[][])
    .trimEnd()
    .split('\n');
}

const CLEAN_INTERACTIONS = toCsv(cleanRows()['interactions.csv'] as string[][]);
const GZIPPED = gzipSync(Buffer.from(CLEAN_INTERACTIONS));

interface Case {
  readonly name: string;
  /** Files of exports/2026-Q3/ (or other quarters: `2025-Q3/clients.csv`), written as given. */
  readonly files?: Record<string, string | Uint8Array>;
  /** Anything else the case needs in its data root (links, a reports file). */
  readonly prepare?: (root: string) => Promise<void>;
  /** The arguments; `{root}` is the data root. */
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  readonly exit: 0 | 1 | 2;
  /** What stdout and stderr together must say. */
  readonly says: string | RegExp;
  /** kpis.json files the case publishes by design (relative to reports/). */
  readonly publishes?: readonly string[];
}

const run = (...extra: string[]) => ['run', '--data', '{root}', '--quarter', Q, '--quiet', ...extra];
const validate = (...extra: string[]) => [
  'validate',
  '--data',
  '{root}',
  '--quarter',
  Q,
  '--quiet',
  ...extra,
];
const bytes = (...values: number[]) => Uint8Array.from(values);
const latin1 = (text: string) => Buffer.from(text, 'latin1');

const CASES: readonly Case[] = [
  // A stray quote, in every place it can hide rows.
  {
    name: 'a stray quote that runs past maxRowBytes',
    files: cleanWith({
      'interactions.csv': interactionLines()
        .map((l, i) => (i === 10 ? `"${l}` : l))
        .join('\n'),
    }),
    args: [...run(), '--config', '{config:{"maxRowBytes":256}}'],
    exit: 1,
    says: 'interactions.csv: the row that starts on line 11 is longer than 256 bytes (maxRowBytes)',
  },
  {
    name: 'a stray quote three lines before the end',
    files: cleanWith({
      'interactions.csv': interactionLines()
        .map((l, i) => (i === 38 ? `"${l}` : l))
        .join('\n'),
    }),
    args: run(),
    exit: 1,
    says: 'interactions.csv: the row that starts on line 39 opens a quoted field that is never closed',
  },
  {
    name: 'a quote that swallows five lines and closes badly',
    files: cleanWith({
      'interactions.csv': interactionLines()
        .map((l, i) => (i === 10 ? `"${l}` : i === 14 ? l.replace(',2026', '"x,2026') : l))
        .join('\n'),
    }),
    args: run(),
    exit: 1,
    says: 'interactions: 5 of 40 rows (12.5%) were rejected, over the 1% limit',
  },
  {
    name: 'a 2 MB line without a line break',
    files: cleanWith({ 'interactions.csv': `${CLEAN_INTERACTIONS}${'x'.repeat(2_000_000)}` }),
    args: run(),
    exit: 1,
    says: 'interactions.csv: the row that starts on line 42 is longer than 1 MiB (maxRowBytes)',
  },
  {
    name: 'a header longer than 1 MiB',
    files: cleanWith({ 'surveys.csv': `${'h'.repeat(1_100_000)}\nR1\n` }),
    args: run(),
    exit: 1,
    says: 'surveys.csv: the row that starts on line 1 is longer than 1 MiB (maxRowBytes)',
  },
  // Files that are not what their name says, or not whole.
  {
    name: 'a .csv.gz cut short',
    files: cleanWith({
      'interactions.csv': null,
      'interactions.csv.gz': GZIPPED.subarray(0, GZIPPED.length - 20),
    }),
    args: run(),
    exit: 1,
    says: 'interactions.csv.gz is cut short: its gzip data ends before it is complete',
  },
  {
    name: 'a plain CSV named .csv.gz',
    files: cleanWith({ 'interactions.csv': null, 'interactions.csv.gz': CLEAN_INTERACTIONS }),
    args: run(),
    exit: 1,
    says: 'interactions.csv.gz is not gzip-compressed although its name ends in .gz',
  },
  {
    name: 'a .csv.gz whose CRC fails',
    files: cleanWith({
      'interactions.csv': null,
      'interactions.csv.gz': Buffer.concat([
        GZIPPED.subarray(0, -8),
        bytes(0, 0, 0, 0),
        GZIPPED.subarray(-4),
      ]),
    }),
    args: run(),
    exit: 1,
    says: 'interactions.csv.gz is corrupt: its gzip checksum does not match its content',
  },
  {
    name: 'a .csv.gz with bytes appended',
    files: cleanWith({
      'interactions.csv': null,
      'interactions.csv.gz': Buffer.concat([GZIPPED, Buffer.from('junk')]),
    }),
    args: run(),
    exit: 1,
    says: 'interactions.csv.gz holds bytes after its gzip data that are not gzip',
  },
  {
    name: 'an empty .csv.gz',
    files: cleanWith({ 'interactions.csv': null, 'interactions.csv.gz': new Uint8Array(0) }),
    args: run(),
    exit: 1,
    says: 'interactions.csv.gz is cut short',
  },
  {
    name: 'INTERACTIONS.CSV.GZ, read as gzip by design',
    files: cleanWith({ 'interactions.csv': null, 'INTERACTIONS.CSV.GZ': GZIPPED }),
    args: run(),
    exit: 0,
    says: /interactions: 40 rows, 0 rejected \(0\.00%\); 40 of 40 dated rows in the period/,
    publishes: [`${Q}/kpis.json`],
  },
  // Sets that read cleanly but are the wrong set.
  {
    name: 'interactions.csv with only its header',
    files: cleanWith({ 'interactions.csv': `${INTERACTIONS.join(',')}\n` }),
    args: run(),
    exit: 1,
    says: 'interactions has no data rows (interactions.csv: a header only)',
  },
  {
    name: 'clients.csv with only its header',
    files: cleanWith({ 'clients.csv': `${CLIENTS.join(',')}\n` }),
    args: run(),
    exit: 1,
    says: 'clients has no data rows (clients.csv: a header only)',
  },
  {
    name: 'an interactions.csv of 0 bytes',
    files: cleanWith({ 'interactions.csv': '' }),
    args: run(),
    exit: 1,
    says: 'interactions.csv is empty; it needs at least a header row',
  },
  {
    name: 'another quarter’s exports in the folder',
    files: Object.fromEntries(Object.entries(cleanWith({})).map(([name, text]) => [`2025-Q3/${name}`, text])),
    args: ['run', '--data', '{root}', '--quarter', '2025-Q3', '--quiet'],
    exit: 1,
    says: 'interactions: only 0 of 40 dated rows (0.0%) fall in 2025-Q3 (2025-07-01 to 2025-09-30, UTC); they run from 2026-07-01',
  },
  {
    name: 'fiscalYearStartMonth 4 with calendar-quarter folders',
    files: cleanWith({}),
    args: [...run(), '--config', '{config:{"fiscalYearStartMonth":4}}'],
    exit: 1,
    says: 'interactions: only 0 of 40 dated rows (0.0%) fall in 2026-Q3 (2025-10-01 to 2025-12-31, UTC)',
  },
  {
    name: 'date-times that fall before the quarter in the reporting time zone',
    files: cleanWith({
      'interactions.csv': toCsv([
        INTERACTIONS,
        ...Array.from({ length: 10 }, (_, i) => [`I${i}`, 'A', '2026-07-01T03:00:00Z', 'assisted']),
      ]),
    }),
    args: [...run(), '--config', '{config:{"timeZone":"America/Los_Angeles"}}'],
    exit: 1,
    says: 'interactions: only 0 of 10 dated rows (0.0%) fall in 2026-Q3 (2026-07-01 to 2026-09-30, America/Los_Angeles); they run from 2026-06-30 to 2026-06-30',
  },
  {
    name: 'a quarter that has not ended',
    files: Object.fromEntries(Object.entries(cleanWith({})).map(([name, text]) => [`2099-Q1/${name}`, text])),
    args: ['run', '--data', '{root}', '--quarter', '2099-Q1', '--quiet'],
    exit: 2,
    says: /2099-Q1 has not ended: it runs to 2099-03-31 \(UTC\) and today is \d{4}-\d{2}-\d{2} there/,
  },
  {
    name: 'backfill over an open quarter and look-alike folders',
    files: {
      ...cleanWith({}),
      ...Object.fromEntries(Object.entries(cleanWith({})).map(([name, text]) => [`2099-Q1/${name}`, text])),
      '2026q2/clients.csv': toCsv(cleanRows()['clients.csv'] as string[][]),
    },
    args: ['backfill', '--data', '{root}', '--quiet'],
    exit: 1,
    says: /2099-Q1: skipped: 2099-Q1 has not ended[\s\S]*exports\/2026q2\/ looks like a quarter but is not named like one; rename it exports\/2026-Q2\//,
    publishes: [`${Q}/kpis.json`],
  },
  // The layout of the set.
  {
    name: 'no interactions at all',
    files: cleanWith({ 'interactions.csv': null }),
    args: run(),
    exit: 1,
    says: 'the required dataset interactions is missing: upload exports/2026-Q3/interactions.csv',
  },
  {
    name: 'a misspelt file name',
    files: cleanWith({ 'interactions.csv': null, 'interaction.csv': CLEAN_INTERACTIONS }),
    args: run(),
    exit: 1,
    says: '(found interaction.csv)',
  },
  {
    name: 'a header without a required column',
    files: cleanWith({ 'interactions.csv': CLEAN_INTERACTIONS.replace('occurred_at', 'when') }),
    args: run(),
    exit: 1,
    says: 'interactions.csv has no occurred_at column',
  },
  {
    name: 'a column named twice',
    files: cleanWith({ 'interactions.csv': CLEAN_INTERACTIONS.replace('channel', 'channel,Channel') }),
    args: run(),
    exit: 1,
    says: 'interactions.csv names the column channel more than once; keep one',
  },
  {
    name: 'parts with different headers',
    files: cleanWith({
      'interactions.csv': null,
      'interactions/part-1.csv': CLEAN_INTERACTIONS,
      'interactions/part-2.csv': CLEAN_INTERACTIONS.replace('channel', 'channel,agent'),
    }),
    args: run(),
    exit: 1,
    says: 'interactions/part-2.csv has a different header from the dataset',
  },
  {
    name: 'a dataset exported twice',
    files: cleanWith({ 'clients.csv.gz': gzipSync(toCsv(cleanRows()['clients.csv'] as string[][])) }),
    args: run(),
    exit: 1,
    says: 'clients is exported more than once (clients.csv, clients.csv.gz)',
  },
  // Encodings.
  {
    name: 'a header that is not UTF-8',
    files: cleanWith({ 'clients.csv': latin1('client_id,customer_since,r\u00e9gion\nA,2020-01-01,EU\n') }),
    args: run(),
    exit: 1,
    says: 'clients.csv: its header is not valid UTF-8',
  },
  {
    name: 'a Latin-1 row among UTF-8 rows',
    files: cleanWith({ 'interactions.csv': latin1(interactionsWith('I99,A,2026-08-01,caf\u00e9')) }),
    args: validate(),
    exit: 1,
    says: 'interactions.csv:42  the row is not valid UTF-8 (was the file saved in another encoding?)',
  },
  // Values that are not values.
  {
    name: 'an amount of 400 digits',
    files: cleanWith({
      'support_costs.csv': `${toCsv(cleanRows()['support_costs.csv'] as string[][])}2026-08-03,${'9'.repeat(400)},A,x\n`,
    }),
    args: validate(),
    exit: 1,
    says: /support_costs\.csv:4 {2}amount '9{80}… \(400 characters\)' is out of range/,
  },
  {
    name: 'a CESS score and scale_max of 400 digits',
    files: cleanWith({
      'surveys.csv': `${toCsv(cleanRows()['surveys.csv'] as string[][])}R3,A,2026-08-03,cess,1${'0'.repeat(399)},1${'0'.repeat(399)}\n`,
    }),
    args: validate(),
    exit: 1,
    says: /surveys\.csv:4 {2}score '10{79}… \(400 characters\)' is too large to be a number/,
  },
  {
    name: 'the channel constructor',
    files: cleanWith({ 'interactions.csv': interactionsWith('I99,A,2026-08-01,constructor') }),
    args: validate(),
    exit: 1,
    says: "interactions.csv:42  channel 'constructor' is not one of assisted, self_service",
  },
  {
    name: 'the channel __proto__',
    files: cleanWith({ 'interactions.csv': interactionsWith('I99,A,2026-08-01,__proto__') }),
    args: validate(),
    exit: 1,
    says: "interactions.csv:42  channel '__proto__' is not one of assisted, self_service",
  },
  {
    name: 'the channel toString',
    files: cleanWith({ 'interactions.csv': interactionsWith('I99,A,2026-08-01,toString') }),
    args: validate(),
    exit: 1,
    says: "interactions.csv:42  channel 'toString' is not one of assisted, self_service",
  },
  {
    name: 'a 100,000-character cell',
    files: cleanWith({ 'interactions.csv': interactionsWith(`I99,A,2026-08-01,${'z'.repeat(100_000)}`) }),
    args: validate(),
    exit: 1,
    says: `interactions.csv:42  channel '${'z'.repeat(80)}… (100000 characters)' is not one of`,
  },
  {
    name: 'a segment value __proto__, kept as a segment by design',
    files: cleanWith({
      'clients.csv': toCsv(cleanRows()['clients.csv'] as string[][]).replace('Payments', '__proto__'),
    }),
    args: run(),
    exit: 0,
    says: /Wrote .*kpis\.json/,
    publishes: [`${Q}/kpis.json`],
  },
  // The data location.
  {
    name: 'a link to a file outside the data root',
    files: cleanWith({ 'surveys.csv': null }),
    prepare: async (root) => {
      const outside = path.join(await createDataRoot(), 'secret.csv');
      await writeFile(outside, 'password,hunter2\n');
      await symlink(outside, path.join(root, 'exports', Q, 'surveys.csv'));
    },
    args: run(),
    exit: 2,
    says: /exports\/2026-Q3\/surveys\.csv is a link to .*secret\.csv, outside the data root/,
  },
  {
    name: 'a symbolic link loop',
    files: cleanWith({}),
    prepare: async (root) => {
      await symlink('loop-b', path.join(root, 'exports', Q, 'loop-a'));
      await symlink('loop-a', path.join(root, 'exports', Q, 'loop-b'));
    },
    args: run(),
    exit: 2,
    says: /exports\/2026-Q3\/loop-a is a symbolic link that leads back to itself \(ELOOP\)/,
  },
  {
    name: 'a link to the folder that holds it',
    files: cleanWith({}),
    prepare: (root) => symlink('.', path.join(root, 'exports', Q, 'self')),
    args: run(),
    exit: 2,
    says: /exports\/2026-Q3\/self is a link to .*, a folder that holds it/,
  },
  {
    name: '--data pointing at a file',
    files: cleanWith({}),
    args: ['run', '--data', '{root}/exports/2026-Q3/clients.csv', '--quarter', Q, '--quiet'],
    exit: 2,
    says: /the data location .*clients\.csv is a file, not a folder/,
  },
  {
    name: '--data pointing at nothing',
    files: cleanWith({}),
    args: ['run', '--data', '{root}/nowhere', '--quarter', Q, '--quiet'],
    exit: 2,
    says: /the data location .*nowhere does not exist/,
  },
  {
    name: 'reports/ being a file',
    files: cleanWith({}),
    prepare: (root) => writeFile(path.join(root, 'reports'), 'not a folder'),
    args: run(),
    exit: 2,
    says: /cannot write .*reports\/2026-Q3\/validation\.json: a file stands where a folder is needed/,
  },
  {
    name: '--data s3:// without a bucket',
    args: ['run', '--data', 's3://', '--quarter', Q, '--quiet'],
    exit: 2,
    says: "malformed S3 location 's3://'",
  },
  {
    name: '--data gs://bucket/x',
    args: ['run', '--data', 'gs://bucket/x', '--quarter', Q, '--quiet'],
    exit: 2,
    says: "unsupported data location 'gs://bucket/x'",
  },
  {
    name: '--data https://example.com/data',
    args: ['run', '--data', 'https://example.com/data', '--quarter', Q, '--quiet'],
    exit: 2,
    says: "unsupported data location 'https://example.com/data'",
  },
  {
    name: 'S3 without credentials',
    args: ['validate', '--data', 's3://kpi-data/acme', '--quarter', Q, '--quiet'],
    env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' },
    exit: 2,
    says: 'no AWS credentials were found to read s3://kpi-data/acme: set AWS_PROFILE',
  },
  {
    name: 'an S3 endpoint that refuses connections',
    args: ['validate', '--data', 's3://kpi-data/acme', '--quarter', Q, '--quiet'],
    env: {
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
    },
    exit: 2,
    says: 'cannot reach S3 for s3://kpi-data/acme (ECONNREFUSED)',
  },
  {
    name: 'an S3 body cut at 50% every time, framed as complete',
    args: ['run', '--data', 's3://kpi-sweep/cut', '--quarter', Q, '--quiet'],
    env: { S3_FRONT: 'cut' },
    exit: 1,
    says: /interactions\.csv could not be read in full: the answer ended after \d+ of \d+ bytes; then .* \(4 tries\); check the connection to the store and run again/,
  },
  // Usage and configuration.
  {
    name: 'a quarter that does not exist',
    files: cleanWith({}),
    args: ['run', '--data', '{root}', '--quarter', '2026-Q5', '--quiet'],
    exit: 2,
    says: "--quarter '2026-Q5' is not a quarter; write it like 2026-Q3",
  },
  {
    name: 'a configuration that is not JSON',
    files: cleanWith({}),
    args: [...run(), '--config', '{config-text:{"maxRowBytes": }'],
    exit: 2,
    says: /kpi-report\.json is not valid JSON/,
  },
  {
    name: 'a configuration with a negative maxRowBytes and an unknown field',
    files: cleanWith({}),
    args: [...run(), '--config', '{config:{"maxRowBytes":-1,"minRowsInPeriod":5}}'],
    exit: 2,
    says: /maxRowBytes: [\s\S]*\(top level\): Unrecognized key/,
  },
  {
    name: 'a corrupt kpis.json to preview',
    files: cleanWith({}),
    prepare: async (root) => {
      await mkdir(path.join(root, 'reports', Q), { recursive: true });
      await writeFile(path.join(root, 'reports', Q, 'kpis.json'), '{"schemaVersion": 1, "quarter"');
    },
    args: ['preview', '--data', '{root}', '--quarter', Q],
    exit: 2,
    says: /reports\/2026-Q3\/kpis\.json is not a valid kpis\.json; run 'kpi-report run --quarter 2026-Q3' to write it again/,
    publishes: [`${Q}/kpis.json`],
  },
];

interface Outcome {
  readonly result: CliRun;
  readonly root: string;
  readonly before: Record<string, string>;
}

let cli: BundledCli;
let s3: { server: RunningS3rver; front: FaultyS3Front } | undefined;
const outcomes = new Map<string, Outcome>();

/** s3://kpi-sweep/cut/ holds the clean set, behind a front that cuts every interactions.csv body at 50%. */
async function startS3(): Promise<{ server: RunningS3rver; front: FaultyS3Front }> {
  const server = await startS3rver(['kpi-sweep']);
  const front = await startFaultyS3Front(server.endpoint);
  const client = createS3Client({
    region: 'eu-west-1',
    endpoint: server.endpoint,
    credentials: S3RVER_CREDENTIALS,
  });
  for (const [name, text] of Object.entries(cleanWith({}))) {
    const body = typeof text === 'string' ? Buffer.from(text) : text;
    await client.send(
      new PutObjectCommand({
        Bucket: 'kpi-sweep',
        Key: `cut/exports/${Q}/${name}`,
        Body: body,
        ContentLength: body.length,
      }),
    );
  }
  client.destroy();
  const cut = { kind: 'cut', share: 0.5 } as const;
  front.fail(`cut/exports/${Q}/interactions.csv`, cut, cut, cut, cut);
  return { server, front };
}

/** `{root}`, `{config:…}` (a file with that JSON) and `{config-text:…}` (that text) in an argument. */
async function argument(value: string, root: string): Promise<string> {
  const config = /^\{config(-text)?:(.*)\}$/s.exec(value);
  if (config) {
    const file = path.join(await createDataRoot(), 'kpi-report.json');
    await writeFile(file, config[2] as string);
    return file;
  }
  return value.replaceAll('{root}', root);
}

async function runCase(test: Case): Promise<Outcome> {
  const root = await createDataRoot();
  for (const [name, content] of Object.entries(test.files ?? {})) {
    const [quarter, file] = /^\d{4}[-qQ]/.test(name)
      ? [name.split('/')[0] as string, name.split('/').slice(1).join('/')]
      : [Q, name];
    const target = path.join(root, 'exports', quarter, ...file.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  await test.prepare?.(root);
  const before = await hashExports(root);
  const args = await Promise.all(test.args.map((value) => argument(value, root)));
  const env: Record<string, string> = { HOME: root, ...test.env };
  if (env.S3_FRONT !== undefined) {
    s3 ??= await startS3();
    Object.assign(env, {
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_S3: s3.front.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
  }
  const result = await runCli(cli, args, { env, cwd: root });
  return { result, root, before };
}

beforeAll(async () => {
  cli = await bundleCli();
  const queue = [...CASES];
  const worker = async () => {
    for (let test = queue.shift(); test !== undefined; test = queue.shift()) {
      outcomes.set(test.name, await runCase(test));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}, 300_000);

afterAll(async () => {
  await s3?.front.close();
  await s3?.server.stop();
  await cli?.remove();
  await removeDataRoots();
});

describe('the CLI, run as a process on a bad input', () => {
  it('is given at least 40 distinct bad inputs', () => {
    expect(new Set(CASES.map((test) => test.name)).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.map((test) => [test.name, test] as const))(
    'answers %s with its exit code and a message saying what to fix, leaving exports/ untouched',
    async (_name, test) => {
      // Arrange
      const { result, root, before } = outcomes.get(test.name) as Outcome;
      const output = `${result.stdout}${result.stderr}`;

      // Assert
      expect(result.code, output).toBe(test.exit);
      if (typeof test.says === 'string') expect(output).toContain(test.says);
      else expect(output).toMatch(test.says);
      expect(result.stderr).not.toMatch(/\n\s+at .*[(:]\d+/); // no stack trace
      expect(result.stderr).not.toContain('failed unexpectedly');
      expect(await hashExports(root)).toEqual(before);
      const reports = await filesUnder(root, 'reports').catch(() => []);
      expect(reports.filter((file) => file.endsWith('kpis.json'))).toEqual(test.publishes ?? []);
      expect(reports.filter((file) => file.endsWith('.eml'))).toEqual([]);
    },
  );
});
