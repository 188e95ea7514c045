/**
 * A 64-bit hash of a byte range, as two 32-bit halves, computed without allocating: ids
 * are hashed straight from the file's bytes. Strings are hashed through their UTF-8 bytes,
 * so a row read by the byte path and one read through the fallback agree.
 */

/**
 * The last hash: [high, low]. Reused so that hashing allocates nothing. Signed 32-bit
 * halves, everywhere hashes are kept: they stay small integers when passed to a function
 * the compiler did not inline, where an unsigned half above 2³¹ would be boxed.
 */
export const hashOut = new Int32Array(2);

export function hashBytes(bytes: Uint8Array, start: number, end: number): void {
  let high = 0x811c9dc5;
  let low = 0x9e3779b9;
  let i = start;
  // Four bytes a step (little-endian word), then the rest one by one.
  for (; i + 4 <= end; i += 4) {
    const word =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    high = Math.imul(high ^ word, 0x01000193);
    high ^= high >>> 15;
    low = Math.imul(low ^ word, 0x85ebca6b);
    low ^= low >>> 13;
  }
  finishHash(bytes, i, end, high, low, end - start);
}

/**
 * `hashBytes` of a field that must be a plain token (printable ASCII, not empty, no space at
 * either end), read a word at a time through `view` (a view of `bytes`): false, with
 * `hashOut` undefined, when it is not one. The plain test and the hash share one pass.
 */
export function hashPlainToken(view: DataView, bytes: Uint8Array, start: number, end: number): boolean {
  if (start >= end || bytes[start] === 32 || bytes[end - 1] === 32) return false;
  let high = 0x811c9dc5;
  let low = 0x9e3779b9;
  let outside = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const word = view.getInt32(i, true);
    // Bit 7 of a byte set where it is below 0x20 or above 0x7e (exact for "any byte").
    outside |= ((word - 0x20202020) & ~word) | ((word + 0x01010101) | word);
    high = Math.imul(high ^ word, 0x01000193);
    high ^= high >>> 15;
    low = Math.imul(low ^ word, 0x85ebca6b);
    low ^= low >>> 13;
  }
  if ((outside & 0x80808080) !== 0) return false;
  for (let tail = i; tail < end; tail++) {
    const byte = bytes[tail] as number;
    if (byte < 32 || byte > 126) return false;
  }
  finishHash(bytes, i, end, high, low, end - start);
  return true;
}

/** Mixes in the last 0-3 bytes one by one, finalises and writes `hashOut`: shared by both hashes. */
function finishHash(
  bytes: Uint8Array,
  from: number,
  end: number,
  high: number,
  low: number,
  length: number,
): void {
  let h = high;
  let l = low;
  for (let i = from; i < end; i++) {
    const byte = bytes[i] as number;
    h = Math.imul(h ^ byte, 0x01000193);
    l = Math.imul(l ^ byte, 0x85ebca6b);
    l ^= l >>> 13;
  }
  h = fmix(h ^ length);
  l = fmix(l + h);
  // (0, 0) marks an empty slot in the tables keyed by these hashes.
  if (h === 0 && l === 0) l = 1;
  hashOut[0] = h;
  hashOut[1] = l;
}

const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/** Encodes text as UTF-8 into a reused buffer; returns the byte length. */
export function encodeUtf8(text: string): { bytes: Uint8Array; length: number } {
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return { bytes: scratch, length: written };
}

export function hashString(text: string): void {
  const { bytes, length } = encodeUtf8(text);
  hashBytes(bytes, 0, length);
}

/** MurmurHash3's finaliser: spreads every input bit over the whole word. */
function fmix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
