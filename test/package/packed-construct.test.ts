/**
 * The construct as another CDK app gets it: the package built by its own build scripts,
 * packed by `npm pack`, installed into an empty project outside the repository (so nothing
 * of the repository's node_modules, esbuild included, can be found from it), imported as
 * `kpi-report/cdk` by a TypeScript app compiled with `module: NodeNext`, and synthesised:
 * two instances, whose functions are the ones bundled at build time.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPOSITORY = path.resolve('.');
/** The app's own CDK, TypeScript and Node types, as its package.json would install them. */
const CONSUMER_DEPENDENCIES = ['aws-cdk-lib', 'constructs', 'typescript', '@types/node'];

const CONSUMER_APP = `import { App, Duration, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { QuarterlyKpiReports, type QuarterlyKpiReportsProps } from 'kpi-report/cdk';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'eu-west-1' } });
const props: QuarterlyKpiReportsProps = {
  senderEmail: 'kpi@acme.example',
  recipients: [{ address: 'ceo@acme.example', name: 'Alex' }],
  configuration: { companyName: 'Acme', targets: { netPromoterScore: { value: 40 } } },
  logRetention: logs.RetentionDays.SIX_MONTHS,
  functionSizing: { run: { memorySize: 2048, timeout: Duration.minutes(8) } },
};
new QuarterlyKpiReports(stack, 'Finance', props);
new QuarterlyKpiReports(stack, 'Sales', { ...props, dataPrefix: 'sales', apiThrottling: { rateLimit: 2 } });

// The declarations are real types, not any: each of these must be refused.
// @ts-expect-error logRetention is a logs.RetentionDays
const wrongRetention: QuarterlyKpiReportsProps = { logRetention: 'forever' };
// @ts-expect-error currency is a string in the written-out configuration type
const wrongCurrency: QuarterlyKpiReportsProps = { configuration: { currency: 978 } };
void wrongRetention;
void wrongCurrency;

app.synth();
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    outDir: 'build',
  },
  include: ['main.ts'],
};

let staging: string;
let consumer: string;
let packedFiles: string[];

beforeAll(async () => {
  // Arrange: build into a staging copy of the package, pack it, install it elsewhere.
  await mkdir(path.join(REPOSITORY, 'test-artifacts'), { recursive: true });
  staging = await mkdtemp(path.join(REPOSITORY, 'test-artifacts', 'package-'));
  for (const file of ['package.json', 'README.md', 'LICENSE']) {
    await copyFile(path.join(REPOSITORY, file), path.join(staging, file));
  }
  const env = { ...process.env, KPI_BUILD_OUTDIR: path.join(staging, 'dist') };
  await run(process.execPath, ['scripts/build.mjs'], { cwd: REPOSITORY, env });
  await run(process.execPath, ['--import', 'tsx', 'scripts/build-cdk.ts'], { cwd: REPOSITORY, env });
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', staging], {
    cwd: staging,
  });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (packed === undefined) throw new Error('npm pack packed nothing');
  packedFiles = packed.files.map((file) => file.path);

  consumer = await mkdtemp(path.join(tmpdir(), 'kpi-report-consumer-'));
  await writeFile(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  await run(
    'npm',
    [
      'install',
      '--offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      path.join(staging, packed.filename),
    ],
    { cwd: consumer },
  );
  for (const name of CONSUMER_DEPENDENCIES) {
    await mkdir(path.dirname(path.join(consumer, 'node_modules', name)), { recursive: true });
    await symlink(path.join(REPOSITORY, 'node_modules', name), path.join(consumer, 'node_modules', name));
  }
  await writeFile(path.join(consumer, 'main.ts'), CONSUMER_APP);
  await writeFile(path.join(consumer, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
}, 600_000);

afterAll(async () => {
  await rm(staging, { recursive: true, force: true });
  await rm(consumer, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the construct built, with its declarations and its functions, and no sources', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'dist/cli.mjs',
        'dist/cdk/index.mjs',
        'dist/cdk/index.d.ts',
        'dist/cdk/types/quarterly-kpi-reports.d.ts',
        'dist/cdk/functions/run-report/index.mjs',
        'dist/cdk/functions/run-report/templates/email.html.hbs',
      ]),
    );
    expect(packedFiles.filter((file) => /^(src|infra|functions)\//.test(file))).toEqual([]);
  });

  it('is imported as kpi-report/cdk by a NodeNext TypeScript app, which compiles and synthesises two instances', async () => {
    // Act
    await run(process.execPath, [path.join(consumer, 'node_modules/typescript/bin/tsc'), '-p', consumer], {
      cwd: consumer,
    });
    await run(process.execPath, ['build/main.js'], { cwd: consumer });

    // Assert: fourteen functions (seven each), each deployed from a bundle made at build time.
    const template = JSON.parse(
      await readFile(path.join(consumer, 'cdk.out', 'Consumer.template.json'), 'utf8'),
    ) as {
      Resources: Record<
        string,
        { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }
      >;
    };
    const functions = Object.entries(template.Resources).filter(
      ([, resource]) =>
        resource.Type === 'AWS::Lambda::Function' && resource.Properties.Runtime === 'nodejs22.x',
    );
    expect(functions).toHaveLength(14);
    const runFunctions = functions.filter(([id]) => /RunFunction/.test(id));
    expect(runFunctions.map(([, fn]) => fn.Properties.MemorySize)).toEqual([2048, 2048]);
    const assets = JSON.parse(
      await readFile(path.join(consumer, 'cdk.out', 'Consumer.assets.json'), 'utf8'),
    ) as {
      files: Record<string, { source: { path: string } }>;
    };
    for (const [, fn] of runFunctions) {
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      const asset = assets.files[key.replace(/\.zip$/, '')]?.source.path ?? `no asset for ${key}`;
      const files = await readdir(path.join(consumer, 'cdk.out', asset));
      expect(files).toEqual(expect.arrayContaining(['index.mjs', 'templates', 'assets']));
    }
  }, 300_000);
});
