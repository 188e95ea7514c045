/**
 * The ids a dataset's rows have claimed so far, to find repeats ("the first row keeps the
 * id"). Exports number their rows more often than not: `I2026Q3-00000001`, `…02`, … So an
 * id made of a prefix and a number (at most 15 digits, kept with its width, since `I01` and
 * `I1` are different ids) goes to that prefix's `IntervalSet`, where ids counting up cost a
 * comparison and a few bytes a gap; any other id goes to a table of 64-bit hashes (8 bytes
 * a slot, and a cache miss an id on a large set). A prefix whose numbers come in no useful
 * order stops keeping runs (they would cost more than hashes): its numbers so far move to
 * the hash table, and its later ones are hashed too.
 *
 * The same id always goes the same way, so either structure alone decides its repeats.
 */
import { IntervalSet } from '../collections/interval-set';
import { U64Set } from '../collections/u64-set';
import type { Claims } from './partial-aggregate';

/** Longest number kept as a number: 10¹⁵ is below 2⁵³, so every such number is exact. */
const MAX_DIGITS = 15;
/** Longest prefix kept: an id with a longer one is hashed (it is rare, and keys stay short). */
const MAX_PREFIX = 64;

/** When numbers stop being worth keeping as runs. */
export interface NumberLimits {
  /** Prefixes kept as numbers; ids with any other prefix are hashed. */
  readonly prefixes: number;
  /** Runs moved (numbers coming in below the last run) before a prefix stops adding runs. */
  readonly movedRuns: number;
  /** Runs a prefix may hold before it must average two numbers a run (runs cost 16 bytes). */
  readonly freeRuns: number;
}

export const NUMBER_LIMITS: NumberLimits = { prefixes: 4096, movedRuns: 1 << 22, freeRuns: 1 << 16 };
/** Claims routed at once: their hash slots are read first, so that their cache misses overlap. */
export const CLAIM_BLOCK = 32;

interface NumberedPrefix {
  /** Its numbers, while it keeps them as runs (emptied when it stops: they move to the hashes). */
  numbers: IntervalSet;
  /** Whether the prefix stopped keeping runs: its numbers are hashed (with the prefix's key). */
  frozen: boolean;
  /** The prefix's own hash, mixed with a number's to hash it once frozen. */
  readonly keyHigh: number;
  readonly keyLow: number;
}

export class ClaimedIds {
  private hashes: U64Set | undefined;
  private readonly prefixes = new Map<string, NumberedPrefix>();
  /** Per claim of the block: 1 when it waits for the hash pass, with its key in blockHigh and blockLow. */
  private readonly blockHashed = new Uint8Array(CLAIM_BLOCK);
  private readonly blockHigh = new Int32Array(CLAIM_BLOCK);
  private readonly blockLow = new Int32Array(CLAIM_BLOCK);

  /** `expectedRows`: about how many claims will come, to size the hash table once if most ids are hashed. */
  constructor(
    private readonly expectedRows = 1024,
    private readonly limits: NumberLimits = NUMBER_LIMITS,
  ) {}

  /** Ids held. */
  get size(): number {
    let size = this.hashes?.size ?? 0;
    for (const prefix of this.prefixes.values()) size += prefix.numbers.size;
    return size;
  }

  /** How the ids are held: prefixes kept as numbers (and how many of them stopped adding), hashed ids. */
  get layout(): { prefixes: number; frozen: number; hashed: number } {
    let frozen = 0;
    for (const prefix of this.prefixes.values()) if (prefix.frozen) frozen++;
    return { prefixes: this.prefixes.size, frozen, hashed: this.hashes?.size ?? 0 };
  }

  /** Bytes held by the hash table and the number runs. */
  get byteLength(): number {
    let bytes = this.hashes?.byteLength ?? 0;
    for (const prefix of this.prefixes.values()) bytes += prefix.numbers.byteLength;
    return bytes;
  }

