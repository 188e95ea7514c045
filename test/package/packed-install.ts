/**
 * The package as a user gets it, made once for every test of test/package (packing takes
 * minutes): built by its own build scripts into a staging copy (the dist/ in use is never
 * replaced), packed by `npm pack`, and installed into an empty project outside the
 * repository, so nothing of the repository's node_modules, esbuild included, can be found
 * from it. The project also gets the CDK, TypeScript and Node types its package.json would
 * install, linked from the repository's node_modules.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const REPOSITORY = path.resolve('.');
/** The consuming project's own dependencies, as its package.json would install them. */
const CONSUMER_DEPENDENCIES = ['aws-cdk-lib', 'constructs', 'typescript', '@types/node'];

export interface PackedInstall {
  /** The files `npm pack` put in the tarball. */
  readonly packedFiles: readonly string[];
  /** The consuming project: `node_modules/kpi-report` installed from the tarball. */
  readonly consumer: string;
  remove(): Promise<void>;
}

export async function packAndInstall(): Promise<PackedInstall> {
  await mkdir(path.join(REPOSITORY, 'test-artifacts'), { recursive: true });
  const staging = await mkdtemp(path.join(REPOSITORY, 'test-artifacts', 'package-'));
  for (const file of ['package.json', 'README.md', 'LICENSE']) {
    await copyFile(path.join(REPOSITORY, file), path.join(staging, file));
  }
  // Relative to the repository, as `npm run build`'s own `dist` is.
  const env = { ...process.env, KPI_BUILD_OUTDIR: path.relative(REPOSITORY, path.join(staging, 'dist')) };
  await run(process.execPath, ['scripts/build.mjs'], { cwd: REPOSITORY, env });
  for (const script of ['scripts/build-cdk.ts', 'scripts/build-api.ts']) {
    await run(process.execPath, ['--import', 'tsx', script], { cwd: REPOSITORY, env });
  }
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', staging], {
    cwd: staging,
  });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (packed === undefined) throw new Error('npm pack packed nothing');

  const consumer = await mkdtemp(path.join(tmpdir(), 'kpi-report-consumer-'));
  await writeFile(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const tarball = path.join(staging, packed.filename);
  await run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], {
    cwd: consumer,
  });
  for (const name of CONSUMER_DEPENDENCIES) {
    await mkdir(path.dirname(path.join(consumer, 'node_modules', name)), { recursive: true });
    await symlink(path.join(REPOSITORY, 'node_modules', name), path.join(consumer, 'node_modules', name));
  }
  return {
    packedFiles: packed.files.map((file) => file.path),
    consumer,
    async remove() {
      await rm(staging, { recursive: true, force: true });
      await rm(consumer, { recursive: true, force: true });
    },
  };
}
