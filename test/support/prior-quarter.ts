/**
 * Gives a one-quarter fixture a history: its snapshot, published again under the previous
 * quarter's label, so that a second run has a trend to chart and changes to show.
 */
import type { ExportStore } from '../../src/core/ports';
import { formatQuarter, parseQuarter, shiftQuarter } from '../../src/core/quarter';
import type { Snapshot } from '../../src/core/snapshot';
import { reportKeys } from '../../src/use-cases/report-keys';

export async function publishAsPreviousQuarter(store: ExportStore, snapshot: Snapshot): Promise<string> {
  const current = parseQuarter(snapshot.quarter);
  if (current === undefined) throw new Error(`not a quarter: ${snapshot.quarter}`);
  const previous = formatQuarter(shiftQuarter(current, -1));
  const copy: Snapshot = { ...snapshot, quarter: previous };
  await store.write(reportKeys.snapshot(previous), JSON.stringify(copy), 'application/json');
  return previous;
}
