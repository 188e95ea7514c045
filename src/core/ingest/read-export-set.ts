/**
 * Reads one quarter's export set in a single pass per file: clients first (every other
 * dataset refers to them), then interactions, services, surveys and support costs, each
 * row validated by its zod schema and folded into per-client state.
 */

import type { Config } from '../config';
import {
  DATASET_NAMES,
  DATASETS,
  DATED_DATASETS,
  type DatasetName,
  type DatedDataset,
  SEGMENT_COLUMNS,
} from '../datasets/contract';
import { addDatedRow, type DatedRows, emptyDatedRows, summariseDatedRows } from '../datasets/dated-rows';
import { clientReferenceReason, repeatedIdReason } from '../datasets/reading-rules';
import { createRowSchemas, describeRowError } from '../datasets/row-schemas';
import { inUseDuring } from '../datasets/service-use';
import { dayInZone } from '../dates';
import { excerpt } from '../excerpt';
import type { ExportStore } from '../ports';
import type { QuarterPeriod } from '../quarter';
import { ClientBook } from './client-book';
import { type DiscoveredExportSet, discoverExportSet } from './discover-export-set';
import { IdHashSet } from './id-hash-set';
import { plausibilityProblems } from './plausibility';
import { QuarterActivity } from './quarter-activity';
import {
  type DatasetQuality,
  emptyQuality,
  type ReadProgress,
  type RowHandler,
  type RowRejection,
  readDataset,
} from './read-dataset';

export interface ExportSetReading {
  readonly book: ClientBook;
  readonly activity: QuarterActivity;
  readonly dataQuality: Record<DatasetName, DatasetQuality>;
  /** Reasons the set cannot be reported on; empty when it can. */
  readonly problems: string[];
  /** Things worth knowing that do not stop a run. */
  readonly warnings: string[];
  /** Whether the only problems are required datasets not uploaded yet (an upload in progress). */
  readonly incomplete: boolean;
}

export interface ReadExportSetOptions {
  readonly store: ExportStore;
  readonly period: QuarterPeriod;
  readonly config: Config;
  readonly onProgress?: ((progress: ReadProgress) => void) | undefined;
}

export async function readExportSet(
  options: ReadExportSetOptions & {
    /** Told of every rejected row (the fast reader keeps only the first examples). */
    readonly onRejected?: ((rejection: RowRejection) => void) | undefined;
  },
): Promise<ExportSetReading> {
  const { store, period, config, onProgress, onRejected } = options;
  const { discovered, dataQuality, problems, incomplete } = await discoverForReading(store, period);
  const warnings: string[] = [];
  const schemas = createRowSchemas(config, dayInZone(config.timeZone));
  const inQuarter = (day: number) => day >= period.start && day <= period.end;

  if (problems.length > 0) return unreadableSet(dataQuality, problems, warnings, incomplete);
  const read = (
    dataset: DatasetName,
    columns: readonly string[] | ((header: readonly string[]) => readonly string[]),
    onRow: RowHandler,
  ) =>
    readDataset({
      store,
      contract: DATASETS[dataset],
      files: discovered.files[dataset] ?? [],
      columns,
      quality: dataQuality[dataset],
      onRow,
      maxRowBytes: config.maxRowBytes,
      onProgress,
      onRejected,
    });

  // Clients: the header decides which segment dimensions exist.
  let book = new ClientBook([]);
  const chooseClientColumns = (header: readonly string[]) => {
    const dimensions = segmentDimensions(header, config, warnings);
    book = new ClientBook(dimensions);
    return ['client_id', 'customer_since', 'churned_on', ...dimensions];
  };
  const clientsProblems = await read('clients', chooseClientColumns, (row) => {
    const parsed = schemas.clients.safeParse(row);
    if (!parsed.success) {
      if (row.client_id !== undefined) book.rejectedIds.add(row.client_id);
      return describeRowError(parsed.error);
    }
    const { client_id, customer_since, churned_on } = parsed.data;
    const segments = book.dimensions.map((dimension) => row[dimension.name]);
    if (!book.add(client_id, customer_since, churned_on, segments)) {
      return { repeated: repeatedIdReason('client_id', client_id) };
    }
    return undefined;
  });
  problems.push(...clientsProblems);
  // clients.csv not read in full: no client counts, whichever reader got however far.
  if (problems.length > 0) return unreadableSet(dataQuality, problems, warnings, false);

  const activity = new QuarterActivity(book.size);
  const clientIndex = (id: string): number | string => {
    const index = book.indexOf(id);
    if (index !== undefined) return index;
    return clientReferenceReason(id, book.rejectedIds.has(id));
  };

  const dated = {
    interactions: emptyDatedRows(),
    surveys: emptyDatedRows(),
    support_costs: emptyDatedRows(),
  } satisfies Record<DatedDataset, DatedRows>;
  const interactionIds = new IdHashSet();
  const interactionsProblems = await read('interactions', DATASETS.interactions.requiredColumns, (row) => {
    const parsed = schemas.interactions.safeParse(row);
    if (!parsed.success) return describeRowError(parsed.error);
    const { interaction_id, client_id, occurred_at, channel } = parsed.data;
    const client = clientIndex(client_id);
    if (typeof client === 'string') return client;
    addDatedRow(dated.interactions, occurred_at, inQuarter(occurred_at));
    if (!interactionIds.add(interaction_id)) {
      return { repeated: repeatedIdReason('interaction_id', interaction_id) };
    }
    if (inQuarter(occurred_at)) activity.addInteraction(client, channel);
    return undefined;
  });
  problems.push(...interactionsProblems);

  const servicesProblems = await read(
    'services',
    ['client_id', 'service', 'started_on', 'ended_on'],
    (row) => {
      const parsed = schemas.services.safeParse(row);
      if (!parsed.success) return describeRowError(parsed.error);
      const { client_id, service, started_on, ended_on } = parsed.data;
      const client = clientIndex(client_id);
      if (typeof client === 'string') return client;
      activity.catalog.add(service);
      if (inUseDuring(period, started_on, ended_on)) activity.addServiceInUse(client, service);
      return undefined;
    },
  );
  problems.push(...servicesProblems);

  const responseIds = new IdHashSet();
  const surveysProblems = await read('surveys', [...DATASETS.surveys.requiredColumns, 'scale_max'], (row) => {
    const parsed = schemas.surveys.safeParse(row);
    if (!parsed.success) return describeRowError(parsed.error);
    const { response_id, client_id, submitted_at, survey, score, scale_max } = parsed.data;
    const client = clientIndex(client_id);
    if (typeof client === 'string') return client;
    addDatedRow(dated.surveys, submitted_at, inQuarter(submitted_at));
    if (!responseIds.add(response_id)) {
      return { repeated: repeatedIdReason('response_id', response_id) };
    }
    if (inQuarter(submitted_at)) {
      if (survey === 'cess') activity.addCessResponse(client, score, scale_max ?? 100);
      else activity.addNpsResponse(client, score);
    }
    return undefined;
  });
  problems.push(...surveysProblems);

  const costsProblems = await read('support_costs', ['incurred_on', 'amount', 'client_id'], (row) => {
    const parsed = schemas.support_costs.safeParse(row);
    if (!parsed.success) return describeRowError(parsed.error);
    const { incurred_on, amount, client_id } = parsed.data;
    let client: number | undefined;
    if (client_id !== undefined) {
      const found = clientIndex(client_id);
      if (typeof found === 'string') return found;
      client = found;
    }
    addDatedRow(dated.support_costs, incurred_on, inQuarter(incurred_on));
    if (inQuarter(incurred_on)) activity.addCost(client, amount);
    return undefined;
  });
  problems.push(...costsProblems);

  for (const dataset of DATED_DATASETS) {
    // A dataset that could not be read has no counts (see failedDataset).
    const quality = dataQuality[dataset];
    if (quality.files.length > 0) quality.dated = summariseDatedRows(dated[dataset]);
  }
  problems.push(...rejectLimitProblems(dataQuality, config.rejectLimitPercent));
  problems.push(...plausibilityProblems(dataQuality, period, config));
  warnings.push(...setWarnings(discovered, dataQuality));
  return {
    book,
    activity: measurable(activity, problems),
    dataQuality,
    problems,
    warnings,
    incomplete: false,
  };
}

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

