/**
 * What the steps of a distributed run hand each other, and the port they hand it through:
 * the plan (the parts and the hash ranges), each part's tally and pieces of claims (map
 * steps), each range's repeats (range steps). The adapter (src/adapters/shuffle/) encodes
 * them under the run's own folder in the data root; one store per quarter and run.
 */
import type { FileProvenance } from '../export-set/dataset-quality';
import type { InteractionTally } from './interaction-tally';
import type { Claims } from './partial-aggregate';

/** One interactions part as listed when the run was planned. */
export interface PlannedPart {
  /** The key under the data root, e.g. `exports/2026-Q3/interactions/part-0001.csv.gz`. */
  readonly key: string;
  readonly size: number;
  readonly etag?: string | undefined;
}

/** Decided once per run, before the map: every later step works from it. */
export interface ShufflePlan {
  readonly quarter: string;
  /** Hash ranges the claims are split into (hash-ranges.ts). */
  readonly ranges: number;
  /** Claims per piece. */
  readonly pieceClaims: number;
  /** The parts in file order: a part's number is its index here. */
  readonly parts: readonly PlannedPart[];
}

/** Where a part's claims went, written by its map step once every piece is. */
export interface PartPieces {
  /** Names the map step's invocation: each attempt writes pieces of its own. */
  readonly attempt: string;
  readonly ranges: number;
  /** Clients in clients.csv as the map step read it: client numbers are below it. */
  readonly clientCount: number;
  /** Per range: the pieces written, and the claims in them. */
  readonly pieces: readonly number[];
  readonly claims: readonly number[];
}

/** A part as its map step measured it, written last. */
export interface MappedPart {
  readonly key: string;
  /** Rejection positions of the part alone (as if it were the dataset's only file). */
  readonly tally: InteractionTally;
  readonly provenance: FileProvenance;
  /** SHA-256 of each clients file the map step numbered the clients from. */
  readonly clientsSha256: readonly string[];
}

/** A hash range's repeats, found by its range step across every part. */
export interface ResolvedRange {
  readonly range: number;
  readonly ranges: number;
  /** Claims of the range in all parts. */
  readonly claims: number;
  /** Positions in the whole dataset; negative counts. */
  readonly repeats: InteractionTally;
}

export interface ShuffleStore {
  writePlan(plan: ShufflePlan): Promise<void>;
  /** The run's plan, or undefined when the run was not planned (not a distributed run). */
  readPlan(): Promise<ShufflePlan | undefined>;
  /**
   * Stores piece `piece` of `range` from part `part`. The claims are encoded before this
   * returns (the caller may reuse their memory at once); the promise settles once written.
   */
  writePiece(part: number, attempt: string, range: number, piece: number, claims: Claims): Promise<void>;
  /** A piece's claims, positions made those of part `part` in the dataset (`pieces`: its part's). */
  readPiece(part: number, pieces: PartPieces, range: number, piece: number): Promise<Claims>;
  writePieces(part: number, pieces: PartPieces): Promise<void>;
  readPieces(part: number): Promise<PartPieces | undefined>;
  writePart(part: number, mapped: MappedPart): Promise<void>;
  readPart(part: number): Promise<MappedPart | undefined>;
  writeRange(resolved: ResolvedRange): Promise<void>;
  readRange(range: number): Promise<ResolvedRange | undefined>;
}

/** The store of one run's shuffle: the shells make it over the data root (src/wiring/shuffle.ts). */
export type OpenShuffle = (quarter: string, runId: string) => ShuffleStore;
