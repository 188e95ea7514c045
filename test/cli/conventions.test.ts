/**
 * The command line's conventions, through `main(argv, env)`: the version, help per
 * command, options refused where a command does not use them, the configuration named at
 * start and its paths taken from its own folder, `$schema`, quarters as people write them,
 * per-dataset read times, and outbox messages said to be written, once per recipient.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { captureOutputInEachTest } from '../support/capture-output';
import { testClock } from '../support/cli-clock';
import { cloneFixture, createDataRoot, removeDataRoots, writeConfigFile } from '../support/export-fixtures';

const packageVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const output = captureOutputInEachTest();
afterEach(removeDataRoots);

describe('--version and help', () => {
  it('prints the version of package.json and exits 0', async () => {
    // Act
    const code = await main(['--version'], {}, testClock);

    // Assert
    expect(code).toBe(0);
    expect(output.stdout()).toBe(`${packageVersion}\n`);
  });

  it.each([
    ['run --help', ['run', '--help']],
    ['help run', ['help', 'run']],
    ['run -h', ['run', '-h']],
  ])('%s prints the help of run alone, with only the options run takes', async (_case, argv) => {
    // Act
    const code = await main(argv, {}, testClock);

    // Assert
    expect(code).toBe(0);
    expect(output.stdout()).toMatch(/^Usage: kpi-report run \[options\]\n/);
    expect(output.stdout()).toContain('--send');
    expect(output.stdout()).not.toContain('--rejects');
    expect(output.stdout()).not.toContain('Commands:');
  });

  it('lists every command in the global help', async () => {
    // Act
    const code = await main(['help'], {}, testClock);

    // Assert
    expect(code).toBe(0);
    for (const command of ['run', 'preview', 'validate', 'backfill', 'init']) {
      expect(output.stdout()).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  it('exits 2 for help on a command that does not exist', async () => {
    // Act
    const code = await main(['help', 'publish'], {}, testClock);

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain("there is no command 'publish' to explain");
  });
});

describe('options refused where a command does not use them', () => {
  it.each([
    ['backfill', '--quarter', ['backfill', '--quarter', '2026-Q3']],
    ['validate', '--send', ['validate', '--send']],
    ['preview', '--json', ['preview', '--json']],
    ['run', '--rejects', ['run', '--rejects', 'out.csv']],
    ['init', '--quarter', ['init', '--quarter', '2026-Q3']],
  ])('%s %s is a usage mistake (exit 2) naming the option and the command', async (command, option, argv) => {
    // Arrange: a data location that does not exist would be the other mistake to report.
    const args = [...argv, '--data', path.join(await createDataRoot(), 'nowhere')];

    // Act
    const code = await main(args, {}, testClock);

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain(`${option} is not an option of '${command}'`);
    expect(output.stderr()).toContain(`Usage: kpi-report ${command} [options]`);
  });
});

describe('the configuration', () => {
  it('is named on stderr at start', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const config = await writeConfigFile({ rejectLimitPercent: 50 });

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--config', config],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(0);
    expect(output.stderr()).toMatch(new RegExp(`^Configuration: ${config}\n`));
  });

  it('accepts a $schema key', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const config = await writeConfigFile({ $schema: './kpi-report.schema.json', rejectLimitPercent: 50 });

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--config', config],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(0);
  });

  it('resolves email.templateDir from the configuration file’s folder, not the working directory', async () => {
    // Arrange: the folder holds the configuration and, beside it, my-templates/.
    const data = await cloneFixture('example');
    const folder = await createDataRoot();
    await mkdir(path.join(folder, 'my-templates'));
    await writeFile(path.join(folder, 'my-templates', 'subject.hbs'), 'Relative templates for {{quarter}}');
    const config = path.join(folder, 'kpi-report.json');
    await writeFile(
      config,
      JSON.stringify({
        rejectLimitPercent: 50,
        email: { templateDir: './my-templates', recipients: [{ address: 'ceo@example.com' }] },
      }),
    );

    // Act: the working directory (the repository) has no my-templates/.
    const code = await main(
      ['run', '--data', data, '--quarter', '2026-Q3', '--config', config, '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(0);
    const message = await readFile(path.join(data, 'reports/2026-Q3/report-ceo@example.com.eml'), 'utf8');
    expect(message).toContain('Subject: Relative templates for 2026-Q3');
  });
});

describe('quarters, timings and recipients', () => {
  it('accepts --quarter 2026-q3 as 2026-Q3', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const config = await writeConfigFile({ rejectLimitPercent: 50 });

    // Act
    const code = await main(
      ['run', '--data', data, '--quarter', '2026-q3', '--config', config, '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(0);
    expect(output.stdout()).toContain(`Wrote ${data}/reports/2026-Q3/kpis.json`);
  });

  it('says each outbox message was written to the outbox, once per recipient, and never "sent"', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const recipients = [{ address: 'ceo@example.com' }, { address: 'cfo@example.com' }];
    const config = await writeConfigFile({ rejectLimitPercent: 50, email: { recipients } });

    // Act
    const code = await main(
      ['run', '--data', data, '--quarter', '2026-Q3', '--config', config],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(0);
    const everything = output.stdout() + output.stderr();
    for (const { address } of recipients) {
      expect(
        everything.split('\n').filter((line) => line.includes(address)),
        address,
      ).toHaveLength(1);
      expect(output.stdout()).toContain(
        `  ${address}: written to the outbox: ${data}/reports/2026-Q3/report-${address}.eml`,
      );
    }
    expect(everything).not.toMatch(/\bsent\b/);
  });

  it('says "written to the outbox" on preview too', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const config = await writeConfigFile({
      rejectLimitPercent: 50,
      email: { recipients: [{ address: 'ceo@example.com' }] },
    });
    expect(
      await main(
        ['run', '--data', data, '--quarter', '2026-Q3', '--config', config, '--quiet'],
        {},
        testClock,
      ),
    ).toBe(0);

    // Act
    const code = await main(
      ['preview', '--data', data, '--quarter', '2026-Q3', '--config', config],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(0);
    expect(output.stdout()).toContain('ceo@example.com: written to the outbox');
    expect(output.stdout() + output.stderr()).not.toMatch(/\bsent\b/);
  });
});
