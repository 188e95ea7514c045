/**
 * Runs `kpi-report run` as a user would: the bundled CLI (dist/cli.mjs, built by
 * `npm run bench` before this starts) as a whole process over a cached export set.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KPI_IDS, type KpiId } from '../src/core/kpi-ids';
import type { Reader } from './bench-options';
import { BENCH_QUARTER, type ExportSet } from './export-sets';
import { measureNodeProcess, type ProcessSample } from './measure-process';

const CLI = resolve('dist/cli.mjs');

/** Throws unless the bundled CLI is there (the `bench` script builds it first). */
export function assertCliBuilt(): void {
  if (!existsSync(CLI) || statSync(CLI).size === 0) {
    throw new Error(`${CLI} is missing: run 'npm run build' (or use 'npm run bench', which builds first)`);
  }
}

/**
 * Whether this build of the CLI has `--reader`. Asked once, from `--help`, because the
 * option is newer than the benchmark: an older CLI would refuse the flag.
 */
export function cliHasReaderOption(): boolean {
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  return `${help.stdout}${help.stderr}`.includes('--reader');
}

/** One measured run; `reader` undefined runs the CLI's default without passing the flag. */
export function runKpiReport(set: ExportSet, reader: Reader | undefined): ProcessSample {
  const args = [CLI, 'run', '--data', set.root, '--quarter', BENCH_QUARTER, '--quiet'];
  if (reader !== undefined) args.push('--reader', reader);
  // The export set's root is the working directory, so no kpi-report.json of the repository applies.
  return measureNodeProcess(`kpi-report run${reader ? ` --reader ${reader}` : ''}`, args, set.root);
}

/** The company values (`kpis.<id>.value`) of the snapshot the last run wrote. */
export function readCompanyValues(set: ExportSet): Record<KpiId, number | null> {
  const snapshotPath = join(set.root, 'reports', BENCH_QUARTER, 'kpis.json');
  const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as {
    kpis?: Partial<Record<KpiId, { value?: number | null }>>;
  };
  return Object.fromEntries(KPI_IDS.map((id) => [id, snapshot.kpis?.[id]?.value ?? null])) as Record<
    KpiId,
    number | null
  >;
}
