/**
 * The conventions that only a process shows: the bundled CLI's version, output into a pipe
 * its reader closes early (`kpi-report backfill | head -1`), and a run from a folder with
 * no configuration.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundledCli, bundleCli, runCli } from '../support/bundled-cli';
import { cloneFixture, createDataRoot, createExports, removeDataRoots } from '../support/export-fixtures';

let cli: BundledCli;

beforeAll(async () => {
  cli = await bundleCli();
}, 120_000);

afterAll(async () => {
  await cli.remove();
  await removeDataRoots();
});

describe('the bundled kpi-report as a process', () => {
  it('loads neither the AWS SDK nor the MIME composer to start: they come with an S3 location or a message', () => {
    // Arrange: the modules cli.mjs imports statically, and the sources their maps list.
    const folder = path.dirname(cli.script);
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const code = readFileSync(path.join(folder, file), 'utf8');
      for (const match of code.matchAll(/(?:import|export)\s*(?:[^'"]*?from\s*)?["']\.\/([^"']+)["']/g)) {
        visit(match[1] as string);
      }
    };

    // Act
    visit('cli.mjs');
    const sources = [...loaded].flatMap(
      (file) =>
        (JSON.parse(readFileSync(path.join(folder, `${file}.map`), 'utf8')) as { sources: string[] }).sources,
    );

    // Assert: the bundle is split (those modules are chunks of their own), and start-up skips them.
    expect(sources.some((source) => source.includes('src/core/readers/bytes/'))).toBe(true);
    for (const lazy of ['@aws-sdk/client-s3/', '@aws-sdk/client-ses/', 'nodemailer/', '@smithy/']) {
      expect(sources.filter((source) => source.includes(`node_modules/${lazy}`))).toEqual([]);
    }
  });

  it('prints the version of package.json', async () => {
    // Arrange
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

    // Act
    const result = await runCli(cli, ['--version']);

    // Assert
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits 0 quietly when its reader closes the pipe after one line (backfill | head -1)', async () => {
    // Arrange: three quarters, so that lines are still to come after the first.
    const data = await cloneFixture('example');
    for (const quarter of ['2025-Q4', '2026-Q1', '2026-Q2']) {
      await cp(path.join(data, 'exports', '2026-Q3'), path.join(data, 'exports', quarter), {
        recursive: true,
      });
    }
    const config = path.join(data, 'config.json');
    await writeFile(config, JSON.stringify({ rejectLimitPercent: 50, minRowsInPeriodPercent: 0 }));

    // Act: a real pipe into head; the shell reports kpi-report's own exit code.
    const pipeline = `"${process.execPath}" "${cli.script}" backfill --data "${data}" --config "${config}" --quiet | head -1; exit \${PIPESTATUS[0]}`;
    const { stdout, stderr } = await promisify(execFile)('bash', ['--norc', '--noprofile', '-c', pipeline], {
      env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true' },
    });

    // Assert: execFile rejects on a non-zero exit, so reaching here means exit 0.
    expect(stdout).toBe(`2025-Q4: wrote ${data}/reports/2025-Q4/kpis.json\n`);
    expect(stderr).toBe('');
  }, 60_000);

  it('leaves no rejects file under the name asked for when killed while writing it', async () => {
    // Arrange: 200,000 interactions, every one rejected (an unknown channel).
    const data = await createExports({
      '2026-Q3': {
        'clients.csv': [
          ['client_id', 'customer_since'],
          ['A', '2020-01-01'],
        ],
        'interactions.csv': `interaction_id,client_id,occurred_at,channel\n${Array.from(
          { length: 200_000 },
          (_, i) => `I${i},A,2026-07-01,phone\n`,
        ).join('')}`,
      },
    });
    const folder = await createDataRoot();
    const rejects = path.join(folder, 'rejects.csv');
    const child = spawn(
      process.execPath,
      [cli.script, 'validate', '--data', data, '--quarter', '2026-Q3', '--rejects', rejects, '--quiet'],
      {
        env: { PATH: process.env.PATH ?? '' },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );

    // Act: killed once rows of the list are on disk (its first batch written).
    const written = async () => {
      const [name] = await readdir(folder);
      return name !== undefined && (await stat(path.join(folder, name))).size > 0;
    };
    while (!(await written())) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    const signal = await exited;

    // Assert: only the partial copy is left, under a name of its own.
    expect(signal).toBe('SIGKILL');
    const left = await readdir(folder);
    expect(left).not.toContain('rejects.csv');
    expect(left).toEqual([expect.stringMatching(/^\.rejects\.csv\.\d+\.partial$/)]);
  }, 60_000);

  it('says the defaults are used when run from a folder without kpi-report.json', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const elsewhere = await createDataRoot();

    // Act
    const result = await runCli(cli, ['validate', '--data', data, '--quarter', '2026-Q3'], {
      cwd: elsewhere,
    });

    // Assert: the defaults' 1% limit fails the worked example.
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^Configuration: none \\(no kpi-report\\.json in ${elsewhere} and no --config\\), so the defaults are used\n`,
      ),
    );
  }, 60_000);
});
