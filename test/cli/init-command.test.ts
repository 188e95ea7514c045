/** `kpi-report init`: a starter configuration with its JSON Schema, and the export folder layout. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/cli/config-json-schema';
import { loadConfig } from '../../src/cli/load-config';
import { main } from '../../src/cli/main';
import { DATASET_NAMES, DATASETS } from '../../src/core/export-set/contract';
import { captureOutputInEachTest } from '../support/capture-output';
import { testClock } from '../support/cli-clock';
import { createDataRoot, removeDataRoots } from '../support/export-fixtures';

const output = captureOutputInEachTest();
afterEach(removeDataRoots);

/** The quarter init lays out: the last completed one in UTC, calendar quarters, at the tests' clock. */
const LAST_COMPLETED_QUARTER = '2026-Q3';

describe('kpi-report init', () => {
  it('writes a valid starter configuration naming its JSON Schema, written beside it', async () => {
    // Arrange
    const folder = await createDataRoot();
    const config = path.join(folder, 'kpi-report.json');

    // Act
    const code = await main(['init', '--data', path.join(folder, 'data'), '--config', config], {}, testClock);

    // Assert
    expect(code).toBe(0);
    const written = JSON.parse(await readFile(config, 'utf8')) as Record<string, unknown>;
    expect(written.$schema).toBe('./kpi-report.schema.json');
    expect(loadConfig(config).config.companyName).toBe('Your company');
    expect(await readFile(path.join(folder, 'kpi-report.schema.json'), 'utf8')).toBe(configJsonSchema());
  });

  it('lays out the last completed quarter’s exports as header-only files that validate reads', async () => {
    // Arrange
    const folder = await createDataRoot();
    const data = path.join(folder, 'data');
    const config = path.join(folder, 'kpi-report.json');
    const quarter = LAST_COMPLETED_QUARTER;

    // Act
    const code = await main(['init', '--data', data, '--config', config], {}, testClock);
    const validated = await main(
      ['validate', '--data', data, '--config', config, '--quarter', quarter],
      {},
      testClock,
    );

    // Assert: each header holds the contract's columns; validate finds the files and asks for rows.
    expect(code).toBe(0);
    for (const name of DATASET_NAMES) {
      const header = await readFile(path.join(data, 'exports', quarter, `${name}.csv`), 'utf8');
      expect(header).toBe(
        `${[...DATASETS[name].requiredColumns, ...DATASETS[name].optionalColumns].join(',')}\n`,
      );
    }
    expect(validated).toBe(1);
    expect(output.stdout()).toContain('clients has no data rows (clients.csv: a header only)');
  });

  it('refuses to replace a configuration without --force, and never replaces an export file', async () => {
    // Arrange
    const folder = await createDataRoot();
    const data = path.join(folder, 'data');
    const config = path.join(folder, 'kpi-report.json');
    expect(await main(['init', '--data', data, '--config', config], {}, testClock)).toBe(0);
    const clients = path.join(data, 'exports', LAST_COMPLETED_QUARTER, 'clients.csv');
    await writeFile(clients, 'client_id,customer_since\nA,2020-01-01\n');
    await writeFile(config, '{"companyName": "Mine"}');

    // Act
    const refused = await main(['init', '--data', data, '--config', config], {}, testClock);
    const forced = await main(['init', '--data', data, '--config', config, '--force'], {}, testClock);

    // Assert
    expect(refused).toBe(2);
    expect(output.stderr()).toContain(`${config} already exists; --force replaces it`);
    expect(forced).toBe(0);
    expect(JSON.parse(await readFile(config, 'utf8'))).toHaveProperty('companyName', 'Your company');
    expect(await readFile(clients, 'utf8')).toBe('client_id,customer_since\nA,2020-01-01\n');
    expect(output.stdout()).toContain(`Kept ${clients} (it exists)`);
  });

  it('refuses an S3 data location: it writes local folders', async () => {
    // Arrange
    const config = path.join(await createDataRoot(), 'kpi-report.json');

    // Act
    const code = await main(['init', '--data', 's3://bucket/prefix', '--config', config], {}, testClock);

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain("init writes a local folder; 's3://bucket/prefix' is not one");
  });
});
