/**
 * Reads one quarter's export set in a single pass per file: clients first (every other
 * dataset refers to them), then interactions, services, surveys and support costs, each
 * row validated by its zod schema and folded into per-client state.
 */

import { ClientBook } from '../../client-state/client-book';
import { QuarterActivity } from '../../client-state/quarter-activity';
import { IdHashSet } from '../../collections/id-hash-set';
import { dayInZone } from '../../dates';
import { DATASETS, DATED_DATASETS, type DatasetName, type DatedDataset } from '../../export-set/contract';
import { addDatedRow, type DatedRows, emptyDatedRows, summariseDatedRows } from '../../export-set/dated-rows';
import { plausibilityProblems } from '../../export-set/plausibility';
import {
  clientReferenceReason,
  rejectLimitProblems,
  repeatedIdReason,
  segmentDimensions,
  setWarnings,
} from '../../export-set/row-rules';
import { createRowSchemas, describeRowError } from '../../export-set/row-schemas';
import { inUseDuring } from '../../export-set/service-use';
import type { ExportSetReading, ReadExportSetOptions } from '../export-set-reader';
import { discoverForReading, measurable, unreadableSet } from '../set-reading';
import { type RowHandler, type RowRejection, readDataset } from './read-dataset';

export async function readExportSet(
  options: ReadExportSetOptions & {
    /** Told of every rejected row (the bytes reader keeps only the first examples). */
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
    const dimensions = segmentDimensions(header, config.segmentColumns, warnings);
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
