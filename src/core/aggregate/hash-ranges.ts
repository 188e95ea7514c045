/**
 * How the distributed run splits interaction ids for the repeat check: by the high word of
 * their 64-bit hash into `ranges` equal ranges. Every claim of an id lands in the same range,
 * whichever part it is in, so one worker per range finds the id's repeats across all parts
 * while holding only that range's ids. How many ranges follows from the dataset's size, so
 * that a range's id table stays well inside one function's memory.
 */

/**
 * CSV text per hash range. A range's worker holds a 64-bit hash per id (about 10 bytes a row
 * in its table): 2 GiB of text is about 39 M rows of the benchmark's 55-byte rows (0.4 GB
 * of table), and even at 30 bytes a row 72 M rows, some 0.7 GB: a fifth of the 3,538 MB
 * function.
 */
export const RANGE_TEXT_BYTES = 2 * 2 ** 30;

/**
 * At most this many ranges (512 GiB of text at 2 GiB a range; larger quarters get larger
 * ranges): every map step keeps one piece of claims in memory per range.
 */
export const MAX_HASH_RANGES = 256;

/** Claims the map steps buffer for all ranges together, at most: about 57 bytes each. */
const SHUFFLE_BUFFER_CLAIMS = 2 ** 20;
/** A piece is written once it holds this many claims (about 4.5 MB encoded at most). */
const MAX_PIECE_CLAIMS = 2 ** 17;
/** Pieces no smaller than this, so that many ranges do not make many tiny objects. */
const MIN_PIECE_CLAIMS = 2 ** 12;

/** The number of hash ranges for a dataset of about `textBytes` of CSV text (at least 1). */
export function hashRangeCount(textBytes: number): number {
  return Math.min(MAX_HASH_RANGES, Math.max(1, Math.ceil(textBytes / RANGE_TEXT_BYTES)));
}

/** Claims per piece a map step writes, for `ranges` ranges: the buffers stay about 60 MB in all. */
export function pieceClaimsFor(ranges: number): number {
  return Math.max(MIN_PIECE_CLAIMS, Math.min(MAX_PIECE_CLAIMS, Math.floor(SHUFFLE_BUFFER_CLAIMS / ranges)));
}

/** The range of an id whose hash has this (signed 32-bit) high word: 0 … ranges − 1. */
export function hashRangeOf(hashHigh: number, ranges: number): number {
  // Exact in doubles: below 2³² × 2⁸.
  return Math.floor(((hashHigh >>> 0) * ranges) / 2 ** 32);
}