  /**
   * Claims claims [from, to) (at most CLAIM_BLOCK), in order; `repeated[i - from]` is set to 1
   * for a claim whose id an earlier claim holds, else 0. Numbered ids are decided at once;
   * hashed ones after, together, their table slots read first so that their cache misses
   * overlap. The order holds where it matters: an id always goes the same way, and a
   * prefix's numbered claims all come before those hashed once it stopped adding runs.
   */
  claimBlock(claims: Claims, from: number, to: number, repeated: Uint8Array): void {
    const { blockHashed, blockHigh, blockLow, limits } = this;
    const { idBytes, idStart, idEnd } = claims;
    if (idBytes !== this.viewed) {
      this.viewed = idBytes;
      this.view = new DataView(idBytes.buffer, idBytes.byteOffset, idBytes.byteLength);
      this.lastStart = -1;
    }
    let hashed = 0;
    for (let i = from; i < to; i++) {
      const b = i - from;
      const start = idStart[i] as number;
      const end = idEnd[i] as number;
      // Usually the id is laid out as the last numbered one: the same length and prefix.
      let number = this.sameLayout(start, end)
        ? digitsValue(this.view, idBytes, start + this.lastPrefixLength, end)
        : -1;
      if (number < 0) {
        number = this.route(idBytes, start, end);
        if (number >= 0) {
          this.lastStart = start;
          this.lastLength = end - start;
        }
      }
      const prefix = this.lastRouted;
      if (number >= 0 && !(prefix as NumberedPrefix).frozen) {
        const numbers = (prefix as NumberedPrefix).numbers;
        repeated[b] = numbers.add(number) ? 0 : 1;
        if (
          numbers.movedRuns > limits.movedRuns ||
          (numbers.runs > limits.freeRuns && numbers.runs * 2 > numbers.size)
        ) {
          this.freeze(prefix as NumberedPrefix);
        }
        blockHashed[b] = 0;
        continue;
      }
      // Hashed: by the whole id, or by prefix and number for a prefix that stopped adding runs.
      blockHashed[b] = 1;
      if (number < 0) {
        blockHigh[b] = claims.hashHigh[i] as number;
        blockLow[b] = claims.hashLow[i] as number;
      } else {
        numberKey(prefix as NumberedPrefix, number);
        blockHigh[b] = keyOut[0] as number;
        blockLow[b] = keyOut[1] as number;
      }
      hashed++;
    }
    if (hashed === 0) return;
    // Size the table once, at the first hashed ids: for every row when most ids are hashed.
    this.hashes ??= new U64Set(hashed * 2 >= to - from ? this.expectedRows : 1024);
    const hashes = this.hashes;
    for (let b = 0; b < to - from; b++) {
      if (blockHashed[b] === 1) hashes.touch(blockHigh[b] as number, blockLow[b] as number);
    }
    for (let b = 0; b < to - from; b++) {
      if (blockHashed[b] === 1)
        repeated[b] = hashes.add(blockHigh[b] as number, blockLow[b] as number) ? 0 : 1;
    }
  }

  /**
   * Stops a prefix keeping runs: its numbers so far move into the hash table (once, each
   * under the key its later numbers are hashed by), so that a number is then checked by one
   * lookup, not by a search of the runs as well.
   */
  private freeze(prefix: NumberedPrefix): void {
    this.hashes ??= new U64Set(Math.max(this.expectedRows, prefix.numbers.size));
    const hashes = this.hashes;
    prefix.numbers.forEach((number) => {
      numberKey(prefix, number);
      hashes.add(keyOut[0] as number, keyOut[1] as number);
    });
    prefix.numbers = new IntervalSet();
    prefix.frozen = true;
  }

  /** The prefix of the last numbered id (undefined after a hashed one). */
  private lastRouted: NumberedPrefix | undefined;
  /** The claims' id bytes being read, a view of them, and where the last numbered id routed by `route` is in them. */
  private viewed: Uint8Array | undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private lastStart = -1;
  private lastLength = 0;
  private lastPrefixLength = 0;

