/**
 * The CLI as users run it, for tests that start it as a process: bundled with its reader
 * worker the way `npm run build` bundles dist/ (esbuild, code splitting, one folder), into
 * test-artifacts/ (gitignored), so that dependencies read from node_modules at run time
 * (the chart rasteriser's wasm and fonts) resolve as they do from dist/, with the built-in
 * templates linked beside it. Built once per test file; a test never depends on a dist/
 * that may be stale.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const ARTIFACTS = path.resolve('test-artifacts');

export interface BundledCli {
  /** Path of cli.mjs. */
  readonly script: string;
  remove(): Promise<void>;
}

export async function bundleCli(): Promise<BundledCli> {
  await mkdir(ARTIFACTS, { recursive: true });
  const outdir = await mkdtemp(path.join(ARTIFACTS, 'bundled-cli-'));
  await build({
    entryPoints: { cli: 'src/cli/bin.ts', 'ingest-worker': 'src/adapters/workers/ingest-worker.ts' },
    outdir,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  // The bundle looks for the built-in templates beside it, as an installed package has them.
  await symlink(path.resolve('templates'), path.join(outdir, 'templates'));
  return {
    script: path.join(outdir, 'cli.mjs'),
    remove: () => rm(outdir, { recursive: true, force: true }),
  };
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bundled CLI with `args` and exactly the environment `env`, in `cwd`. */
export async function runCli(
  cli: BundledCli,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  const env = { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true', ...options.env };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli.script, ...args], {
      env,
      cwd: options.cwd,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
