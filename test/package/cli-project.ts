/**
 * The installed CLI in the consuming project: run through `npx kpi-report`, as a user runs
 * it there, and a decoy `templates/` folder of the project's own, with a template of every
 * name the package uses, each visibly not the package's: a run that took the project's
 * folder for its built-in templates would write DECOY into its report.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPOSITORY } from './packed-install';

export const DECOY = 'DECOY-TEMPLATE-OF-THE-PROJECT';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npx kpi-report …` in `project`, with its exit code; outside npm's script environment. */
export function kpiReport(project: string, args: readonly string[]): Promise<CliRun> {
  // npm's script variables (npm_config_local_prefix: the repository) must not steer npx.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return new Promise((resolve) => {
    execFile('npx', ['kpi-report', ...args], { cwd: project, env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A `templates/` folder in `project` with every template name the package has, all decoys. */
export async function writeDecoyTemplates(project: string): Promise<void> {
  const builtIn = path.join(REPOSITORY, 'templates');
  const entries = await readdir(builtIn, { recursive: true, withFileTypes: true });
  for (const entry of entries.filter((file) => file.isFile() && file.name.endsWith('.hbs'))) {
    const relative = path.relative(builtIn, path.join(entry.parentPath, entry.name));
    await mkdir(path.dirname(path.join(project, 'templates', relative)), { recursive: true });
    await writeFile(path.join(project, 'templates', relative), `${DECOY}\n`);
  }
}

/** The spec's worked example, copied over the export folder `init` laid out for 2026-Q3. */
export async function copyExampleExports(dataRoot: string): Promise<void> {
  await cp(path.join(REPOSITORY, 'test/fixtures/example/2026-Q3'), path.join(dataRoot, 'exports/2026-Q3'), {
    recursive: true,
  });
}
