/**
 * Publishes a snapshot for every quarter that has an export set, oldest first, so that
 * each quarter's trends read the snapshots written just before it. A quarter that has not
 * ended is skipped (as `run` refuses it), and a folder under `exports/` that looks like a
 * quarter but is not named like one (`2026-q3`, `2026Q3`, `2026-Q5`) is named, not silently
 * passed over.
 */
import { ExportSetError, OpenQuarterError } from '../core/errors';
import type { ExportStore } from '../core/ports';
import { compareQuarters, formatQuarter, parseQuarter, type Quarter } from '../core/quarter';
import { type RunQuarterOptions, type RunQuarterResult, runQuarter } from './run-quarter';

/** A folder under `exports/` that is not read, and why. */
export interface IgnoredFolder {
  readonly folder: string;
  readonly reason: string;
}

/** The quarter folders under `exports/`, oldest first, and the folders that only look like one. */
export async function listExportQuarters(
  store: ExportStore,
): Promise<{ quarters: Quarter[]; ignored: IgnoredFolder[] }> {
  const labels = new Set<string>();
  const others = new Set<string>();
  for await (const object of store.list('exports/')) {
    const [, folder, ...rest] = object.key.split('/');
    if (folder === undefined || rest.length === 0) continue;
    if (parseQuarter(folder)) labels.add(folder);
    else others.add(folder);
  }
  const ignored = [...others].flatMap((folder) => {
    const reason = lookAlikeReason(folder);
    return reason === undefined ? [] : [{ folder, reason }];
  });
  return {
    quarters: [...labels].map((label) => parseQuarter(label) as Quarter).sort(compareQuarters),
    ignored,
  };
}

/** Why a folder that looks like a quarter is not read as one, or undefined when it does not look like one. */
function lookAlikeReason(folder: string): string | undefined {
  const match = /^(\d{4})[-_ ]?q(\d+)$/i.exec(folder) ?? /^q(\d+)[-_ ]?(\d{4})$/i.exec(folder);
  if (!match) return undefined;
  const [year, index] = /^q/i.test(folder) ? [match[2], match[1]] : [match[1], match[2]];
  const label = `${year}-Q${Number(index)}`;
  return parseQuarter(label)
    ? `exports/${folder}/ looks like a quarter but is not named like one; rename it exports/${label}/ to have it read`
    : `exports/${folder}/ looks like a quarter but a year has quarters 1 to 4; move its files to the right exports/YYYY-Qn/ folder`;
}

export type BackfillOutcome =
  | { readonly quarter: string; readonly ok: true; readonly result: RunQuarterResult }
  /** The quarter's exports cannot be reported on, or (OpenQuarterError) it has not ended and was skipped. */
  | { readonly quarter: string; readonly ok: false; readonly error: ExportSetError | OpenQuarterError };

export async function backfill(
  options: Omit<RunQuarterOptions, 'quarter'> & {
    readonly quarters?: readonly Quarter[];
    readonly onQuarterDone?: (outcome: BackfillOutcome) => void;
    /** Told of each folder under `exports/` that looks like a quarter but is not read. */
    readonly onIgnoredFolder?: (ignored: IgnoredFolder) => void;
  },
): Promise<BackfillOutcome[]> {
  let quarters = options.quarters;
  if (quarters === undefined) {
    const listed = await listExportQuarters(options.store);
    for (const ignored of listed.ignored) options.onIgnoredFolder?.(ignored);
    quarters = listed.quarters;
  }
  const outcomes: BackfillOutcome[] = [];
  for (const quarter of quarters) {
    const label = formatQuarter(quarter);
    let outcome: BackfillOutcome;
    try {
      outcome = { quarter: label, ok: true, result: await runQuarter({ ...options, quarter }) };
    } catch (error) {
      // A bad or unfinished quarter does not stop the others; anything but bad exports does.
      if (!(error instanceof ExportSetError || error instanceof OpenQuarterError)) throw error;
      outcome = { quarter: label, ok: false, error };
    }
    outcomes.push(outcome);
    options.onQuarterDone?.(outcome);
  }
  return outcomes;
}
