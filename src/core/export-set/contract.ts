/**
 * The export contract's datasets and columns (spec/exports.md, version 1), as data, so
 * that discovery, header checks and documentation all read from one place.
 */

export const DATASET_NAMES = ['clients', 'interactions', 'services', 'surveys', 'support_costs'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const SEGMENT_COLUMNS = ['product', 'size', 'industry', 'region'] as const;

/** The datasets of events, each row dated in the quarter or not (the plausibility guards read them). */
export const DATED_DATASETS = [
  'interactions',
  'surveys',
  'support_costs',
] as const satisfies readonly DatasetName[];
export type DatedDataset = (typeof DATED_DATASETS)[number];

export interface DatasetContract {
  readonly name: DatasetName;
  /** A run fails without it. */
  readonly required: boolean;
  /** Columns every header must have. */
  readonly requiredColumns: readonly string[];
  /** Columns read when present; an absent one reads as empty. */
  readonly optionalColumns: readonly string[];
  /** The column whose values must be unique, if any. */
  readonly uniqueColumn?: string;
  /** What the KPIs lose when this optional dataset is absent. */
  readonly neededFor?: string;
}

export const DATASETS: Record<DatasetName, DatasetContract> = {
  clients: {
    name: 'clients',
    required: true,
    requiredColumns: ['client_id', 'customer_since'],
    optionalColumns: ['churned_on', ...SEGMENT_COLUMNS],
    uniqueColumn: 'client_id',
  },
  interactions: {
    name: 'interactions',
    required: true,
    requiredColumns: ['interaction_id', 'client_id', 'occurred_at', 'channel'],
    optionalColumns: [],
    uniqueColumn: 'interaction_id',
  },
  services: {
    name: 'services',
    required: false,
    requiredColumns: ['client_id', 'service', 'started_on'],
    optionalColumns: ['ended_on'],
    neededFor: 'Client Relationship Depth',
  },
  surveys: {
    name: 'surveys',
    required: false,
    requiredColumns: ['response_id', 'client_id', 'submitted_at', 'survey', 'score'],
    optionalColumns: ['scale_max'],
    uniqueColumn: 'response_id',
    neededFor: 'CESS and Net Promoter Score',
  },
  support_costs: {
    name: 'support_costs',
    required: false,
    requiredColumns: ['incurred_on', 'amount'],
    optionalColumns: ['client_id', 'category'],
    neededFor: 'Cost to Support',
  },
};

/** The datasets a run cannot do without. */
export const REQUIRED_DATASETS: readonly DatasetName[] = DATASET_NAMES.filter(
  (name) => DATASETS[name].required,
);

/** Normalises a header cell: names match case-insensitively after trimming. */
export function normaliseColumnName(name: string): string {
  return name.trim().toLowerCase();
}

/** Whether a file is read as gzip: its name ends in `.gz`, in any case (`INTERACTIONS.CSV.GZ`). */
export function isGzipName(name: string): boolean {
  return /\.gz$/i.test(name);
}
