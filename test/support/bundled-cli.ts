/**
 * The CLI as users run it, for tests that start it as a process: built by the project's
 * own build script (scripts/build.mjs, as `npm run build` builds dist/), but in a folder
 * of test-artifacts/ (gitignored) that links src/, node_modules/ and templates/, so the
 * bundle finds what it reads at run time (the built-in templates, the chart rasteriser's
 * wasm and fonts) as dist/ does. Built once per test file; a test never depends on a
 * dist/ that may be stale.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const ARTIFACTS = path.resolve('test-artifacts');

export interface BundledCli {
  /** Path of cli.mjs. */
  readonly script: string;
  remove(): Promise<void>;
}

export async function bundleCli(): Promise<BundledCli> {
  await mkdir(ARTIFACTS, { recursive: true });
  const project = await mkdtemp(path.join(ARTIFACTS, 'bundled-cli-'));
  for (const folder of ['src', 'node_modules', 'templates']) {
    await symlink(path.resolve(folder), path.join(project, folder));
  }
  await promisify(execFile)(process.execPath, [path.resolve('scripts/build.mjs')], { cwd: project });
  return {
    script: path.join(project, 'dist', 'cli.mjs'),
    remove: () => rm(project, { recursive: true, force: true }),
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
