/**
 * `npx tsx bench/gzip-bomb.ts`: a 3 GiB record with no line break, gzipped to a few MB,
 * must fail a run within 60 s and 512 MiB (issue 12): `kpi-report run` (the bundled CLI)
 * on a set whose interactions.csv.gz is a header and then 3 GiB of one line, once with
 * each reader, measured as whole processes (wall time and peak RSS, as `npm run bench`
 * measures runs). Before the row limit and the incremental chunker, it never finished.
 *
 * Prints one line per reader and exits 1 when a run took longer, used more memory, or did
 * not fail with exit 1 and the row-too-long problem. `--gib N` changes the size (default 3).
 * The bomb is generated once into bench/.cache/gzip-bomb-<N>GiB/ (gitignored).
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createGzip } from 'node:zlib';
import { assertCliBuilt } from './kpi-report-runs';
import { measureNodeProcess } from './measure-process';

const SECONDS_ALLOWED = 60;
const MIB_ALLOWED = 512;
const HEADER = 'interaction_id,client_id,occurred_at,channel\n';

async function writeBomb(file: string, bytes: number): Promise<void> {
  const partial = `${file}.partial`;
  const gzip = createGzip({ level: 1 });
  const output = createWriteStream(partial);
  gzip.pipe(output);
  gzip.write(HEADER);
  const piece = Buffer.alloc(1 << 20, 'a');
  for (let written = 0; written < bytes; written += piece.length) {
    if (!gzip.write(piece)) await once(gzip, 'drain');
  }
  gzip.end();
  await once(output, 'close');
  renameSync(partial, file);
}

async function ensureBomb(gib: number): Promise<string> {
  const root = resolve('bench/.cache', `gzip-bomb-${gib}GiB`);
  const set = join(root, 'exports', '2026-Q3');
  const bomb = join(set, 'interactions.csv.gz');
  if (!existsSync(bomb)) {
    process.stderr.write(`Writing a ${gib} GiB single-line interactions.csv.gz to ${set} …\n`);
    mkdirSync(set, { recursive: true });
    writeFileSync(join(set, 'clients.csv'), 'client_id,customer_since\nA,2020-01-01\n');
    await writeBomb(bomb, gib * 2 ** 30);
  }
  rmSync(join(root, 'reports'), { recursive: true, force: true });
  return root;
}

async function main(argv: string[]): Promise<number> {
  const gibAt = argv.indexOf('--gib');
  const gib = gibAt === -1 ? 3 : Number(argv[gibAt + 1]);
  if (!(gib > 0)) throw new Error('--gib takes a positive number');
  assertCliBuilt();
  const root = await ensureBomb(gib);
  let failures = 0;
  for (const reader of ['bytes', 'simple']) {
    const args = [
      'dist/cli.mjs',
      'run',
      '--data',
      root,
      '--quarter',
      '2026-Q3',
      '--reader',
      reader,
      '--quiet',
    ];
    const sample = measureNodeProcess(`kpi-report run --reader ${reader}`, args, process.cwd(), 1);
    const mib = sample.peakRssBytes / 2 ** 20;
    const named = sample.stderr.includes(
      'interactions.csv.gz: the row that starts on line 2 is longer than 1 MiB (maxRowBytes)',
    );
    const ok = sample.seconds <= SECONDS_ALLOWED && mib <= MIB_ALLOWED && named;
    if (!ok) failures++;
    process.stdout.write(
      `${ok ? 'PASS' : 'FAIL'} ${gib} GiB single-line gzip, --reader ${reader}: exit 1 in ${sample.seconds.toFixed(2)} s, peak RSS ${mib.toFixed(0)} MiB (allowed: ${SECONDS_ALLOWED} s, ${MIB_ALLOWED} MiB)${named ? '' : '; the message does not name the row'}\n`,
    );
    if (!named) process.stdout.write(sample.stderr);
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
