/**
 * The `kpi-report` command line: `main(argv, env)` against a local data root, with
 * stdout and stderr captured. Exit codes: 0 success, 1 the export set cannot be reported
 * on, 2 a usage or configuration mistake.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { type Captured, captureOutput } from '../support/capture-output';
import { testClock } from '../support/cli-clock';
import {
  cloneFixture,
  createDataRoot,
  createExports,
  type ExportFiles,
  filesUnder,
  hashExports,
  removeDataRoots,
  writeConfigFile,
} from '../support/export-fixtures';

/** A clean export set: two clients, one independent. */
function cleanSet(day: string): ExportFiles {
  return {
    'clients.csv': [
      ['client_id', 'customer_since'],
      ['A', '2020-01-01'],
      ['B', '2020-01-01'],
    ],
    'interactions.csv': [
      ['interaction_id', 'client_id', 'occurred_at', 'channel'],
      ['I1', 'A', day, 'self_service'],
      ['I2', 'B', day, 'assisted'],
    ],
  };
}

let output: Captured;

beforeEach(() => {
  // A kpi-report.json in the working directory would silently replace the defaults.
  expect(existsSync('kpi-report.json'), 'no kpi-report.json in the working directory').toBe(false);
  output = captureOutput();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await removeDataRoots();
});

