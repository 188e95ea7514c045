/**
 * Publishes a snapshot for every quarter that has an export set, oldest first, so that
 * each quarter's trends read the snapshots written just before it.
 */
import { ExportSetError } from '../core/errors';
import type { ExportStore } from '../core/ports';
import { compareQuarters, formatQuarter, parseQuarter, type Quarter } from '../core/quarter';
import { type RunQuarterOptions, type RunQuarterResult, runQuarter } from './run-quarter';

export async function listExportQuarters(store: ExportStore): Promise<Quarter[]> {
  const labels = new Set<string>();
  for await (const object of store.list('exports/')) {
    const label = object.key.split('/')[1];
    if (label !== undefined && parseQuarter(label)) labels.add(label);
  }
  return [...labels].map((label) => parseQuarter(label) as Quarter).sort(compareQuarters);
}

export type BackfillOutcome =
  | { readonly quarter: string; readonly ok: true; readonly result: RunQuarterResult }
  | { readonly quarter: string; readonly ok: false; readonly error: ExportSetError };

export async function backfill(
  options: Omit<RunQuarterOptions, 'quarter'> & {
    readonly quarters?: readonly Quarter[];
    readonly onQuarterDone?: (outcome: BackfillOutcome) => void;
  },
): Promise<BackfillOutcome[]> {
  const quarters = options.quarters ?? (await listExportQuarters(options.store));
  const outcomes: BackfillOutcome[] = [];
  for (const quarter of quarters) {
    const label = formatQuarter(quarter);
    let outcome: BackfillOutcome;
    try {
      outcome = { quarter: label, ok: true, result: await runQuarter({ ...options, quarter }) };
    } catch (error) {
      // A bad quarter does not stop the others; anything but bad exports does.
      if (!(error instanceof ExportSetError)) throw error;
      outcome = { quarter: label, ok: false, error };
    }
    outcomes.push(outcome);
    options.onQuarterDone?.(outcome);
  }
  return outcomes;
}
