/**
 * `kpi-report`: a thin shell over the use cases. Parses arguments, builds the store and
 * configuration, calls the use case, prints the result. Exit codes: 0 success, 1 the
 * export set cannot be reported on, 2 a usage, configuration or template mistake (or a
 * store that cannot hold the delivery ledger), 3
 * anything else, 4 the report was published but some recipients did not get it.
 */

import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { assertDataRoot, openExportStore } from '../adapters/open-export-store';
import { createFastReader } from '../adapters/workers/fast-reader';
import { type Config, ConfigError } from '../core/config';
import { dayInZone } from '../core/dates';
import { TemplateError } from '../core/email/email-templates';
import { DataLocationError, ExportSetError, OpenQuarterError } from '../core/errors';
import { readExportSet } from '../core/ingest/read-export-set';
import type { ExportStore } from '../core/ports';
import { formatQuarter, lastCompletedQuarter, parseQuarter, type Quarter } from '../core/quarter';
import { type Snapshot, snapshotSchema } from '../core/snapshot';
import { backfill } from '../use-cases/backfill';
import { type DeliverReportResult, deliverReport } from '../use-cases/deliver-report';
import { LedgerFileError, StoreCannotExcludeError } from '../use-cases/delivery-ledger';
import { reportKeys } from '../use-cases/report-keys';
import { runQuarter } from '../use-cases/run-quarter';
import { validateQuarter } from '../use-cases/validate-quarter';
import { type EmailRendering, openEmailDelivery, openEmailRendering } from '../wiring/email-delivery';
import { loadConfig } from './load-config';
import { createProgressReporter } from './progress';
import { renderSummaryTable } from './summary-table';
import { renderReading, renderValidation } from './validation-text';

const USAGE = `Usage: kpi-report <command> [options]

Commands:
  run        compute a quarter, write <data>/reports/<quarter>/kpis.json and the email:
             report.html, report.txt, the CSV, and one report-<recipient>.eml per
             recipient (or, with --send, send them through SES)
  preview    render the email of an already computed quarter to its report folder
  backfill   compute every quarter that has an export set, oldest first (no email)
  validate   check a quarter's export set and print what a run would reject (writes nothing)

Options:
  --data DIR|s3://bucket/prefix   data root holding exports/ and reports/ (default: ./data)
  --quarter YYYY-Qn               quarter to compute (default: the last completed quarter)
  --config FILE                   configuration file (default: ./kpi-report.json if present)
  --allow-open-quarter            compute (or validate) a quarter that has not ended yet;
                                  refused otherwise, as its exports cannot be complete
  --send                          send through SES (as email.send does) instead of the outbox
  --resend                        with --send: also mail recipients the ledger says already got it
  --reader fast|simple            how exports are read: fast (byte-level, every core; the
                                  default) or simple (zod per row, one thread); same results
  --quiet                         no progress output
  -h, --help                      show this help
`;

