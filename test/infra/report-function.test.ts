import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleLambda, INGEST_WORKER_FILE, INGEST_WORKER_SOURCE } from '../../infra/lambda-bundling';
import { FUNCTION_SIZING, REPOSITORY_ROOT, ReportFunction } from '../../infra/report-function';
import { testApp } from './support/infra-app';

/** Synthesises one ReportFunction with real esbuild bundling, as `cdk synth` does, and returns its asset folder. */
function bundledAsset(entry: string): string {
  const app = testApp({}, { bundle: true });
  const stack = new Stack(app, 'Bundled');
  new ReportFunction(stack, 'Function', { entry, description: 'bundling test' });
  const assembly = app.synth();
  const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  return path.join(assembly.directory, assets[0] ?? '');
}

/** `index.mjs` and every chunk it imports statically: the JavaScript a cold start reads. */
function startupJavaScript(assetDir: string): string {
  const seen = new Set<string>();
  const visit = (file: string): string => {
    if (seen.has(file)) return '';
    seen.add(file);
    const text = readFileSync(path.join(assetDir, file), 'utf8');
    // Static imports only (`from"./x.mjs"`, `import"./x.mjs"`); `import("./x.mjs")` is on demand.
    const imported = [...text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.mjs)"/g)].map(
      (match) => match[1] ?? '',
    );
    return text + imported.map(visit).join('');
  };
  return visit('index.mjs');
}

const bytesOf = (text: string) => Buffer.byteLength(text, 'utf8');

/** The run function's asset, synthesised once for the tests that read it. */
let runAssetDir: string | undefined;
const runAsset = () => {
  runAssetDir ??= bundledAsset('functions/run-report/index.ts');
  return runAssetDir;
};
const realWorkerExists = existsSync(path.join(REPOSITORY_ROOT, INGEST_WORKER_SOURCE));

describe('ReportFunction', () => {
  it('bundles the run function as split ESM with the templates and the chart assets beside it', () => {
    // Arrange, Act
    const assetDir = runAsset();

    // Assert
    const files = readdirSync(assetDir);
    expect(files).toEqual(expect.arrayContaining(['assets', 'index.mjs', 'index.mjs.map', 'templates']));
    expect(files.filter((name) => !name.endsWith('.mjs') && !name.endsWith('.mjs.map')).sort()).toEqual([
      'assets',
      'templates',
    ]);
    expect(readdirSync(path.join(assetDir, 'assets')).sort()).toEqual([
      'dejavu-sans-latin-400-normal.woff',
      'dejavu-sans-latin-700-normal.woff',
      'index_bg.wasm',
    ]);
    expect(existsSync(path.join(assetDir, 'templates', 'email.html.hbs'))).toBe(true);
    expect(existsSync(path.join(assetDir, 'templates', 'partials'))).toBe(true);
    expect(files.includes(INGEST_WORKER_FILE)).toBe(realWorkerExists);
    expect(bytesOf(startupJavaScript(assetDir))).toBeGreaterThan(100_000);
  }, 60_000);

  it('keeps Handlebars, nodemailer and resvg out of what the run function loads at a cold start', () => {
    // Arrange, Act
    const assetDir = runAsset();

    // Assert: they are in the asset, in chunks loaded on first use
    const startup = startupJavaScript(assetDir);
    const everything = readdirSync(assetDir)
      .filter((name) => name.endsWith('.mjs'))
      .map((name) => readFileSync(path.join(assetDir, name), 'utf8'))
      .join('');
    for (const marker of ['Handlebars', 'nodemailer', '__wbg_']) {
      expect(everything).toContain(marker);
      expect(startup).not.toContain(marker);
    }
    expect(bytesOf(startup)).toBeLessThanOrEqual(1024 * 1024);
  }, 60_000);

  it('gives the API function neither templates nor chart assets nor the ingest worker', () => {
    // Arrange, Act
    const assetDir = bundledAsset('functions/reports-api/index.ts');

    // Assert
    const files = readdirSync(assetDir);
    expect(files).toContain('index.mjs');
    expect(files.filter((name) => !name.endsWith('.mjs') && !name.endsWith('.mjs.map'))).toEqual([]);
    expect(files).not.toContain(INGEST_WORKER_FILE);
  }, 60_000);

  it('ships the ingest worker with the validate function too, once its source exists', () => {
    // Arrange
    const outdir = mkdtempSync(path.join(tmpdir(), 'kpi-report-validate-'));

    // Act
    const bundle = bundleLambda({
      projectRoot: REPOSITORY_ROOT,
      entry: 'functions/validate-upload/index.ts',
      outdir,
    });

    // Assert
    expect(bundle.ingestWorker).toBe(realWorkerExists);
    expect(existsSync(path.join(outdir, INGEST_WORKER_FILE))).toBe(realWorkerExists);
    expect(bundle.templates || bundle.chartAssets).toBe(false);
    rmSync(outdir, { recursive: true, force: true });
  }, 60_000);
});

