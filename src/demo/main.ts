/**
 * `npm run demo`: generates eight quarters of realistic demo exports under ./data (or
 * `--data DIR`), publishes the seven earlier quarters, then runs the latest one so its
 * deltas and trends are filled, and prints its KPI table.
 */
import { parseArgs } from 'node:util';
import { LocalExportStore } from '../adapters/local/local-export-store';
import { OutboxMailer } from '../adapters/outbox/outbox-mailer';
import { createProgressReporter } from '../cli/progress';
import { renderSummaryTable } from '../cli/summary-table';
import { parseConfig } from '../core/config';
import { formatQuarter, parseQuarter, type Quarter, shiftQuarter } from '../core/quarter';
import { backfill } from '../use-cases/backfill';
import { deliverReport } from '../use-cases/deliver-report';
import { runQuarter } from '../use-cases/run-quarter';
import { openEmailRendering } from '../wiring/email-delivery';
import { generateExports } from './generate-exports';

export const DEMO_LATEST_QUARTER = '2026-Q3';
export const DEMO_QUARTERS = 8;
export const DEMO_CONFIG = {
  companyName: 'Northwind Services (demo)',
  currency: 'USD',
  email: {
    from: 'KPI report <kpi-report@northwind.example>',
    recipients: [
      { address: 'ceo@northwind.example', name: 'Alex' },
      {
        address: 'emea.lead@northwind.example',
        name: 'Sam',
        segments: [{ dimension: 'region', value: 'EMEA' }],
      },
    ],
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string', default: './data' } } });
  const root = values.data;
  const latest = parseQuarter(DEMO_LATEST_QUARTER) as Quarter;
  const quarters = Array.from({ length: DEMO_QUARTERS }, (_, i) =>
    shiftQuarter(latest, i - DEMO_QUARTERS + 1),
  );

  process.stdout.write(`Generating ${DEMO_QUARTERS} quarters of demo exports in ${root}/exports/ …\n`);
  const summary = await generateExports({
    root,
    quarters: quarters.map(formatQuarter),
    clients: 1_500,
    seed: 2026,
  });
  const rows = summary.quarters.flatMap((q) => q.files).reduce((sum, file) => sum + file.rows, 0);
  process.stdout.write(`  ${rows.toLocaleString('en-US')} rows written.\n\n`);

  const store = new LocalExportStore(root);
  const config = parseConfig(DEMO_CONFIG);
  const now = new Date();
  process.stdout.write('Publishing the earlier quarters, oldest first:\n');
  const outcomes = await backfill({
    store,
    config,
    now,
    quarters: quarters.slice(0, -1),
    onQuarterDone: (outcome) =>
      process.stdout.write(
        outcome.ok
          ? `  ${outcome.quarter}: ${outcome.result.snapshotKey}\n`
          : `  ${outcome.quarter}: FAILED\n`,
      ),
  });
  const failed = outcomes.find((outcome) => !outcome.ok);
  if (failed && !failed.ok) throw failed.error;

  process.stdout.write(`\nRunning ${DEMO_LATEST_QUARTER}:\n`);
  const result = await runQuarter({
    store,
    config,
    quarter: latest,
    now,
    onProgress: createProgressReporter(process.stderr),
  });
  process.stdout.write(`\n${renderSummaryTable(result.snapshot)}\n\n`);
  process.stdout.write(`Wrote ${root}/${result.snapshotKey}\n`);

  process.stdout.write('\nRendering the email (no AWS account needed: messages go to the report folder):\n');
  const email = await deliverReport({
    store,
    config,
    snapshot: result.snapshot,
    ...(await openEmailRendering(config)),
    mailer: new OutboxMailer({ store, quarter: DEMO_LATEST_QUARTER }),
    runId: 'demo',
    onEvent: (line) => process.stdout.write(`  ${line}\n`),
  });
  for (const outcome of email.outcomes) {
    process.stdout.write(`  ${outcome.recipient}: ${root}/${outcome.messageId}\n`);
  }
  process.stdout.write(`\nOpen the report in a browser: ${root}/${email.htmlKey}\n`);
  process.stdout.write(
    `Try next: npm run cli -- validate --data ${root} --quarter ${DEMO_LATEST_QUARTER}   (what was rejected, and why)\n`,
  );
}

await main();
