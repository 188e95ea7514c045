/**
 * `kpi-report init`: a starting point in an empty folder. Writes a starter configuration
 * (naming its JSON Schema in `$schema`, written beside it, so editors complete and check
 * it), and the export folder layout for the last completed quarter: one header-only CSV per
 * dataset of the contract, to fill in or (for the optional ones) delete. An existing
 * configuration is replaced only with `--force`; an existing export file never is.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalExportStore } from '../adapters/local/local-export-store';
import { openExportStore } from '../adapters/open-export-store';
import { parseConfig } from '../core/config';
import { DATASET_NAMES, DATASETS } from '../core/export-set/contract';
import { formatQuarter } from '../core/quarter';
import { dueQuarter } from '../use-cases/due-quarter';
import { CONFIG_SCHEMA_FILE, configJsonSchema } from './config-json-schema';
import { DEFAULT_CONFIG_FILE } from './load-config';
import type { Output } from './output';
import { UsageError } from './parse-command-line';

/** The starter configuration: the settings most teams change first, at their defaults. */
export const STARTER_CONFIG = {
  $schema: `./${CONFIG_SCHEMA_FILE}`,
  companyName: 'Your company',
  currency: 'USD',
  timeZone: 'UTC',
  fiscalYearStartMonth: 1,
  rejectLimitPercent: 1,
  email: {
    from: 'KPI report <kpi-report@example.com>',
    recipients: [] as { address: string }[],
    send: false,
  },
};

export async function initCommand(
  options: { data: string; config: string | undefined; force: boolean },
  output: Output,
  now: Date,
): Promise<number> {
  const store = await openExportStore(options.data, {});
  if (!(store instanceof LocalExportStore)) {
    throw new UsageError(
      `init writes a local folder; '${options.data}' is not one (upload the exports there yourself)`,
      'init',
    );
  }
  const configFile = path.resolve(options.config ?? DEFAULT_CONFIG_FILE);
  if (existsSync(configFile) && !options.force) {
    throw new UsageError(`${configFile} already exists; --force replaces it`, 'init');
  }
  // Checked as any configuration is, so that the starter is always a valid one.
  const config = parseConfig(STARTER_CONFIG, 'the starter configuration');
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, `${JSON.stringify(STARTER_CONFIG, null, 2)}\n`);
  output.result(`Wrote ${configFile}`);
  const schemaFile = path.join(path.dirname(configFile), CONFIG_SCHEMA_FILE);
  writeFileSync(schemaFile, configJsonSchema());
  output.result(`Wrote ${schemaFile} (its JSON Schema, named by "$schema")`);

  const quarter = formatQuarter(dueQuarter(config, now));
  const folder = path.join(store.location, 'exports', quarter);
  mkdirSync(folder, { recursive: true });
  for (const name of DATASET_NAMES) {
    const file = path.join(folder, `${name}.csv`);
    if (existsSync(file)) {
      output.result(`Kept ${file} (it exists)`);
      continue;
    }
    const { requiredColumns, optionalColumns } = DATASETS[name];
    writeFileSync(file, `${[...requiredColumns, ...optionalColumns].join(',')}\n`);
    output.result(
      `Wrote ${file}${DATASETS[name].required ? '' : ' (optional: delete it if you have no such export)'}`,
    );
  }
  output.result(
    `\nNext: add the quarter's rows to ${folder}/ (the contract is in the README), then\n` +
      `  kpi-report validate --data ${options.data} --quarter ${quarter}\n` +
      `  kpi-report run --data ${options.data} --quarter ${quarter}`,
  );
  return 0;
}
