/**
 * The map step of the distributed run, in memory that does not grow with the part: it
 * takes the part's chunk partials in row order, counts every valid row as if it kept its id
 * (per client: the only state that stays), and passes each claim on to its hash range
 * (hash-ranges.ts), a piece at a time. Whether a row really keeps its id is decided later,
 * per range, across all parts (repeat-resolver.ts).
 */

import { type DatedRows, mergeDatedRows } from '../export-set/dated-rows';
import { hashRangeOf } from './hash-ranges';
import {
  type ClientCounts,
  countInQuarter,
  type InteractionTally,
  listClientCounts,
} from './interaction-tally';
import {
  type Claims,
  ClaimsBuilder,
  claimsBuffer,
  firstExamples,
  type PartialAggregate,
  type RejectionExample,
} from './partial-aggregate';

export interface PartShufflerOptions {
  /** Clients in clients.csv: the per-client counts' length. */
  readonly clientCount: number;
  readonly ranges: number;
  /** A range's piece is written once it holds this many claims. */
  readonly pieceClaims: number;
  /**
   * Stores piece `piece` (0, 1, …) of `range`: the range's claims in row order. The claims
   * are views of a buffer reused once the promise settles; it should settle once the claims
   * are encoded and there is room for another write, not when the write is done.
   */
  writePiece(range: number, piece: number, claims: Claims): Promise<void>;
}

/** What the part comes to: its tally, and per range the pieces written and the claims in them. */
export interface ShuffledPart {
  readonly tally: InteractionTally;
  readonly pieces: readonly number[];
  readonly claims: readonly number[];
}

export class PartShuffler {
  private rows = 0;
  private rejected = 0;
  private examples: RejectionExample[] = [];
  private dated: DatedRows | undefined;
  private readonly selfService: Int32Array;
  private readonly assisted: Int32Array;
  /** The piece being filled, per range. */
  private readonly builders: (ClaimsBuilder | undefined)[];
  private readonly pieces: number[];
  private readonly claims: number[];
  /** Buffers of pieces written, for the next pieces. */
  private readonly spare: ArrayBuffer[] = [];
  /** The range whose piece `route` filled, or -1. */
  private filled = -1;

  constructor(private readonly options: PartShufflerOptions) {
    this.selfService = new Int32Array(options.clientCount);
    this.assisted = new Int32Array(options.clientCount);
    this.builders = new Array(options.ranges).fill(undefined);
    this.pieces = new Array(options.ranges).fill(0);
    this.claims = new Array(options.ranges).fill(0);
  }

  /** One chunk's partial; chunks must come in row order. */
  async add(partial: PartialAggregate): Promise<void> {
    this.rows += partial.rows;
    this.rejected += partial.rejected;
    if (partial.examples.length > 0) this.examples = firstExamples([...this.examples, ...partial.examples]);
    if (partial.dated) this.dated = this.dated ? mergeDatedRows(this.dated, partial.dated) : partial.dated;
    const { claims } = partial;
    if (!claims) return;
    countInQuarter(claims, this.selfService, this.assisted);
    for (let from = 0; from < claims.length; ) {
      from = this.route(claims, from);
      if (this.filled >= 0) await this.writeOut(this.filled);
    }
  }

  /** Writes the pieces not yet full, and returns what the part comes to. */
  async finish(): Promise<ShuffledPart> {
    for (let range = 0; range < this.options.ranges; range++) {
      if (this.builders[range] !== undefined) await this.writeOut(range);
    }
    const counts: ClientCounts = listClientCounts(this.selfService, this.assisted, 1);
    return {
      tally: {
        rows: this.rows,
        rejected: this.rejected,
        examples: this.examples,
        counts,
        ...(this.dated && { dated: this.dated }),
      },
      pieces: [...this.pieces],
      claims: [...this.claims],
    };
  }

  /** Copies claims from `from` on into their ranges' pieces, up to the first piece it fills; returns where it stopped. */
  private route(claims: Claims, from: number): number {
    const { ranges, pieceClaims } = this.options;
    const high = claims.hashHigh;
    for (let i = from; i < claims.length; i++) {
      const range = hashRangeOf(high[i] as number, ranges);
      let builder = this.builders[range];
      if (builder === undefined) {
        builder = new ClaimsBuilder(pieceClaims, this.spare.pop());
        this.builders[range] = builder;
      }
      builder.copyFrom(claims, i);
      if (builder.count === pieceClaims) {
        this.filled = range;
        return i + 1;
      }
    }
    this.filled = -1;
    return claims.length;
  }

  private async writeOut(range: number): Promise<void> {
    const claims = (this.builders[range] as ClaimsBuilder).finish();
    this.builders[range] = undefined;
    const piece = this.pieces[range] as number;
    this.pieces[range] = piece + 1;
    this.claims[range] = (this.claims[range] as number) + claims.length;
    await this.options.writePiece(range, piece, claims);
    this.spare.push(claimsBuffer(claims));
  }
}
