// Bundles the CLI into dist/cli.mjs (and the fast reader's worker thread into
// dist/ingest-worker.mjs, next to it) so that the package `bin` runs without tsx.
// Runs on `npm ci` (the `prepare` script) and before `npm run bench`.
import { build } from 'esbuild';

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...shared,
    entryPoints: ['src/cli/bin.ts'],
    outfile: 'dist/cli.mjs',
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({
    ...shared,
    entryPoints: ['src/adapters/workers/ingest-worker.ts'],
    outfile: 'dist/ingest-worker.mjs',
  }),
]);
