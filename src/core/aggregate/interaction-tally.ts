/**
 * Interactions counted without their claims: what the distributed run's steps hand the
 * reducer instead of a list of every row. A map step counts each valid row of its part as if
 * it kept its id; a range step counts what the repeats of its ids take back (negative
 * counts, with the repeats as rejections). Added up, they are what one pass over every part
 * in file order counts, since every in-quarter row is counted once by its part and taken
 * back once if it repeats an earlier id.
 */
import type { DatedRows } from '../export-set/dated-rows';
import { type Claims, IN_QUARTER, type RejectionExample, SELF_SERVICE_OR_CESS } from './partial-aggregate';

/** In-quarter interactions per client, by channel; only clients with a count other than 0 are listed. */
export interface ClientCounts {
  readonly client: Int32Array;
  readonly selfService: Int32Array;
  readonly assisted: Int32Array;
}

export interface InteractionTally {
  /** Rows read (a range step reads none: its rows are counted by the parts). */
  readonly rows: number;
  readonly rejected: number;
  /** The first rejections by position, at most MAX_EXAMPLES. */
  readonly examples: readonly RejectionExample[];
  readonly counts: ClientCounts;
  /**
   * A part's dated rows against the quarter, counted before the repeat check as one pass
   * counts them (a range step has none: repeats do not change them).
   */
  readonly dated?: DatedRows;
}

/** Adds every in-quarter claim of `claims` to the per-client counts, as if each kept its id. */
export function countInQuarter(claims: Claims, selfService: Int32Array, assisted: Int32Array): void {
  const { flags, client } = claims;
  for (let i = 0; i < claims.length; i++) {
    const flag = flags[i] as number;
    if ((flag & IN_QUARTER) === 0) continue;
    const owner = client[i] as number;
    if (flag & SELF_SERVICE_OR_CESS) (selfService[owner] as number)++;
    else (assisted[owner] as number)++;
  }
}

/** Dense per-client counts as `ClientCounts`, multiplied by `sign`. */
export function listClientCounts(selfService: Int32Array, assisted: Int32Array, sign: 1 | -1): ClientCounts {
  let listed = 0;
  for (let owner = 0; owner < selfService.length; owner++) {
    if (selfService[owner] !== 0 || assisted[owner] !== 0) listed++;
  }
  const counts = {
    client: new Int32Array(listed),
    selfService: new Int32Array(listed),
    assisted: new Int32Array(listed),
  };
  let at = 0;
  for (let owner = 0; owner < selfService.length; owner++) {
    if (selfService[owner] === 0 && assisted[owner] === 0) continue;
    counts.client[at] = owner;
    counts.selfService[at] = sign * (selfService[owner] as number);
    counts.assisted[at] = sign * (assisted[owner] as number);
    at++;
  }
  return counts;
}