describe('kpi-report run', () => {
  it('prints the summary table and where it wrote, and exits 0, on the worked example with a 50% limit', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const config = await writeConfigFile({ rejectLimitPercent: 50 });

    // Act
    const code = await main(
      ['run', '--data', data, '--quarter', '2026-Q3', '--config', config, '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(0);
    expect(output.stdout()).toContain('Client Independence Rate');
    expect(output.stdout()).toContain('33.3%');
    expect(output.stdout()).toContain(`Wrote ${data}/reports/2026-Q3/kpis.json`);
    expect(output.stderr()).toBe('');
    expect(existsSync(path.join(data, 'reports', '2026-Q3', 'kpis.json'))).toBe(true);
  });

  it('exits 1 with the problems and the path of validation.json on the worked example with defaults', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const before = await hashExports(data);

    // Act
    const code = await main(['run', '--data', data, '--quarter', '2026-Q3', '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(1);
    expect(output.stderr()).toContain('interactions: 4 of 19 rows (21.1%) were rejected, over the 1% limit');
    expect(output.stderr()).toContain(`The findings are in ${data}/reports/2026-Q3/validation.json`);
    expect(output.stdout()).not.toContain('Wrote');
    expect(await filesUnder(data, 'reports')).toEqual(['2026-Q3/validation.json']);
    expect(await hashExports(data)).toEqual(before);
  });

  it('states the period and the rows read in it before the KPI table', async () => {
    // Arrange
    const data = await createExports({ '2026-Q3': cleanSet('2026-08-01') });

    // Act
    const code = await main(['run', '--data', data, '--quarter', '2026-Q3', '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(0);
    const stdout = output.stdout();
    const period = stdout.indexOf('Export set 2026-Q3: 2026-07-01 to 2026-09-30 (UTC; calendar quarters)');
    expect(period).toBe(0);
    expect(stdout).toContain('  clients: 2 rows, 0 rejected (0.00%); 2 active in the period\n');
    expect(stdout).toContain(
      '  interactions: 2 rows, 0 rejected (0.00%); 2 of 2 dated rows in the period (100.0%), dated 2026-08-01 to 2026-08-01\n',
    );
    expect(stdout.indexOf('Client Independence Rate')).toBeGreaterThan(period);
  });

  it('exits 2 for a quarter that has not ended, reading and writing nothing, and runs it with --allow-open-quarter', async () => {
    // Arrange
    const data = await createExports({ '2099-Q1': cleanSet('2099-02-01') });
    const before = await hashExports(data);

    // Act
    const refused = await main(['run', '--data', data, '--quarter', '2099-Q1', '--quiet'], {}, testClock);
    const refusal = output.stderr();
    const allowed = await main(
      ['run', '--data', data, '--quarter', '2099-Q1', '--allow-open-quarter', '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(refused).toBe(2);
    expect(refusal).toMatch(
      /^2099-Q1 has not ended: it runs to 2099-03-31 \(UTC\) and today is \d{4}-\d{2}-\d{2} there/,
    );
    expect(refusal).toContain(
      'pass --allow-open-quarter to compute it anyway\nNothing was read or written.\n',
    );
    expect(allowed).toBe(0);
    expect(await hashExports(data)).toEqual(before);
  });

  it('exits 1 naming the exports folder of the last completed quarter when no --quarter is given', async () => {
    // Arrange
    const data = await createDataRoot();

    // Act
    const code = await main(['run', '--data', data, '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(1);
    expect(output.stderr()).toMatch(/there is no export set at .*\/exports\/2026-Q3\/; upload/);
  });
});

describe('kpi-report validate', () => {
  it('lists rejected rows with file and line, exits 1 and writes nothing', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const before = await hashExports(data);

    // Act
    const code = await main(['validate', '--data', data, '--quarter', '2026-Q3', '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(1);
    expect(output.stdout()).toContain("interactions.csv:16  unknown client_id 'Z'");
    expect(output.stdout()).toContain('A run would FAIL:');
    expect(existsSync(path.join(data, 'reports'))).toBe(false);
    expect(await hashExports(data)).toEqual(before);
  });

  it('exits 0 when a run would succeed, stating the period and the rows in it', async () => {
    // Arrange
    const data = await createExports({ '2026-Q3': cleanSet('2026-08-01') });

    // Act
    const code = await main(['validate', '--data', data, '--quarter', '2026-Q3', '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(0);
    expect(output.stdout()).toMatch(
      /^Export set 2026-Q3: 2026-07-01 to 2026-09-30 \(UTC; calendar quarters\)\n/,
    );
    expect(output.stdout()).toContain('2 of 2 dated rows in the period (100.0%)');
    expect(output.stdout()).toContain('OK: a run would succeed (reject limit 1% per dataset).');
    expect(existsSync(path.join(data, 'reports'))).toBe(false);
  });

  it('exits 1 and says what a run would refuse for exports of another quarter and for an open quarter', async () => {
    // Arrange
    const data = await createExports({
      '2025-Q3': cleanSet('2026-08-01'),
      '2099-Q1': cleanSet('2099-02-01'),
    });
    const config = await writeConfigFile({ fiscalYearStartMonth: 4 });

    // Act
    const wrongQuarter = await main(
      ['validate', '--data', data, '--quarter', '2025-Q3', '--quiet'],
      {},
      testClock,
    );
    const wrongText = output.stdout();
    const open = await main(
      ['validate', '--data', data, '--quarter', '2099-Q1', '--config', config, '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(wrongQuarter).toBe(1);
    expect(wrongText).toContain(
      '  - interactions: only 0 of 2 dated rows (0.0%) fall in 2025-Q3 (2025-07-01 to 2025-09-30, UTC); they run from 2026-08-01 to 2026-08-01.',
    );
    expect(open).toBe(1);
    expect(output.stdout()).toContain(
      'Export set 2099-Q1: 2098-04-01 to 2098-06-30 (UTC; fiscal year 2099, which starts in April)',
    );
    expect(output.stdout()).toMatch(/ {2}- 2099-Q1 has not ended: it runs to 2098-06-30/);
    expect(existsSync(path.join(data, 'reports'))).toBe(false);
  });
});

describe('kpi-report backfill', () => {
  it('publishes every quarter that has an export set, oldest first, and exits 0', async () => {
    // Arrange
    const data = await createExports({
      '2026-Q3': cleanSet('2026-08-01'),
      '2026-Q2': cleanSet('2026-05-01'),
    });

    // Act
    const code = await main(['backfill', '--data', data, '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(0);
    const q2 = output.stdout().indexOf(`2026-Q2: wrote ${data}/reports/2026-Q2/kpis.json`);
    const q3 = output.stdout().indexOf(`2026-Q3: wrote ${data}/reports/2026-Q3/kpis.json`);
    expect(q2).toBeGreaterThanOrEqual(0);
    expect(q3).toBeGreaterThan(q2);
    expect(existsSync(path.join(data, 'reports', '2026-Q2', 'kpis.json'))).toBe(true);
    expect(existsSync(path.join(data, 'reports', '2026-Q3', 'kpis.json'))).toBe(true);
  });

  it('exits 1 when there is no export set at all', async () => {
    // Arrange
    const data = await createDataRoot();

    // Act
    const code = await main(['backfill', '--data', data, '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(1);
    expect(output.stderr()).toContain(`No export sets found under ${data}/exports/`);
  });

  it('skips a quarter that has not ended and names look-alike folders, and exits 1', async () => {
    // Arrange
    const data = await createExports({
      '2026-Q3': cleanSet('2026-08-01'),
      '2099-Q1': cleanSet('2099-02-01'),
      '2026-q2': cleanSet('2026-05-01'),
    });

    // Act
    const code = await main(['backfill', '--data', data, '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(1);
    expect(output.stdout()).toContain(`2026-Q3: wrote ${data}/reports/2026-Q3/kpis.json`);
    expect(output.stdout()).toMatch(/2099-Q1: skipped: 2099-Q1 has not ended/);
    expect(output.stderr()).toContain(
      'warning: exports/2026-q2/ looks like a quarter but is not named like one; rename it exports/2026-Q2/ to have it read',
    );
    expect(await filesUnder(data, 'reports')).toEqual(['2026-Q3/kpis.json', '2026-Q3/validation.json']);
  });

  it('goes on past a quarter that fails and exits 1', async () => {
    // Arrange
    const data = await createExports({
      '2026-Q2': { 'clients.csv': [['client_id', 'customer_since']] },
      '2026-Q3': cleanSet('2026-08-01'),
    });

    // Act
    const code = await main(['backfill', '--data', data, '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(1);
    expect(output.stdout()).toContain('2026-Q2: FAILED');
    expect(output.stdout()).toContain('the required dataset interactions is missing');
    expect(existsSync(path.join(data, 'reports', '2026-Q3', 'kpis.json'))).toBe(true);
  });
});

describe('usage and configuration mistakes', () => {
  it.each(['2026-Q5', '2026Q3', 'Q3-2026'])('exits 2 for --quarter %s', async (quarter) => {
    // Arrange
    const data = await createDataRoot();

    // Act
    const code = await main(['run', '--data', data, '--quarter', quarter, '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain(`--quarter '${quarter}' is not a quarter; write it like 2026-Q3`);
    expect(existsSync(path.join(data, 'reports'))).toBe(false);
  });

  it('exits 2 for a bad configuration file, naming every bad field', async () => {
    // Arrange
    const data = await createDataRoot();
    const config = await writeConfigFile({ independenceThreshold: 2, timeZone: 'Mars/Base' });

    // Act
    const code = await main(
      ['run', '--data', data, '--quarter', '2026-Q3', '--config', config, '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain(`${config} is not valid`);
    expect(output.stderr()).toMatch(/independenceThreshold: /);
    expect(output.stderr()).toMatch(/timeZone: not an IANA time zone/);
    expect(existsSync(path.join(data, 'reports'))).toBe(false);
  });

  it('exits 2 for a configuration file that is not JSON', async () => {
    // Arrange
    const data = await createDataRoot();
    const config = path.join(data, 'broken.json');
    await writeFile(config, '{ "rejectLimitPercent": ');

    // Act
    const code = await main(
      ['run', '--data', data, '--quarter', '2026-Q3', '--config', config],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain(`${config} is not valid JSON`);
  });

  it('exits 2 for a configuration file that does not exist', async () => {
    // Arrange
    const data = await createDataRoot();
    const config = path.join(data, 'missing.json');

    // Act
    const code = await main(['run', '--data', data, '--config', config], {}, testClock);

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain(`cannot read the configuration file ${config}`);
  });

  it.each([
    ['an unknown command', ['publish'], 'Usage: kpi-report <command> [options]'],
    ['an unknown option', ['run', '--bogus'], 'Usage: kpi-report run [options]'],
    ['two commands', ['run', 'validate'], 'Usage: kpi-report run [options]'],
    ['no command', [], 'Usage: kpi-report <command> [options]'],
  ])('exits 2 with the usage for %s (the command’s own when one is named)', async (_case, argv, usage) => {
    // Arrange
    const args = [...argv];

    // Act
    const code = await main(args, {}, testClock);

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain(usage);
    expect(output.stdout()).toBe('');
  });

  it('exits 2 with the usage for an unknown command before looking at --data', async () => {
    // Arrange: a data location that does not exist would be the other mistake to report.
    const missing = path.join(await createDataRoot(), 'nowhere');

    // Act
    const code = await main(['publish', '--data', missing], {}, testClock);

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain("unknown command 'publish'");
    expect(output.stderr()).toContain('Usage: kpi-report <command> [options]');
  });

  it('prints the usage on stdout and exits 0 for --help', async () => {
    // Arrange
    const args = ['--help'];

    // Act
    const code = await main(args, {}, testClock);

    // Assert
    expect(code).toBe(0);
    expect(output.stdout()).toContain('Usage: kpi-report <command> [options]');
  });
});
