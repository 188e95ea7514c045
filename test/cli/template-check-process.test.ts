/**
 * A misspelt field in a custom template, as an operator meets it: `kpi-report run` in its
 * own process stops at start-up with exit 2, names the file, line and the field meant, and
 * leaves the data root byte for byte as it was.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cloneFixture,
  createDataRoot,
  filesUnder,
  hashFiles,
  removeDataRoots,
  writeConfigFile,
} from '../support/export-fixtures';

const execute = promisify(execFile);

/** Runs `kpi-report` from source in a child process; resolves with its exit code and output. */
async function kpiReport(args: readonly string[]) {
  try {
    const { stdout, stderr } = await execute(process.execPath, [
      '--import',
      'tsx',
      'src/cli/bin.ts',
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

afterEach(async () => {
  await removeDataRoots();
});

describe('kpi-report run with a misspelt field in a custom template', () => {
  it('exits 2 before any work, naming file, line, column and the field meant, and changes no byte of the data root', async () => {
    // Arrange: a quarter already published, then a custom plain-text part with a slip on line 3
    const data = await cloneFixture('example');
    const run = async (config: unknown, ...extra: string[]) =>
      kpiReport([
        'run',
        '--data',
        data,
        '--quarter',
        '2026-Q3',
        '--config',
        await writeConfigFile(config),
        ...extra,
      ]);
    const published = await run({ rejectLimitPercent: 50 }, '--quiet');
    expect(published.code).toBe(0);
    const templates = path.join(await createDataRoot(), 'my-templates');
    await mkdir(templates);
    await writeFile(
      path.join(templates, 'email.txt.hbs'),
      '{{companyName}} · {{quarter}}\n\n  {{greting}}\n',
    );
    const before = await hashFiles(data);
    expect(await filesUnder(data, 'reports/2026-Q3')).toContain('kpis.json');

    // Act
    const result = await run({
      rejectLimitPercent: 50,
      email: { templateDir: templates, recipients: [{ address: 'ceo@example.com' }] },
    });

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `template ${path.join(templates, 'email.txt.hbs')}, line 3, column 5: {{greting}}: no field 'greting' at the top level; did you mean 'greeting'? Fields here: subject, preheader, summary,`,
    );
    expect(result.stdout).toBe('');
    expect(await hashFiles(data)).toEqual(before);
  }, 120_000);
});
