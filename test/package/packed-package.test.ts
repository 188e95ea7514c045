/**
 * The package as a user gets it (packed-install.ts: built, packed and installed into an
 * empty project outside the repository, once for all of these): what it ships; the CLI run
 * there with `npx kpi-report` (--version, init, backfill, run), beside a decoy `templates/`
 * folder of the project it must not take for its own; the engine's API imported as
 * `kpi-report` by a NodeNext TypeScript app, which gets the CLI's figures; and the
 * construct imported as `kpi-report/cdk` by a NodeNext CDK app, which synthesises.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEml } from '../support/read-eml';
import { API_APP, API_TSCONFIG } from './api-consumer';
import { copyExampleExports, DECOY, kpiReport, writeDecoyTemplates } from './cli-project';
import { CONSTRUCT_APP, CONSTRUCT_TSCONFIG, type SynthesisedTemplate } from './construct-consumer';
import { type PackedInstall, packAndInstall, REPOSITORY, run } from './packed-install';

const DATASETS = ['clients', 'interactions', 'services', 'surveys', 'support_costs'];

let installed: PackedInstall;
let consumer: string;

beforeAll(async () => {
  installed = await packAndInstall();
  consumer = installed.consumer;
}, 600_000);

afterAll(async () => {
  await installed?.remove();
});

describe('the packed package', () => {
  it('ships the CLI, the API and the construct built, with their declarations and assets, and no sources', () => {
    expect(installed.packedFiles).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'dist/cli.mjs',
        'dist/ingest-worker.mjs',
        'dist/templates/email.html.hbs',
        'dist/assets/index_bg.wasm',
        'dist/index.mjs',
        'dist/index.d.ts',
        'dist/types/api/index.d.ts',
        'dist/types/api/snapshot.d.ts',
        'dist/types/core/ports.d.ts',
        'dist/cdk/index.mjs',
        'dist/cdk/index.d.ts',
        'dist/cdk/types/quarterly-kpi-reports.d.ts',
        'dist/cdk/functions/run-report/index.mjs',
        'dist/cdk/functions/run-report/templates/email.html.hbs',
      ]),
    );
    expect(
      installed.packedFiles.filter((file) => !/^(dist\/|LICENSE$|README\.md$|package\.json$)/.test(file)),
    ).toEqual([]);
    // The API's declarations are only those it reaches: none of the engine's internals.
    expect(installed.packedFiles.filter((file) => file.startsWith('dist/types/')).sort()).toEqual([
      'dist/types/api/compute-quarter.d.ts',
      'dist/types/api/index.d.ts',
      'dist/types/api/settings.d.ts',
      'dist/types/api/snapshot.d.ts',
      'dist/types/api/stores.d.ts',
      'dist/types/core/errors.d.ts',
      'dist/types/core/ports.d.ts',
    ]);
  });
});

describe('the installed CLI, in a project with a templates/ folder of its own', () => {
  beforeAll(async () => {
    await writeDecoyTemplates(consumer);
  });

  it('prints its version: the package.json one', async () => {
    const { version } = JSON.parse(await readFile(path.join(REPOSITORY, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await kpiReport(consumer, ['--version']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim()).toBe(version);
  }, 120_000);

  it('init writes the starter configuration and the export folder layout', async () => {
    // Act
    const result = await kpiReport(consumer, ['init']);

    // Assert: a header-only CSV per dataset, for the last completed quarter.
    expect(result.code, result.stderr).toBe(0);
    const config = JSON.parse(await readFile(path.join(consumer, 'kpi-report.json'), 'utf8')) as {
      $schema: string;
    };
    expect(config.$schema).toBe('./kpi-report.schema.json');
    await readFile(path.join(consumer, 'kpi-report.schema.json'), 'utf8');
    const [quarter, ...others] = await readdir(path.join(consumer, 'data/exports'));
    expect(others).toEqual([]);
    expect(quarter).toMatch(/^\d{4}-Q[1-4]$/);
    const folder = path.join(consumer, 'data/exports', quarter as string);
    expect((await readdir(folder)).sort()).toEqual(DATASETS.map((name) => `${name}.csv`).sort());
    const clients = await readFile(path.join(folder, 'clients.csv'), 'utf8');
    expect(clients.split('\n')).toEqual([expect.stringMatching(/^client_id,customer_since,/), '']);

    // Arrange the next steps: the worked example (2026-Q3) in that layout, whatever quarter
    // today's init laid out, and the configuration a team would edit.
    if (quarter !== '2026-Q3') await rm(folder, { recursive: true });
    await copyExampleExports(path.join(consumer, 'data'));
    await writeFile(
      path.join(consumer, 'kpi-report.json'),
      JSON.stringify({
        ...config,
        companyName: 'Acme',
        rejectLimitPercent: 50,
        email: { recipients: [{ address: 'ceo@acme.example', name: 'Alex' }] },
      }),
    );
  }, 120_000);

  it('backfill computes every quarter that has an export set', async () => {
    const result = await kpiReport(consumer, ['backfill']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Configuration: ${path.join(consumer, 'kpi-report.json')}`);
    expect(result.stdout).toContain('2026-Q3: wrote');
    await readFile(path.join(consumer, 'data/reports/2026-Q3/kpis.json'), 'utf8');
  }, 120_000);

  it('run writes kpis.json and the report with the built-in templates, not the project’s', async () => {
    // Act
    const result = await kpiReport(consumer, ['run', '--quarter', '2026-Q3']);

    // Assert
    expect(result.code, result.stderr).toBe(0);
    const reports = path.join(consumer, 'data/reports/2026-Q3');
    const snapshot = JSON.parse(await readFile(path.join(reports, 'kpis.json'), 'utf8')) as {
      companyName: string;
    };
    expect(snapshot.companyName).toBe('Acme');
    const html = await readFile(path.join(reports, 'report.html'), 'utf8');
    expect(html).toContain('Net Promoter Score');
    expect(result.stdout).toContain('written to the outbox');
    for (const file of ['report.html', 'report.txt']) {
      expect(await readFile(path.join(reports, file), 'utf8'), file).not.toContain(DECOY);
    }
    const message = await readEml(await readFile(path.join(reports, 'report-ceo@acme.example.eml')));
    expect(message.subject).toContain('Acme');
    expect([message.subject, message.text, message.html].join('\n')).not.toContain(DECOY);
  }, 120_000);
});

describe('the engine API, imported as kpi-report by a NodeNext TypeScript app', () => {
  it('type-checks with skipLibCheck off and computes the figures the CLI wrote', async () => {
    // Arrange: the CLI's kpis.json, written by the run above.
    const written = JSON.parse(
      await readFile(path.join(consumer, 'data/reports/2026-Q3/kpis.json'), 'utf8'),
    ) as Record<string, unknown>;
    await writeFile(path.join(consumer, 'api.ts'), API_APP);
    await writeFile(path.join(consumer, 'tsconfig.api.json'), JSON.stringify(API_TSCONFIG));

    // Act
    const tsc = path.join(consumer, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.api.json'], { cwd: consumer });
    const { stdout } = await run(process.execPath, ['build-api/api.js'], { cwd: consumer });

    // Assert
    const output = JSON.parse(stdout) as {
      problems: string[];
      nps: number | null;
      settingsError: string;
      kpis: unknown;
      segments: unknown;
    };
    expect(output.problems).toEqual([
      expect.stringMatching(/^interactions: .*over the 1% limit/),
      expect.anything(),
      expect.anything(),
    ]);
    expect(output.settingsError).toMatch(/timeZone: not an IANA time zone/);
    expect(output.kpis).toEqual(written.kpis);
    expect(output.segments).toEqual(written.segments);
    expect(output.nps).toBe((written.kpis as { netPromoterScore: { value: number } }).netPromoterScore.value);
  }, 120_000);
});

describe('the construct, imported as kpi-report/cdk by a NodeNext CDK app', () => {
  it('compiles and synthesises two instances, whose functions are the ones bundled at build time', async () => {
    // Arrange
    await writeFile(path.join(consumer, 'main.ts'), CONSTRUCT_APP);
    await writeFile(path.join(consumer, 'tsconfig.json'), JSON.stringify(CONSTRUCT_TSCONFIG));

    // Act
    await run(process.execPath, [path.join(consumer, 'node_modules/typescript/bin/tsc'), '-p', consumer], {
      cwd: consumer,
    });
    await run(process.execPath, ['build/main.js'], { cwd: consumer });

    // Assert: fourteen functions (seven each), each deployed from a bundle made at build time.
    const template = JSON.parse(
      await readFile(path.join(consumer, 'cdk.out', 'Consumer.template.json'), 'utf8'),
    ) as SynthesisedTemplate;
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
