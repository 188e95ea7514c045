/**
 * How a kpi-report Lambda function is bundled, in one place: the CDK construct
 * (`report-function.ts`) deploys what `bundleLambda` writes, and the bundle benchmark
 * (`bench/lambda-bundles.ts`) measures the very same output.
 *
 * One esbuild build per function: ESM for Node.js 22, minified, with source maps, every
 * dependency bundled (the AWS SDK included, tree-shaken), and code splitting, so that a
 * module the handler reaches only through `import()` (the email rendering: Handlebars,
 * nodemailer, the resvg glue) becomes its own file, read and compiled on first use instead
 * of at every cold start. Chunks sit beside `index.mjs`, not in a subfolder, so that
 * `import.meta.url` means the asset root in every one of them (the templates and chart
 * assets are found relative to it).
 *
 * What goes beside the JavaScript follows from what the bundle contains (esbuild's
 * metafile), so a function carries only the files it can use:
 * - `templates/` when it reads the email templates (`src/adapters/local/template-folder.ts`);
 * - `assets/` (the resvg wasm and the DejaVu Sans fonts) when it draws charts
 *   (`@resvg/resvg-wasm`);
 * - `ingest-worker.mjs`, built from `src/adapters/workers/ingest-worker.ts` when that file
 *   exists, when it reads export sets (`src/use-cases/measure-quarter.ts`, where a reader
 *   plugs in) or holds code that starts the fast reader's workers (`src/adapters/workers/`),
 *   so the main bundle can start it with `new Worker(new URL('./ingest-worker.mjs',
 *   import.meta.url))`. It is a second entry of the same build: code it shares with the
 *   handler lives in shared chunks, once.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';

/**
 * esbuild, loaded when a bundle is built: the published construct (`kpi-report/cdk`) ships
 * its functions prebuilt and must load where esbuild, a devDependency, is not installed.
 */
const requireFromHere = createRequire(import.meta.url);
function buildSync(options: BuildOptions & { metafile: true }) {
  return (requireFromHere('esbuild') as typeof import('esbuild')).buildSync(options);
}

/** The Node.js version the bundle targets: the functions' Lambda runtime. */
export const LAMBDA_NODE_TARGET = 'node22';

/** The worker entry of the fast CSV reader, relative to the project root. */
export const INGEST_WORKER_SOURCE = 'src/adapters/workers/ingest-worker.ts';

/** The worker's file name in the bundle, beside `index.mjs`. */
export const INGEST_WORKER_FILE = 'ingest-worker.mjs';

/** Bundled CommonJS dependencies (nodemailer, Handlebars) call require(); ESM has none of its own. */
const REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The resvg wasm and the fonts, copied to `assets/` (see `src/wiring/email-delivery.ts`). */
const CHART_ASSETS = [
  'node_modules/@resvg/resvg-wasm/index_bg.wasm',
  'node_modules/@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff',
  'node_modules/@fontsource/dejavu-sans/files/dejavu-sans-latin-700-normal.woff',
];

/** Inputs whose presence in a bundle says what it needs beside it (paths as in esbuild's metafile). */
const READS_TEMPLATES = 'src/adapters/local/template-folder.ts';
const DRAWS_CHARTS = 'node_modules/@resvg/resvg-wasm/';
const READS_EXPORT_SETS = ['src/use-cases/measure-quarter.ts', 'src/adapters/workers/'];

export interface LambdaBundleRequest {
  /** The folder holding `functions/`, `src/`, `templates/` and `node_modules/`. */
  readonly projectRoot: string;
  /** The handler's entry file, relative to `projectRoot`, e.g. `functions/run-report/index.ts`. */
  readonly entry: string;
  /** Where the bundle goes; emptied first. */
  readonly outdir: string;
  /**
   * Whether to build `ingest-worker.mjs` beside the handler (only ever when its source exists).
   * @default - when the handler's bundle reads export sets or starts the reader's workers
   */
  readonly ingestWorker?: boolean;
}

