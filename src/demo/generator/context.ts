/**
 * What the generation of every dataset shares: the context of the whole generation (the
 * seeded random streams, the book, the options), the frame of the quarter being written,
 * the book's clients active in it, and the files written so far. The datasets' columns are
 * the contract's (`src/core/export-set/contract.ts`), required ones first.
 */
import { DATASETS, type DatasetName } from '../../core/export-set/contract';
import type { Quarter } from '../../core/quarter';
import type { Prng } from '../prng';
import type { DayNames } from './calendar';
import type { Client } from './client';

export type { DatasetName } from '../../core/export-set/contract';

/** A dataset's columns as the generator writes them: the contract's required ones, then its optional ones. */
function columnsOf(name: DatasetName): readonly string[] {
  return [...DATASETS[name].requiredColumns, ...DATASETS[name].optionalColumns];
}

/** The contract's columns, in the order the generator writes them. */
export const DATASET_COLUMNS: Readonly<Record<DatasetName, readonly string[]>> = {
  clients: columnsOf('clients'),
  interactions: columnsOf('interactions'),
  services: columnsOf('services'),
  surveys: columnsOf('surveys'),
  support_costs: columnsOf('support_costs'),
};

export interface GeneratedFile {
  /** Key relative to the data root, `/`-separated, e.g. `exports/2026-Q3/clients.csv`. */
  path: string;
  /** Data rows (the header not counted), bad rows included. */
  rows: number;
  /** Size on disk (compressed size for `.gz`). */
  bytes: number;
  dataset: DatasetName;
  /** Rows deliberately made bad: each one is rejected by a run with the default configuration. */
  badRows: number;
  /** The bad rows by kind, e.g. `{ "duplicate interaction_id": 1, "channel 'phone'": 2 }`. */
  badRowKinds: Record<string, number>;
}

/** What `onProgress` is told now and then: a dataset and the rows written so far. */
export interface GenerationProgress {
  readonly quarter: string;
  readonly dataset: string;
  readonly rows: number;
}

export interface Context {
  readonly rng: (quarterOrdinal: number, stream: number) => Prng;
  readonly days: DayNames;
  readonly interactionsPerClient: number;
  readonly badRowShare: number;
  readonly interactionParts: number;
  readonly root: string;
  readonly onProgress: ((event: GenerationProgress) => void) | undefined;
  readonly book: Client[];
}

// PRNG streams, so that each concern draws from its own sequence.
export const STREAM_BOOK = 1;
export const STREAM_INTERACTIONS = 2;
export const STREAM_SURVEYS = 3;
export const STREAM_COSTS = 4;
export const STREAM_BAD = 5;
export const STREAM_SERVICES = 6;
export const STREAM_INTERACTION_ROWS = 7;
export const INITIAL_BOOK_ORDINAL = -1;

export interface ActiveClient {
  readonly client: Client;
  /** First and last day (inclusive) as a customer within the quarter. */
  readonly from: number;
  readonly to: number;
  /** Chance that an interaction is self-service. */
  readonly share: number;
  readonly interactions: number;
}

export interface QuarterFrame {
  readonly quarter: Quarter;
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly directory: string;
  readonly files: GeneratedFile[];
  /** `YYYY-MM-DD` of days start-1 … end+1, indexed by day - (start - 1). */
  readonly dayNames: string[];
  /** Keep clients' and services' CSV rows for later quarters (not worth the memory in the last one). */
  readonly keepRows: boolean;
}