/** The segment dimensions clients.csv offers, warning about configured ones it lacks. */
export function segmentDimensions(header: readonly string[], config: Config, warnings: string[]): string[] {
  const dimensions = [...new Set([...SEGMENT_COLUMNS, ...config.segmentColumns])].filter((column) =>
    header.includes(column),
  );
  for (const column of config.segmentColumns) {
    if (!header.includes(column)) {
      warnings.push(`the configured segment column '${column}' is not in clients.csv; it is skipped`);
    }
  }
  return dimensions;
}

/** Warnings about the set as a whole, once it has been read. */
export function setWarnings(
  discovered: DiscoveredExportSet,
  dataQuality: Record<DatasetName, DatasetQuality>,
): string[] {
  const warnings: string[] = [];
  for (const name of DATASET_NAMES) {
    const contract = DATASETS[name];
    if (!dataQuality[name].present && contract.neededFor) {
      warnings.push(`${name} is not in the export set, so ${contract.neededFor} cannot be computed (n/a)`);
    }
  }
  if (discovered.unrecognised.length > 0) {
    warnings.push(`ignored files that match no dataset: ${excerpt(discovered.unrecognised.join(', '), 200)}`);
  }
  return warnings;
}

export function missingDatasets(discovered: DiscoveredExportSet, location: string): string[] {
  if (discovered.empty) {
    return [`there is no export set at ${location}/${discovered.prefix}; upload the quarter's exports there`];
  }
  const hint =
    discovered.unrecognised.length > 0 ? ` (found ${excerpt(discovered.unrecognised.join(', '), 200)})` : '';
  return DATASET_NAMES.filter((name) => DATASETS[name].required && discovered.files[name] === undefined).map(
    (name) =>
      `the required dataset ${name} is missing: upload ${discovered.prefix}${name}.csv (or .csv.gz, or a ${name}/ folder of parts)${hint}`,
  );
}

export function rejectLimitProblems(
  dataQuality: Record<DatasetName, DatasetQuality>,
  limitPercent: number,
): string[] {
  return DATASET_NAMES.flatMap((name) => {
    const { rows, rejected } = dataQuality[name];
    if (rows === 0 || (rejected / rows) * 100 <= limitPercent) return [];
    const share = ((rejected / rows) * 100).toFixed(1);
    return [
      `${name}: ${rejected} of ${rows} rows (${share}%) were rejected, over the ${limitPercent}% limit; fix the rows listed in the data-quality report (or raise rejectLimitPercent) and run again`,
    ];
  });
}