  /** Whether the id `[start, end)` has the last routed id's length and prefix bytes (then its prefix is `lastRouted`). */
  private sameLayout(start: number, end: number): boolean {
    const last = this.lastStart;
    if (last < 0 || end - start !== this.lastLength || this.lastRouted === undefined) return false;
    const view = this.view;
    const length = this.lastPrefixLength;
    let k = 0;
    for (; k + 4 <= length; k += 4) if (view.getInt32(start + k) !== view.getInt32(last + k)) return false;
    for (; k < length; k++) if (view.getUint8(start + k) !== view.getUint8(last + k)) return false;
    return true;
  }

  /**
   * The number of the id `bytes[start, end)`, with its prefix in `lastRouted`; or -1 when
   * the id is hashed. One backward pass over the digits; exact, as at most 15 are taken.
   */
  private route(bytes: Uint8Array, start: number, end: number): number {
    this.lastRouted = undefined;
    this.lastStart = -1;
    let digits = end;
    let number = 0;
    let scale = 1;
    while (digits > start) {
      const digit = (bytes[digits - 1] as number) - 48;
      if (digit < 0 || digit > 9) break;
      if (end - digits === MAX_DIGITS) return -1;
      number += digit * scale;
      scale *= 10;
      digits--;
    }
    if (digits === end || digits - start > MAX_PREFIX) return -1;
    const prefix = this.prefixOf(bytes, start, digits, end - digits);
    if (prefix === undefined) return -1;
    this.lastRouted = prefix;
    this.lastPrefixLength = digits - start;
    return number;
  }

  /** The prefix `bytes[start, end)` with numbers of `width` digits; undefined past the limit of prefixes. */
  private prefixOf(bytes: Uint8Array, start: number, end: number, width: number): NumberedPrefix | undefined {
    let key = '';
    for (let at = start; at < end; at++) key += String.fromCharCode(bytes[at] as number);
    key += `\u0000${width}`;
    let prefix = this.prefixes.get(key);
    if (prefix === undefined) {
      if (this.prefixes.size >= this.limits.prefixes) return undefined;
      prefix = {
        numbers: new IntervalSet(),
        frozen: false,
        keyHigh: mix(hashKey(key, 0x2545f491), width),
        keyLow: mix(hashKey(key, 0x9e3779b9), ~width),
      };
      this.prefixes.set(key, prefix);
    }
    return prefix;
  }
}

/** A 32-bit FNV-style hash of a key's char codes, from a seed. */
/**
 * The value of `bytes[start, end)` (`view` is a view of `bytes`) when they are all digits
 * (at most 15), else -1. Four at a time: a byte is a digit when its high nibble is 3, also
 * after adding 6; the four values are then paired into two 2-digit lanes, then one number.
 */
function digitsValue(view: DataView<ArrayBufferLike>, bytes: Uint8Array, start: number, end: number): number {
  let number = 0;
  let at = start;
  for (; at + 4 <= end; at += 4) {
    const word = view.getInt32(at, true);
    if ((word & 0xf0f0f0f0) !== 0x30303030 || ((word + 0x06060606) & 0xf0f0f0f0) !== 0x30303030) return -1;
    const values = word & 0x0f0f0f0f;
    const pairs = (Math.imul(values, 10) + (values >>> 8)) & 0x00ff00ff;
    number = number * 10000 + (pairs & 0xff) * 100 + (pairs >>> 16);
  }
  for (; at < end; at++) {
    const digit = (bytes[at] as number) - 48;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

function hashKey(key: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h;
}

/** The last `numberKey`: [high, low], reused so that hashing a number allocates nothing. */
const keyOut = new Int32Array(2);

/** The 64-bit key a frozen prefix's number is hashed by, into `keyOut` ((0, 0) never: it marks an empty slot). */
function numberKey(prefix: NumberedPrefix, number: number): void {
  const high = mix(prefix.keyHigh, Math.floor(number / 2 ** 32));
  keyOut[0] = high;
  keyOut[1] = mix(prefix.keyLow ^ high, number | 0) || 1;
}

/** Mixes a word into a hash: MurmurHash3's finaliser of their sum. */
function mix(hash: number, word: number): number {
  let h = (hash + Math.imul(word, 0x9e3779b1)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
