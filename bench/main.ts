/**
 * `npm run bench`: generates a large deterministic export set once (cached in
 * bench/.cache/), runs `kpi-report run` on it as a whole process (the bundled CLI,
 * dist/cli.mjs) several times, and prints wall time, rows/s, MB/s and peak RSS (medians).
 *
 * Options: --rows N (interaction rows, default 5,000,000), --runs N (default 3).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateExports } from '../src/demo/generate-exports';

const QUARTER = '2026-Q3';
const INTERACTIONS_PER_CLIENT = 24;

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '5000000' }, runs: { type: 'string', default: '3' } },
});
const targetRows = Number(values.rows);
const runs = Number(values.runs);
// Not every client is active every quarter: oversize the book so the target is reached.
const clients = Math.max(100, Math.round((targetRows / INTERACTIONS_PER_CLIENT) * 1.1));
const root = resolve('bench/.cache', `rows-${targetRows}`);
const marker = join(root, 'complete.json');

async function ensureExports(): Promise<{ rows: number; interactionRows: number; bytes: number }> {
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8'));
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  process.stderr.write(
    `Generating about ${targetRows.toLocaleString('en-US')} interaction rows (once) in ${root} …\n`,
  );
  let last = 0;
  const summary = await generateExports({
    root,
    quarters: [QUARTER],
    clients,
    interactionsPerClient: INTERACTIONS_PER_CLIENT,
    seed: 7,
    onProgress: ({ dataset, rows }) => {
      if (rows - last >= 1_000_000 || rows < last) {
        last = rows;
        process.stderr.write(`  ${dataset}: ${rows.toLocaleString('en-US')} rows\n`);
      }
    },
  });
  const files = summary.quarters.flatMap((quarter) => quarter.files);
  const totals = {
    rows: files.reduce((sum, file) => sum + file.rows, 0),
    interactionRows: files
      .filter((file) => file.path.includes('interactions'))
      .reduce((s, f) => s + f.rows, 0),
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
  };
  writeFileSync(marker, JSON.stringify(totals));
  return totals;
}

function measureRun(): { seconds: number; peakRss: number } {
  const rssFile = join(root, 'peak-rss.txt');
  const started = process.hrtime.bigint();
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      resolve('bench/report-peak-rss.mjs'),
      resolve('dist/cli.mjs'),
      'run',
      '--data',
      root,
      '--quarter',
      QUARTER,
      '--quiet',
    ],
    { env: { ...process.env, KPI_BENCH_RSS_FILE: rssFile }, encoding: 'utf8', cwd: root },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0) throw new Error(`kpi-report run failed (${child.status}):\n${child.stderr}`);
  return { seconds, peakRss: Number(readFileSync(rssFile, 'utf8')) };
}

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? 0;
const mib = (bytes: number) => bytes / 1024 / 1024;

const totals = await ensureExports();
if (!existsSync('dist/cli.mjs') || statSync('dist/cli.mjs').size === 0)
  throw new Error('run `npm run build` first');
const samples = Array.from({ length: runs }, (_, run) => {
  const sample = measureRun();
  process.stderr.write(
    `  run ${run + 1}/${runs}: ${sample.seconds.toFixed(2)} s, ${mib(sample.peakRss).toFixed(0)} MiB\n`,
  );
  return sample;
});
const seconds = median(samples.map((sample) => sample.seconds));
const peakRss = median(samples.map((sample) => sample.peakRss));

const table = [
  [
    'input',
    `${mib(totals.bytes).toFixed(0)} MiB, ${totals.rows.toLocaleString('en-US')} rows (${totals.interactionRows.toLocaleString('en-US')} interactions), ${clients.toLocaleString('en-US')} clients`,
  ],
  ['wall (median of runs)', `${seconds.toFixed(2)} s`],
  ['rows/s', Math.round(totals.rows / seconds).toLocaleString('en-US')],
  ['MB/s', (totals.bytes / 1e6 / seconds).toFixed(1)],
  ['peak RSS (median)', `${mib(peakRss).toFixed(0)} MiB`],
  [
    'machine',
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  ],
];
process.stdout.write(`\nkpi-report run, whole process, ${runs} runs\n`);
for (const [name, value] of table) process.stdout.write(`  ${(name ?? '').padEnd(22)} ${value}\n`);
