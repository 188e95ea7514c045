/**
 * Where the bytes reader's chunks are read: worker threads (adapters/workers/) or this
 * thread (`inlineChunkExecutor`). The reader hands out chunks and takes the results back in
 * file order; the executor only reads.
 */
import type { ChunkResult, DatasetPlan } from './chunk-plan';
import type { ClientsPlan, ParsedClients } from './clients-rows';

/** Reads chunks of a dataset somewhere: worker threads, or this thread. */
export interface ChunkExecutor {
  /** How many chunks it reads at once. */
  readonly parallelism: number;
  /** `spareClaims`: a buffer of claims done with, for the reader to reuse (see `ClaimsBuilder`). */
  read(plan: DatasetPlan, chunk: Uint8Array, spareClaims?: ArrayBuffer): Promise<ReadChunk>;
  /**
   * Parses a chunk of clients.csv; the chunk comes back too, since the ids are offsets into
   * it. `spareRows`: the rows buffer of an earlier parsed chunk, done with, to reuse.
   */
  parseClients(plan: ClientsPlan, chunk: Uint8Array, spareRows?: ArrayBuffer): Promise<ParsedClientsChunk>;
  close(): Promise<void>;
}

export interface ParsedClientsChunk {
  readonly parsed: ParsedClients;
  readonly chunk: Uint8Array;
}

/** A chunk's result, with the chunk's bytes handed back (when they could be) for reuse. */
export interface ReadChunk extends ChunkResult {
  readonly chunk?: Uint8Array;
}
