/**
 * The start and end both readers share: the set's files and an empty account per dataset
 * before any row, the reading of a set that cannot be read, and what is measured of one
 * with problems.
 */
import { ClientBook } from '../client-state/client-book';
import { QuarterActivity } from '../client-state/quarter-activity';
import { DATASET_NAMES, type DatasetName } from '../export-set/contract';
import { type DatasetQuality, emptyQuality } from '../export-set/dataset-quality';
import { discoverExportSet } from '../export-set/discover-export-set';
import { missingDatasets } from '../export-set/row-rules';
import type { ExportStore } from '../ports';
import type { QuarterPeriod } from '../quarter';
import type { ExportSetReading } from './export-set-reader';

/**
 * What both readers start from: the set's files, an empty data-quality account per dataset,
 * and the problems that stop a reading before any row (with whether they only mean an
 * upload still in progress).
 */
export async function discoverForReading(store: ExportStore, period: QuarterPeriod) {
  const discovered = await discoverExportSet(store, period.label);
  const dataQuality = Object.fromEntries(
    DATASET_NAMES.map((name) => [name, emptyQuality(discovered.files[name] !== undefined)]),
  ) as Record<DatasetName, DatasetQuality>;
  const missing = missingDatasets(discovered, store.location);
  const problems = [...discovered.problems, ...missing];
  const incomplete = missing.length > 0 && discovered.problems.length === 0;
  return { discovered, dataQuality, problems, incomplete };
}

/** The reading of a set that could not be read: its problems, and nothing measured. */
export function unreadableSet(
  dataQuality: Record<DatasetName, DatasetQuality>,
  problems: string[],
  warnings: string[],
  incomplete: boolean,
): ExportSetReading {
  return {
    book: new ClientBook([]),
    activity: new QuarterActivity(0),
    dataQuality,
    problems,
    warnings,
    incomplete,
  };
}

/**
 * The activity read, or none when the set has problems: what a dataset that stopped half-way
 * added depends on where each reader had got to, and nothing is measured from it.
 */
export function measurable(activity: QuarterActivity, problems: readonly string[]): QuarterActivity {
  return problems.length === 0 ? activity : new QuarterActivity(0);
}
