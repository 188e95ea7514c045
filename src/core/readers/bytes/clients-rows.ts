/**
 * A parsed chunk of clients.csv as the parser (clients-reader.ts, on any thread) hands it to
 * the fold (clients-fold.ts, on the main thread): rows as columns of one Int32Array, with
 * the ids as offsets into the chunk's bytes. Structured-clone friendly.
 */
import type { RejectionExample } from '../../aggregate/partial-aggregate';
import type { Config } from '../../config';
import type { ChunkFault } from './chunk-plan';

/** Everything a thread needs to parse chunks of one clients.csv file; structured-clone friendly. */
export interface ClientsPlan {
  readonly dataset: 'clients';
  readonly headerLength: number;
  /** Column names read, in order: client_id, customer_since, churned_on, then the dimensions. */
  readonly names: readonly string[];
  /** Header index of each name, or -1. */
  readonly columns: readonly number[];
  readonly config: Pick<Config, 'channelLabels' | 'timeZone' | 'maxRowBytes'>;
}

/** `ParsedClients.rows` columns, per row: the line, then the id, dates and segment values. */
export const LINE = 0;
/** Where the id is in the chunk's bytes; or ID_IN_NOTES, or REJECTED. */
export const ID_START = 1;
export const ID_END = 2;
export const SINCE = 3;
export const CHURNED = 4;
/** The id's hash (`hashOut[1]` of its bytes), so that the fold can look its slot up ahead. */
export const ID_HASH = 5;
/** Then one column per dimension: an index into `values`, or -1 for no value. */
export const SEGMENTS = 6;

/** The id is not plain bytes of the chunk: the zod path read it, and `notes` holds it. */
export const ID_IN_NOTES = -1;
/** The row was rejected: `notes` holds the reason. */
export const REJECTED = -2;

/** A chunk of clients.csv, parsed: every row in file order, ready to be given its index. */
export interface ParsedClients {
  readonly rowCount: number;
  readonly lines: number;
  /**
   * `rowCount` rows of SEGMENTS + dimensions columns (see the column constants), at the
   * start of a buffer that may be longer: hand it back to `read` for a later chunk.
   */
  readonly rows: Int32Array;
  /** Per dimension, the distinct values of this chunk, indexed by the segment columns. */
  readonly values: string[][];
  /** Row → its id (ID_IN_NOTES) or its rejection reason (REJECTED). */
  readonly notes: Map<number, string>;
  /** Ids of rows the zod path rejected, to explain references to them. */
  readonly rejectedIds: string[];
  /** Rejected rows that weigh more than one row (they span lines): row → weight. */
  readonly weights: Map<number, number>;
  /** A record that stops the file, with its line; the chunk was read up to it. */
  readonly fault?: ChunkFault;
}

export interface ClientsChunkResult {
  rows: number;
  rejected: number;
  /** Positions relative to the chunk's first line. */
  examples: RejectionExample[];
  lines: number;
  fault?: ChunkFault;
}
