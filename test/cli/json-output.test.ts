/**
 * `--json`: one JSON document on stdout, read back with the schemas the code exports;
 * logs (the configuration used, progress) stay on stderr.
 */
import { cp } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backfillDocumentSchema,
  failureDocumentSchema,
  runDocumentSchema,
  validateDocumentSchema,
} from '../../src/cli/json-output';
import { main } from '../../src/cli/main';
import { captureOutputInEachTest } from '../support/capture-output';
import { testClock } from '../support/cli-clock';
import { cloneFixture, removeDataRoots, writeConfigFile } from '../support/export-fixtures';

const output = captureOutputInEachTest();
afterEach(removeDataRoots);

/** stdout as exactly one JSON document on one line. */
function theDocument(): unknown {
  const lines = output.stdout().split('\n');
  expect(lines, 'one line and its newline').toHaveLength(2);
  expect(lines[1]).toBe('');
  return JSON.parse(lines[0] as string);
}

describe('validate --json', () => {
  it('prints the verdict, each dataset and its rejections counted by reason and by value', async () => {
    // Arrange: the worked example rejects 4 interactions, 2 surveys and 1 support cost.
    const data = await cloneFixture('example');
    const config = await writeConfigFile({ rejectLimitPercent: 50 });

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--config', config, '--json'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(0);
    const document = validateDocumentSchema.parse(theDocument());
    expect(document).toMatchObject({
      command: 'validate',
      ok: true,
      exitCode: 0,
      config,
      quarter: '2026-Q3',
    });
    expect(document.datasets.interactions.rejected).toBe(4);
    expect(document.datasets.surveys.rejections).toEqual({
      byReason: [
        { reason: 'cess score … is outside 0 to 5 (its scale_max)', rows: 1 },
        { reason: 'nps score … is not a whole number from 0 to 10', rows: 1 },
      ],
      byValue: [
        { field: 'score', value: '11', rows: 1 },
        { field: 'score', value: '6', rows: 1 },
      ],
      distinctValues: 2,
      untallied: 0,
    });
    expect(document.rejectsFile).toBeNull();
    expect(output.stderr()).toContain(`Configuration: ${config}`);
    expect(output.stderr()).toMatch(/interactions: 19 rows read in \d+ ms/);
  });

  it('is a validate document with ok false and exit 1 when a run would fail', async () => {
    // Arrange: the default 1% limit fails the worked example.
    const data = await cloneFixture('example');

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--json', '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(1);
    const document = validateDocumentSchema.parse(theDocument());
    expect(document.ok).toBe(false);
    expect(document.exitCode).toBe(1);
    expect(document.config).toBeNull();
    expect(document.problems).toHaveLength(3);
  });
});

describe('run --json', () => {
  it('prints the quarter, its KPIs, the report files and each recipient’s outcome', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const config = await writeConfigFile({
      rejectLimitPercent: 50,
      email: { recipients: [{ address: 'ceo@example.com' }] },
    });

    // Act
    const code = await main(
      ['run', '--data', data, '--quarter', '2026-Q3', '--config', config, '--json'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(0);
    const document = runDocumentSchema.parse(theDocument());
    expect(document).toMatchObject({
      command: 'run',
      ok: true,
      quarter: '2026-Q3',
      snapshot: `${data}/reports/2026-Q3/kpis.json`,
      report: { html: `${data}/reports/2026-Q3/report.html` },
      delivery: {
        via: 'outbox',
        recipients: [
          {
            address: 'ceo@example.com',
            status: 'written',
            location: `${data}/reports/2026-Q3/report-ceo@example.com.eml`,
          },
        ],
      },
    });
    // Hand-computed in the worked example: 2 of 6 clients independent.
    expect(document.kpis.clientIndependenceRate.value).toBeCloseTo(33.333, 2);
    expect(document.kpis.clientIndependenceRate.band).toBe('weak');
    // The text a person reads went to stderr with the logs.
    expect(output.stderr()).toContain('Client Independence Rate');
  });

  it('prints a failure document, exit 1 and where the findings are, for an export set that cannot be reported on', async () => {
    // Arrange
    const data = await cloneFixture('example');

    // Act
    const code = await main(
      ['run', '--data', data, '--quarter', '2026-Q3', '--json', '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(1);
    const document = failureDocumentSchema.parse(theDocument());
    expect(document).toMatchObject({
      command: 'run',
      ok: false,
      exitCode: 1,
      error: { kind: 'export-set' },
      validation: `${data}/reports/2026-Q3/validation.json`,
    });
    expect(document.error.message).toContain('interactions: 4 of 19 rows');
  });

  it('prints a failure document with exit 2 for a bad configuration', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const config = await writeConfigFile({ timeZone: 'Mars/Base' });

    // Act
    const code = await main(['run', '--data', data, '--config', config, '--json', '--quiet'], {}, testClock);

    // Assert
    expect(code).toBe(2);
    const document = failureDocumentSchema.parse(theDocument());
    expect(document.error.kind).toBe('configuration');
    expect(document.error.message).toContain('timeZone: not an IANA time zone');
  });
});

describe('backfill --json', () => {
  it('prints each quarter’s outcome and the folders not read', async () => {
    // Arrange: 2026-Q3 is computed; exports/2026-q2/ is misnamed.
    const data = await cloneFixture('example');
    await cp(`${data}/exports/2026-Q3`, `${data}/exports/2026-q2`, { recursive: true });
    const config = await writeConfigFile({ rejectLimitPercent: 50 });

    // Act
    const code = await main(
      ['backfill', '--data', data, '--config', config, '--json', '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(1);
    const document = backfillDocumentSchema.parse(theDocument());
    expect(document).toMatchObject({
      command: 'backfill',
      ok: false,
      exitCode: 1,
      quarters: [{ quarter: '2026-Q3', status: 'written', snapshot: `${data}/reports/2026-Q3/kpis.json` }],
      ignoredFolders: [{ folder: '2026-q2' }],
    });
  });
});