export interface LambdaBundle {
  /** The folder the bundle was written to. */
  readonly outdir: string;
  /** `index.mjs` and the chunks it imports statically: the JavaScript every cold start loads. */
  readonly startupFiles: readonly string[];
  /** Every JavaScript file of the bundle (chunks loaded on demand and the worker included). */
  readonly javascriptFiles: readonly string[];
  /** Whether `ingest-worker.mjs` was built. */
  readonly ingestWorker: boolean;
  /** Whether `templates/` was copied. */
  readonly templates: boolean;
  /** Whether `assets/` (wasm and fonts) was copied. */
  readonly chartAssets: boolean;
  /** esbuild's metafile for the build, for `esbuild --analyze`-style breakdowns. */
  readonly metafile: Metafile;
}

/** The esbuild options of a Lambda bundle: exported so that every build of one is the same build. */
export function lambdaBuildOptions(options: {
  readonly projectRoot: string;
  readonly entry: string;
  readonly outdir: string;
  readonly ingestWorker: boolean;
}): BuildOptions & { metafile: true } {
  const { projectRoot } = options;
  return {
    absWorkingDir: projectRoot,
    entryPoints: {
      index: path.resolve(projectRoot, options.entry),
      ...(options.ingestWorker && {
        [path.basename(INGEST_WORKER_FILE, '.mjs')]: path.resolve(projectRoot, INGEST_WORKER_SOURCE),
      }),
    },
    outdir: options.outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_NODE_TARGET,
    mainFields: ['module', 'main'],
    // Handlebars compiles templates faster without the source-map package (see the stub).
    alias: { 'source-map': './scripts/stubs/source-map.cjs' },
    banner: { js: REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  };
}

/**
 * Bundles one handler into `outdir`, with the files it needs beside it (see the module
 * comment). Synchronous, because CDK's local bundling is.
 */
export function bundleLambda(request: LambdaBundleRequest): LambdaBundle {
  const { projectRoot, outdir } = request;
  const workerExists = existsSync(path.join(projectRoot, INGEST_WORKER_SOURCE));
  const build = (ingestWorker: boolean) => {
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    return buildSync(lambdaBuildOptions({ ...request, ingestWorker })).metafile;
  };

  let ingestWorker = workerExists && request.ingestWorker !== false;
  let metafile = build(ingestWorker);
  const handlerInputs = () => inputsOf(metafile, projectRoot, path.join(outdir, 'index.mjs'), 'all');
  if (ingestWorker && request.ingestWorker === undefined) {
    ingestWorker = handlerInputs().some((input) => READS_EXPORT_SETS.some((path) => input.startsWith(path)));
    if (!ingestWorker) metafile = build(false);
  }

  const inputs = handlerInputs();
  const templates = inputs.includes(READS_TEMPLATES);
  if (templates)
    cpSync(path.join(projectRoot, 'templates'), path.join(outdir, 'templates'), { recursive: true });
  const chartAssets = inputs.some((input) => input.startsWith(DRAWS_CHARTS));
  if (chartAssets) {
    mkdirSync(path.join(outdir, 'assets'));
    for (const file of CHART_ASSETS) {
      cpSync(path.join(projectRoot, file), path.join(outdir, 'assets', path.basename(file)));
    }
  }
  return {
    outdir,
    startupFiles: outputsFrom(metafile, projectRoot, path.join(outdir, 'index.mjs'), 'static'),
    javascriptFiles: readdirSync(outdir)
      .filter((name) => name.endsWith('.mjs'))
      .map((name) => path.join(outdir, name)),
    ingestWorker,
    templates,
    chartAssets,
    metafile,
  };
}

/**
 * The output files `from` loads: itself and the chunks it imports, following static imports
 * only (what a cold start reads) or dynamic ones too (everything it may ever read).
 */
function outputsFrom(
  metafile: Metafile,
  projectRoot: string,
  from: string,
  follow: 'static' | 'all',
): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const output = metafile.outputs[path.relative(projectRoot, file)];
    for (const imported of output?.imports ?? []) {
      if (imported.external) continue;
      if (imported.kind === 'import-statement' || (follow === 'all' && imported.kind === 'dynamic-import')) {
        visit(path.resolve(projectRoot, imported.path));
      }
    }
  };
  visit(from);
  return [...seen];
}

/** The source files (relative to the project root, as esbuild names them) in what `from` loads. */
function inputsOf(metafile: Metafile, projectRoot: string, from: string, follow: 'static' | 'all'): string[] {
  return outputsFrom(metafile, projectRoot, from, follow).flatMap((file) =>
    Object.keys(metafile.outputs[path.relative(projectRoot, file)]?.inputs ?? {}),
  );
}
