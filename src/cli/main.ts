/**
 * `kpi-report`: a thin shell over the use cases. Parses arguments, builds the store and
 * configuration, calls the use case, prints the result. Exit codes: 0 success, 1 the
 * export set cannot be reported on, 2 a usage or configuration mistake, 3 anything else.
 */
import { parseArgs } from 'node:util';
import { openExportStore } from '../adapters/open-export-store';
import { ConfigError } from '../core/config';
import { dayInZone } from '../core/dates';
import { ExportSetError } from '../core/errors';
import { lastCompletedQuarter, parseQuarter, type Quarter } from '../core/quarter';
import { backfill } from '../use-cases/backfill';
import { runQuarter } from '../use-cases/run-quarter';
import { validateQuarter } from '../use-cases/validate-quarter';
import { loadConfig } from './load-config';
import { createProgressReporter } from './progress';
import { renderSummaryTable } from './summary-table';
import { renderValidation } from './validation-text';

const USAGE = `Usage: kpi-report <command> [options]

Commands:
  run        compute a quarter and write <data>/reports/<quarter>/kpis.json
  backfill   compute every quarter that has an export set, oldest first
  validate   check a quarter's export set and print what a run would reject (writes nothing)

Options:
  --data DIR|s3://bucket/prefix   data root holding exports/ and reports/ (default: ./data)
  --quarter YYYY-Qn               quarter to compute (default: the last completed quarter)
  --config FILE                   configuration file (default: ./kpi-report.json if present)
  --quiet                         no progress output
  -h, --help                      show this help
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { command, values } = parsed;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    const { config } = loadConfig(values.config);
    const store = openExportStore(values.data ?? './data', env);
    const now = new Date();
    const quarter = values.quarter === undefined ? defaultQuarter(now, config) : quarterFrom(values.quarter);
    const onProgress = values.quiet ? undefined : createProgressReporter(process.stderr);
    switch (command) {
      case 'run': {
        const result = await runQuarter({ store, config, quarter, now, onProgress });
        process.stdout.write(`${renderSummaryTable(result.snapshot)}\n\n`);
        for (const warning of result.snapshot.warnings) process.stdout.write(`warning: ${warning}\n`);
        process.stdout.write(`Wrote ${store.location}/${result.snapshotKey}\n`);
        return 0;
      }
      case 'validate': {
        const report = await validateQuarter({ store, config, quarter, now, onProgress });
        process.stdout.write(`${renderValidation(report, config.rejectLimitPercent)}\n`);
        return report.ok ? 0 : 1;
      }
      case 'backfill': {
        const outcomes = await backfill({
          store,
          config,
          now,
          onProgress,
          onQuarterDone: (outcome) => {
            process.stdout.write(
              outcome.ok
                ? `${outcome.quarter}: wrote ${store.location}/${outcome.result.snapshotKey}\n`
                : `${outcome.quarter}: FAILED\n${outcome.error.message}\n`,
            );
          },
        });
        if (outcomes.length === 0) {
          process.stderr.write(`No export sets found under ${store.location}/exports/; nothing to do.\n`);
          return 1;
        }
        const last = outcomes.at(-1);
        if (last?.ok) process.stdout.write(`\n${renderSummaryTable(last.result.snapshot)}\n`);
        return outcomes.every((outcome) => outcome.ok) ? 0 : 1;
      }
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    return reportFailure(error, values.data ?? './data', values.quarter);
  }
}

function parseCommandLine(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      quarter: { type: 'string' },
      config: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  return { command: positionals[0], values };
}

function quarterFrom(label: string): Quarter {
  const quarter = parseQuarter(label);
  if (!quarter) throw new UsageError(`--quarter '${label}' is not a quarter; write it like 2026-Q3`);
  return quarter;
}

function defaultQuarter(now: Date, config: { timeZone: string; fiscalYearStartMonth: number }): Quarter {
  return lastCompletedQuarter(dayInZone(config.timeZone)(now.getTime()), config.fiscalYearStartMonth);
}

function reportFailure(error: unknown, data: string, quarter: string | undefined): number {
  if (error instanceof ExportSetError) {
    process.stderr.write(
      `\n${error.message}\nNothing was published. The findings are in ${data}/reports/${error.quarter}/validation.json; fix the export and run again.\n`,
    );
    return 1;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const where = quarter === undefined ? data : `${data} (${quarter})`;
  process.stderr.write(
    `kpi-report failed unexpectedly on ${where}: ${(error as Error)?.stack ?? String(error)}\n`,
  );
  return 3;
}