describe('ReportFunction sizing', () => {
  it('gives each known handler its measured memory and timeout, and anything else 512 MB and 30 s', () => {
    // Arrange
    const stack = new Stack(testApp(), 'Sized');
    const entries = [
      'functions/run-report/index.ts',
      'functions/validate-upload/index.ts',
      'functions/reports-api/index.ts',
      'functions/map-part/index.ts',
      'functions/reduce-parts/index.ts',
      'functions/resolve-repeats/index.ts',
      'functions/some-new-handler/index.ts',
    ];

    // Act
    const functions = entries.map(
      (entry, i) => new ReportFunction(stack, `Function${i}`, { entry, description: 'sizing test' }),
    );

    // Assert
    const template = Template.fromStack(stack);
    const sizes = functions.map((fn) => {
      const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
      const { MemorySize, Timeout } = template.toJSON().Resources[logicalId].Properties;
      return [MemorySize, Timeout];
    });
    expect(sizes).toEqual([
      [3538, 600],
      [3538, 300],
      [1024, 15],
      [3538, 900],
      [3538, 600],
      [3538, 900],
      [512, 30],
    ]);
    expect(Object.keys(FUNCTION_SIZING).sort()).toEqual(entries.slice(0, -1).sort());
  });

  it('lets explicit memory and timeout win over the measured ones', () => {
    // Arrange
    const stack = new Stack(testApp(), 'Explicit');

    // Act
    new ReportFunction(stack, 'Run', {
      entry: 'functions/run-report/index.ts',
      description: 'sizing test',
      memorySize: 2048,
      timeout: Duration.minutes(15),
    });

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 2048,
      Timeout: 900,
    });
  });
});

describe('bundleLambda', () => {
  const projects: string[] = [];
  afterAll(() => {
    for (const dir of projects) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A tiny project: a handler that (through a lazily imported module, so from a chunk) starts
   * the ingest worker by `new URL('./ingest-worker.mjs', import.meta.url)` and returns its
   * answer (`startsWorker`; that code sits under `src/adapters/workers/`, like the fast
   * reader's), or a handler with code of its own only.
   */
  function workerProject(options: { startsWorker: boolean; workerSource: boolean }): string {
    const root = mkdtempSync(path.join(tmpdir(), 'kpi-report-bundle-'));
    projects.push(root);
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    };
    write(
      'src/core/ingest/rows.ts',
      'export const countRows = (text: string): number => text.split("\\n").length;\n',
    );
    write(
      'src/adapters/workers/start-worker.ts',
      [
        "import { Worker } from 'node:worker_threads';",
        'export function askWorker(text: string): Promise<unknown> {',
        "  const worker = new Worker(new URL('./ingest-worker.mjs', import.meta.url), { workerData: text });",
        "  return new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });",
        '}',
      ].join('\n'),
    );
    write(
      'functions/demo/index.ts',
      options.startsWorker
        ? [
            "import { countRows } from '../../src/core/ingest/rows';",
            'export const handler = async (text: string) => ({',
            '  here: countRows(text),',
            "  worker: await (await import('../../src/adapters/workers/start-worker')).askWorker(text),",
            '});',
          ].join('\n')
        : 'export const handler = async (text: string) => ({ length: text.length });\n',
    );
    if (options.workerSource) {
      write(
        INGEST_WORKER_SOURCE,
        [
          "import { parentPort, workerData } from 'node:worker_threads';",
          "import { countRows } from '../../core/ingest/rows';",
          'parentPort?.postMessage(countRows(workerData as string));',
        ].join('\n'),
      );
    }
    return root;
  }

  it('builds ingest-worker.mjs beside a handler that starts it, startable from a chunk by its URL', () => {
    // Arrange
    const root = workerProject({ startsWorker: true, workerSource: true });
    const outdir = path.join(root, 'out');

    // Act
    const bundle = bundleLambda({ projectRoot: root, entry: 'functions/demo/index.ts', outdir });
    // A script file, not `node -e`: a worker inherits the parent's flags, and `--input-type` fails it.
    const script = path.join(root, 'invoke.mjs');
    writeFileSync(
      script,
      `const { handler } = await import('./out/index.mjs');\nprocess.stdout.write(JSON.stringify(await handler('a\\nb\\nc')));\n`,
    );
    const run = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });

    // Assert
    expect(bundle.ingestWorker).toBe(true);
    expect(readdirSync(outdir)).toContain(INGEST_WORKER_FILE);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ here: 3, worker: 3 });
  }, 60_000);

  it('leaves the worker out of a handler that never starts it, and out of every bundle while its source is absent', () => {
    // Arrange
    const noStarter = workerProject({ startsWorker: false, workerSource: true });
    const noSource = workerProject({ startsWorker: true, workerSource: false });

    // Act
    const withoutStarter = bundleLambda({
      projectRoot: noStarter,
      entry: 'functions/demo/index.ts',
      outdir: path.join(noStarter, 'out'),
    });
    const withoutSource = bundleLambda({
      projectRoot: noSource,
      entry: 'functions/demo/index.ts',
      outdir: path.join(noSource, 'out'),
    });

    // Assert
    expect(withoutStarter.ingestWorker).toBe(false);
    expect(readdirSync(path.join(noStarter, 'out'))).not.toContain(INGEST_WORKER_FILE);
    expect(withoutSource.ingestWorker).toBe(false);
    expect(readdirSync(path.join(noSource, 'out'))).not.toContain(INGEST_WORKER_FILE);
  }, 60_000);
});
