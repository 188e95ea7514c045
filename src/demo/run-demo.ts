/**
 * The demo: generates eight quarters of realistic demo exports under a data root, publishes
 * the seven earlier quarters, runs the latest one so its deltas and trends are filled,
 * prints its KPI table and renders the email to the report folder. `npm run demo` runs it
 * (see main.ts); tests run it too.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalExportStore } from '../adapters/local/local-export-store';
import { OutboxMailer } from '../adapters/outbox/outbox-mailer';
import { createProgressReporter } from '../adapters/terminal/progress';
import { parseConfig } from '../core/config';
import { formatQuarter, parseQuarter, type Quarter, shiftQuarter } from '../core/quarter';
import { renderSummaryTable } from '../core/report/format/summary-table';
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
  // Some met, some not, so the email shows both; Cost to Support's is a ceiling.
  targets: {
    clientIndependenceRate: { value: 60 },
    selfServiceAdoptionRate: { value: 75 },
    netPromoterScore: { value: 40 },
    costToSupportPerClient: { value: 130, direction: 'lower' },
  },
  email: {
    from: 'KPI report <kpi-report@northwind.example>',
    unsubscribeAddress: 'kpi-owner@northwind.example',
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

export interface DemoOptions {
  /** The data root to create, e.g. `./data`. */
  readonly root: string;
  /** Where the narrative goes (stdout for `npm run demo`). */
  readonly print: (text: string) => void;
  /** Where read progress goes; omit for none. */
  readonly progress?: NodeJS.WriteStream;
}

export async function runDemo(options: DemoOptions) {
  const { root, print } = options;
  const latest = parseQuarter(DEMO_LATEST_QUARTER) as Quarter;
  const quarters = Array.from({ length: DEMO_QUARTERS }, (_, i) =>
    shiftQuarter(latest, i - DEMO_QUARTERS + 1),
  );

  print(`Generating ${DEMO_QUARTERS} quarters of demo exports in ${root}/exports/ …\n`);
  const summary = await generateExports({
    root,
    quarters: quarters.map(formatQuarter),
    clients: 1_500,
    seed: 2026,
  });
  const rows = summary.quarters.flatMap((q) => q.files).reduce((sum, file) => sum + file.rows, 0);
  print(`  ${rows.toLocaleString('en-US')} rows written.\n\n`);

  const store = new LocalExportStore(root);
  const config = parseConfig(DEMO_CONFIG);
  const now = new Date();
  print('Publishing the earlier quarters, oldest first:\n');
  const outcomes = await backfill({
    store,
    config,
    now,
    quarters: quarters.slice(0, -1),
    onQuarterDone: (outcome) =>
      print(
        outcome.ok
          ? `  ${outcome.quarter}: ${outcome.result.snapshotKey}\n`
          : `  ${outcome.quarter}: FAILED\n`,
      ),
  });
  const failed = outcomes.find((outcome) => !outcome.ok);
  if (failed && !failed.ok) throw failed.error;

  print(`\nRunning ${DEMO_LATEST_QUARTER}:\n`);
  const result = await runQuarter({
    store,
    config,
    quarter: latest,
    now,
    onProgress: options.progress && createProgressReporter(options.progress).onProgress,
  });
  print(`\n${renderSummaryTable(result.snapshot)}\n\n`);
  print(`Wrote ${root}/${result.snapshotKey}\n`);

  print('\nRendering the email (no AWS account needed: messages go to the report folder):\n');
  const email = await deliverReport({
    store,
    config,
    snapshot: result.snapshot,
    ...(await openEmailRendering(config)),
    mailer: new OutboxMailer({ store, quarter: DEMO_LATEST_QUARTER }),
    runId: 'demo',
    onEvent: (line) => print(`  ${line}\n`),
    // The outbox writes files: said as such, as the CLI says it.
    onOutcome: (outcome) =>
      print(
        outcome.status === 'sent'
          ? `    ${outcome.recipient}: written to the outbox: ${root}/${outcome.messageId}\n`
          : `    ${outcome.recipient}: ${outcome.status}: ${outcome.reason}\n`,
      ),
  });
  const configFile = path.join(root, 'demo-config.json');
  await writeFile(configFile, `${JSON.stringify(DEMO_CONFIG, null, 2)}\n`);
  print(`\nOpen the report in a browser: ${root}/${email.htmlKey}\n`);
  print('Try next:\n');
  print(
    `  npm run cli -- validate --data ${root} --quarter ${DEMO_LATEST_QUARTER}   (what was rejected, and why)\n`,
  );
  print(
    `  npm run cli -- preview --data ${root} --quarter ${DEMO_LATEST_QUARTER} --config ${configFile}   (after editing templates/)\n`,
  );
  return { snapshot: result.snapshot, email };
}
