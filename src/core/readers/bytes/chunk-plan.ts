/**
 * What the bytes reader's executor is given and gives back for one chunk: the plan of a
 * dataset's chunks (structured-clone friendly, for worker threads) and a chunk's result.
 */
import type { PartialAggregate } from '../../aggregate/partial-aggregate';
import type { Config } from '../../config';
import type { DatasetName } from '../../export-set/contract';
import type { RecordFault } from '../../export-set/row-rules';
import type { ClientTableBuffers } from './client-table';

/** The columns each dataset's rows are read by, in this order (as the simple reader). */
export const CHUNK_COLUMNS = {
  interactions: ['interaction_id', 'client_id', 'occurred_at', 'channel'],
  services: ['client_id', 'service', 'started_on', 'ended_on'],
  surveys: ['response_id', 'client_id', 'submitted_at', 'survey', 'score', 'scale_max'],
  support_costs: ['incurred_on', 'amount', 'client_id'],
} as const satisfies Partial<Record<DatasetName, readonly string[]>>;

export type ChunkedDataset = keyof typeof CHUNK_COLUMNS;

/** Everything a worker needs to read chunks of one dataset; structured-clone friendly. */
export interface DatasetPlan {
  readonly dataset: ChunkedDataset;
  readonly fileIndex: number;
  readonly headerLength: number;
  /** Header index of each of CHUNK_COLUMNS[dataset], or -1 when absent. */
  readonly columns: readonly number[];
  readonly period: { readonly start: number; readonly end: number };
  readonly config: Pick<Config, 'channelLabels' | 'timeZone' | 'maxRowBytes'>;
  readonly clients: ClientTableBuffers;
  readonly rejectedClientIds: readonly string[];
}

/** A partial aggregate of one chunk, with positions relative to the chunk's first line. */
export interface ChunkResult {
  readonly partial: PartialAggregate;
  /** Lines in the chunk, so that the next chunk's lines can be numbered. */
  readonly lines: number;
  /** A record that stops the file (row-rules.ts), with its line; the chunk was read up to it. */
  readonly fault?: ChunkFault;
}

/** A record that cannot be read on, at a line relative to its chunk's first line. */
export interface ChunkFault {
  readonly line: number;
  readonly fault: RecordFault;
}
