/**
 * Measures one node process from spawn to exit: wall time as the parent sees it (start-up
 * and module loading included, as a user of the CLI waits for them) and the child's own
 * peak RSS, which `report-peak-rss.mjs`, preloaded with `--import`, writes at exit. Both
 * kpi-report and the DuckDB baseline go through here, so they are measured the same way.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PEAK_RSS_PRELOAD = resolve('bench/report-peak-rss.mjs');
/** kpi-report prints a summary table and DuckDB's script one JSON line; neither comes near this. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface ProcessSample {
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly stdout: string;
}

export class MeasuredProcessError extends Error {
  override readonly name = 'MeasuredProcessError';
}

/**
 * Runs `node <args>` in `cwd` and measures it; throws when it exits with another code than
 * `expectedExit` (0: success).
 */
export function measureNodeProcess(
  label: string,
  args: readonly string[],
  cwd: string,
  expectedExit = 0,
): ProcessSample & { readonly stderr: string } {
  const directory = mkdtempSync(join(tmpdir(), 'kpi-bench-'));
  const rssFile = join(directory, 'peak-rss.txt');
  try {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ['--import', PEAK_RSS_PRELOAD, ...args], {
      cwd,
      env: { ...process.env, KPI_BENCH_RSS_FILE: rssFile },
      encoding: 'utf8',
      maxBuffer: MAX_OUTPUT_BYTES,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (child.error) throw new MeasuredProcessError(`${label} could not run: ${child.error.message}`);
    if (child.status !== expectedExit) {
      throw new MeasuredProcessError(
        `${label} failed (exit ${child.status ?? child.signal}):\n${child.stderr}${child.stdout}`,
      );
    }
    return {
      seconds,
      peakRssBytes: Number(readFileSync(rssFile, 'utf8')),
      stdout: child.stdout,
      stderr: child.stderr,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * `measureNodeProcess` without blocking this process, for a child that needs it to answer
 * meanwhile (a local S3 server running here), with `env` added to the child's environment,
 * on the Node.js binary `node` (this one by default).
 */
export async function measureNodeProcessAsync(
  label: string,
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
  node: string = process.execPath,
): Promise<ProcessSample> {
  const directory = mkdtempSync(join(tmpdir(), 'kpi-bench-'));
  const rssFile = join(directory, 'peak-rss.txt');
  try {
    const started = process.hrtime.bigint();
    const child = spawn(node, ['--import', PEAK_RSS_PRELOAD, ...args], {
      cwd,
      env: { ...process.env, ...env, KPI_BENCH_RSS_FILE: rssFile },
    });
    const output = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output.stdout = (output.stdout + text).slice(-MAX_OUTPUT_BYTES);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      output.stderr = (output.stderr + text).slice(-MAX_OUTPUT_BYTES);
    });
    const status = await new Promise<number | string>((resolvePromise, reject) => {
      child.on('error', (error) =>
        reject(new MeasuredProcessError(`${label} could not run: ${error.message}`)),
      );
      child.on('close', (code, signal) => resolvePromise(code ?? String(signal)));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (status !== 0) {
      throw new MeasuredProcessError(`${label} failed (exit ${status}):\n${output.stderr}${output.stdout}`);
    }
    return { seconds, peakRssBytes: Number(readFileSync(rssFile, 'utf8')), stdout: output.stdout };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The middle value (the lower middle for an even count), so one disturbed run does not move it. */
export function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}
