// Bundles the CLI into dist/cli.mjs, the engine's API (the package's root export) into
// dist/index.mjs and the bytes reader's worker thread into dist/ingest-worker.mjs, beside
// them, sharing chunks, so that the package `bin` and `import 'kpi-report'` run without tsx.
// Runs on `npm ci` (the `prepare` script) and before `npm run bench`.
//
// Dependencies are bundled in (not left to node_modules): resolving, reading and
// translating hundreds of package files, CommonJS ones through Node's export lexer, made
// every run start about 0.8 s late. Code splitting keeps what a run reaches only through
// import() (S3, SES, the email side) out of the start-up, as for the Lambda functions.
// Chunks sit beside cli.mjs so that import.meta.url means dist/ in every one of them.
//
// What the bundle reads at run time is copied beside it, in the layout of a Lambda asset
// (infra/lambda-bundling.ts): `templates/`, and `assets/` with the resvg wasm and the chart
// fonts. So the installed package finds them relative to itself, never in node_modules or
// in the folder of the project it is installed in. KPI_BUILD_OUTDIR builds elsewhere (the
// delivery trials build their own copy, so a test run never replaces the dist/ in use).
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const CHART_ASSETS = [
  'node_modules/@resvg/resvg-wasm/index_bg.wasm',
  'node_modules/@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff',
  'node_modules/@fontsource/dejavu-sans/files/dejavu-sans-latin-700-normal.woff',
];

const outdir = process.env.KPI_BUILD_OUTDIR ?? 'dist';
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    cli: 'src/cli/bin.ts',
    // The package's root export (src/api): the engine for apps; scripts/build-api.ts writes its types.
    index: 'src/api/index.ts',
    'ingest-worker': 'src/adapters/workers/ingest-worker.ts',
  },
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
  // Handlebars compiles templates faster without the source-map package (see the stub).
  alias: { 'source-map': './scripts/stubs/source-map.cjs' },
  // The shebang makes cli.mjs the package's `bin`; bundled CommonJS dependencies call require().
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // KPI_BUILD_NO_MINIFY=1 keeps function names readable in CPU profiles.
  minify: process.env.KPI_BUILD_NO_MINIFY !== '1',
  sourcemap: true,
  logLevel: 'warning',
});

cpSync('templates', path.join(outdir, 'templates'), { recursive: true });
mkdirSync(path.join(outdir, 'assets'));
for (const file of CHART_ASSETS) cpSync(file, path.join(outdir, 'assets', path.basename(file)));