const COMMANDS = ['run', 'preview', 'validate', 'backfill'];

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
    await assertDataRoot(store);
    const now = new Date();
    const quarter = values.quarter === undefined ? defaultQuarter(now, config) : quarterFrom(values.quarter);
    const onProgress = values.quiet ? undefined : createProgressReporter(process.stderr);
    const reader = values.reader === 'simple' ? readExportSet : createFastReader();
    const allowOpenQuarter = values['allow-open-quarter'];
    /** What run and validate read the quarter with: the same, so validate says what run would do. */
    const reading = { store, config, quarter, now, onProgress, reader, allowOpenQuarter };
    switch (command) {
      case 'run': {
        // Templates compile before any work, so a broken custom template fails at once.
        const send = values.send || config.email.send;
        if (send && config.email.recipients.length === 0) {
          throw new ConfigError(
            'sending needs recipients: add them to email.recipients in the configuration',
          );
        }
        const rendering = await openEmailRendering(config);
        rendering.warmUp();
        const result = await runQuarter({
          ...reading,
          // The period and what was read, stated before any KPI.
          onRead: (report) => process.stdout.write(`${renderReading(report)}\n\n`),
        });
        process.stdout.write(`${renderSummaryTable(result.snapshot)}\n\n`);
        for (const warning of result.snapshot.warnings) process.stdout.write(`warning: ${warning}\n`);
        process.stdout.write(`Wrote ${store.location}/${result.snapshotKey}\n`);
        return await deliver({ store, config, snapshot: result.snapshot, rendering, send, values, env });
      }
      case 'preview': {
        const rendering = await openEmailRendering(config);
        const label = formatQuarter(quarter);
        const text = await store.readText(reportKeys.snapshot(label));
        if (text === undefined) {
          throw new UsageError(
            `there is no ${store.location}/${reportKeys.snapshot(label)} to preview; run 'kpi-report run --quarter ${label}' first`,
          );
        }
        const snapshot = parseSnapshotFile(text, `${store.location}/${reportKeys.snapshot(label)}`, label);
        return await deliver({ store, config, snapshot, rendering, send: false, values, env });
      }
      case 'validate': {
        const report = await validateQuarter(reading);
        process.stdout.write(`${renderValidation(report, config.rejectLimitPercent)}\n`);
        return report.ok ? 0 : 1;
      }
      case 'backfill': {
        let ignoredFolders = 0;
        const outcomes = await backfill({
          store,
          config,
          now,
          onProgress,
          reader,
          allowOpenQuarter,
          onIgnoredFolder: ({ reason }) => {
            ignoredFolders++;
            process.stderr.write(`warning: ${reason}\n`);
          },
          onQuarterDone: (outcome) => {
            process.stdout.write(
              outcome.ok
                ? `${outcome.quarter}: wrote ${store.location}/${outcome.result.snapshotKey}\n`
                : outcome.error instanceof OpenQuarterError
                  ? `${outcome.quarter}: skipped: ${outcome.error.message}\n`
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
        // Anything not published (a failed or skipped quarter, a misnamed folder) needs a look: exit 1.
        return outcomes.every((outcome) => outcome.ok) && ignoredFolders === 0 ? 0 : 1;
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
      send: { type: 'boolean', default: false },
      resend: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      reader: { type: 'string', default: 'fast' },
      'allow-open-quarter': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  const command = positionals[0];
  // Before anything is opened: a mistyped command is a usage mistake, whatever --data says.
  if (command !== undefined && command !== 'help' && !COMMANDS.includes(command)) {
    throw new UsageError(`unknown command '${command}'`);
  }
  if (values.resend && !values.send) throw new UsageError('--resend only makes sense with --send');
  if (values.reader !== 'fast' && values.reader !== 'simple') {
    throw new UsageError(`--reader is fast or simple, not '${values.reader}'`);
  }
  return { command, values };
}

async function deliver(options: {
  store: ExportStore;
  config: Config;
  snapshot: Snapshot;
  rendering: EmailRendering;
  send: boolean;
  values: { resend?: boolean; quiet?: boolean };
  env: Record<string, string | undefined>;
}): Promise<number> {
  const { store, config, snapshot, rendering, send, values, env } = options;
  const { mailer, ledger } = openEmailDelivery({ config, store, quarter: snapshot.quarter, send, env });
  const result: DeliverReportResult = await deliverReport({
    store,
    config,
    snapshot,
    ...rendering,
    mailer,
    ledger,
    resend: values.resend ?? false,
    runId: randomUUID(),
    onEvent: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`Wrote ${store.location}/${result.csvKey}\n`);
  process.stdout.write(`Open the report: ${store.location}/${result.htmlKey}\n`);
  if (config.email.recipients.length === 0) {
    process.stdout.write('No recipients configured (email.recipients), so no message was built.\n');
  }
  for (const outcome of result.outcomes) {
    const where = outcome.status === 'sent' && !send ? ` → ${store.location}/${outcome.messageId}` : '';
    const uncertain = outcome.uncertain === undefined ? '' : `, uncertain: ${outcome.uncertain.reason}`;
    process.stdout.write(`  ${outcome.recipient}: ${outcome.status}${where}${uncertain}\n`);
  }
  if (result.unserved.length === 0) return 0;
  process.stderr.write(
    `\n${result.unserved.length} of ${result.outcomes.length} recipients did not get the report:\n${result.unserved
      .map((outcome) => `  ${outcome.recipient}: ${outcome.reason}`)
      .join('\n')}\nRun again to retry them; those already served are skipped.\n`,
  );
  return 4;
}

/** A published kpis.json, or a UsageError saying it is not one and how to write it again. */
function parseSnapshotFile(text: string, where: string, label: string): Snapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = snapshotSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new UsageError(
    `${where} is not a valid kpis.json; run 'kpi-report run --quarter ${label}' to write it again`,
  );
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
  if (error instanceof OpenQuarterError) {
    process.stderr.write(`${error.message}\nNothing was read or written.\n`);
    return 2;
  }
  if (
    error instanceof DataLocationError ||
    error instanceof ConfigError ||
    error instanceof TemplateError ||
    error instanceof StoreCannotExcludeError ||
    error instanceof LedgerFileError
  ) {
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const where = quarter === undefined ? data : `${data} (${quarter})`;
  process.stderr.write(
    `kpi-report failed unexpectedly on ${where}: ${(error as Error)?.stack ?? String(error)}\n`,
  );
  return 3;
}
