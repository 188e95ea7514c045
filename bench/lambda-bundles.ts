/**
 * The Lambda bundles' size and cold-start cost: each function under `functions/` is bundled
 * exactly as the CDK app deploys it (`bundleLambda` from `infra/lambda-bundling.ts`, the
 * same call the `ReportFunction` construct makes) into a temporary folder, then imported by
 * fresh Node processes. Nothing touches AWS.
 *
 * `npx tsx bench/lambda-bundles.ts` prints the table; `bench/main.ts` imports
 * `measureLambdaBundles`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleLambda } from '../infra/lambda-bundling';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface LambdaBundleMeasurement {
  /** The function's folder under `functions/`, e.g. `run-report`. */
  readonly name: string;
  /**
   * The JavaScript a cold start loads: `index.mjs` plus the chunks it imports statically
   * (chunks loaded on demand by `import()`, source maps and data files not counted).
   */
  readonly bundleBytes: number;
  /** The whole deployment asset: every chunk, the source maps, templates, wasm and fonts. */
  readonly assetBytes: number;
  /** Median time of `node -e "await import('<asset>/index.mjs')"`, minus `emptyScriptMs`. */
  readonly coldImportMs: number;
  /** Median time of `node -e ""`: a process that starts and exits. */
  readonly emptyScriptMs: number;
}

export interface MeasureLambdaBundlesOptions {
  /**
   * Child processes per measurement (the median is kept).
   * @default 7
   */
  readonly runs?: number;
  /**
   * Which functions, by folder name.
   * @default every folder of `functions/` that holds an `index.ts`
   */
  readonly functions?: readonly string[];
}

/**
 * Bundles every Lambda function and measures it (see the module comment). The processes of
 * one round (an empty script, then each bundle) run one after the other, round after round,
 * so a busy machine slows all of them alike. A function that does not bundle (someone's
 * work in progress) is reported on stderr and left out.
 */
export async function measureLambdaBundles(
  options: MeasureLambdaBundlesOptions = {},
): Promise<LambdaBundleMeasurement[]> {
  const runs = options.runs ?? 7;
  const names = options.functions ?? lambdaFunctionNames();
  const workDir = mkdtempSync(path.join(tmpdir(), 'kpi-report-lambda-bundles-'));
  try {
    const bundles: { name: string; bundleBytes: number; assetBytes: number; index: string }[] = [];
    for (const name of names) {
      const outdir = path.join(workDir, name);
      try {
        const bundle = bundleLambda({
          projectRoot: PROJECT_ROOT,
          entry: `functions/${name}/index.ts`,
          outdir,
        });
        bundles.push({
          name,
          bundleBytes: sum(bundle.startupFiles.map((file) => statSync(file).size)),
          assetBytes: folderBytes(outdir),
          index: path.join(outdir, 'index.mjs'),
        });
      } catch (error) {
        process.stderr.write(`lambda-bundles: ${name} does not bundle, left out: ${String(error)}\n`);
      }
    }
    const emptyTimes: number[] = [];
    const importTimes = bundles.map((): number[] => []);
    for (let run = 0; run < runs; run += 1) {
      emptyTimes.push(timeNode(''));
      bundles.forEach((bundle, i) => {
        importTimes[i]?.push(timeNode(`await import(${JSON.stringify(pathToFileURL(bundle.index).href)});`));
      });
    }
    const emptyScriptMs = median(emptyTimes);
    return bundles.map((bundle, i) => ({
      name: bundle.name,
      bundleBytes: bundle.bundleBytes,
      assetBytes: bundle.assetBytes,
      coldImportMs: median(importTimes[i] ?? []) - emptyScriptMs,
      emptyScriptMs,
    }));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Each folder of `functions/` with an `index.ts` is one Lambda function. */
function lambdaFunctionNames(): string[] {
  const root = path.join(PROJECT_ROOT, 'functions');
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(root, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** Wall time of a fresh `node` running `code` as an ES module, in milliseconds. */
function timeNode(code: string): number {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    // No inherited loaders (tsx) or flags: the bundle alone, as Lambda's Node would load it.
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`node -e ${JSON.stringify(code)} failed:\n${child.stderr}`);
  return elapsed;
}

function folderBytes(dir: string): number {
  return sum(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(path.join(entry.parentPath, entry.name)).size),
  );
}

function sum(numbers: readonly number[]): number {
  return numbers.reduce((total, value) => total + value, 0);
}

function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  const rows = await measureLambdaBundles();
  process.stdout.write('\nLambda bundles (startup JS = index.mjs + static chunks)\n');
  for (const row of rows) {
    process.stdout.write(
      `  ${row.name.padEnd(18)} startup JS ${kb(row.bundleBytes).padStart(8)}   asset ${kb(row.assetBytes).padStart(8)}   cold import +${row.coldImportMs.toFixed(0)} ms (empty script ${row.emptyScriptMs.toFixed(0)} ms)\n`,
    );
  }
}
