/**
 * `kpi-report backfill`: every quarter that has an export set, oldest first. One line per
 * quarter as it is done, then the last quarter's table; with `--json`, one document.
 */
import { OpenQuarterError } from '../core/errors';
import { renderSummaryTable } from '../core/report/format/summary-table';
import { type BackfillOutcome, backfill } from '../use-cases/backfill';
import type { CommandContext } from './command-context';
import { type BackfillDocument, backfillDocumentSchema, jsonLine } from './json-output';
import type { Output } from './output';

export async function backfillCommand(context: CommandContext, output: Output): Promise<number> {
  const { store } = context;
  const ignoredFolders: BackfillDocument['ignoredFolders'] = [];
  const quarters: BackfillDocument['quarters'] = [];
  const outcomes = await backfill({
    store,
    config: context.config,
    now: context.now,
    onProgress: context.progress?.onProgress,
    reader: context.reader,
    allowOpenQuarter: context.allowOpenQuarter,
    onIgnoredFolder: (ignored) => {
      ignoredFolders.push(ignored);
      output.warn(`warning: ${ignored.reason}`);
    },
    onQuarterDone: (outcome) => {
      const entry = quarterEntry(outcome, store.location);
      quarters.push(entry);
      output.result(
        entry.status === 'written'
          ? `${entry.quarter}: wrote ${entry.snapshot}`
          : entry.status === 'skipped'
            ? `${entry.quarter}: skipped: ${entry.message}`
            : `${entry.quarter}: FAILED\n${entry.message}`,
      );
      context.progress?.restart();
    },
  });
  if (outcomes.length === 0) {
    output.warn(`No export sets found under ${store.location}/exports/; nothing to do.`);
  }
  const last = outcomes.at(-1);
  if (last?.ok) output.result(`\n${renderSummaryTable(last.result.snapshot)}`);
  // Anything not published (a failed or skipped quarter, a misnamed folder, nothing at all) needs a look: exit 1.
  const ok = outcomes.length > 0 && outcomes.every((outcome) => outcome.ok) && ignoredFolders.length === 0;
  const exitCode = ok ? 0 : 1;
  if (output.json) {
    output.document(
      jsonLine(backfillDocumentSchema, {
        command: 'backfill',
        ok,
        exitCode,
        config: context.configFile ?? null,
        quarters,
        ignoredFolders,
      }),
    );
  }
  return exitCode;
}

function quarterEntry(outcome: BackfillOutcome, location: string): BackfillDocument['quarters'][number] {
  if (outcome.ok) {
    return {
      quarter: outcome.quarter,
      status: 'written',
      snapshot: `${location}/${outcome.result.snapshotKey}`,
    };
  }
  const skipped = outcome.error instanceof OpenQuarterError;
  return { quarter: outcome.quarter, status: skipped ? 'skipped' : 'failed', message: outcome.error.message };
}
