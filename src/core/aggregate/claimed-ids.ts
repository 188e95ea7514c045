/**
 * The ids a dataset's rows have claimed so far, to find repeats ("the first row keeps the
 * id"). Exports number their rows more often than not: `I2026Q3-00000001`, `…02`, … So an
 * id made of a prefix and a number (at most 15 digits, kept with its width, since `I01` and
 * `I1` are different ids) goes to that prefix's `IntervalSet`, where ids counting up cost a
 * comparison and a few bytes a gap; any other id goes to a table of 64-bit hashes (8 bytes
 * a slot, and a cache miss an id on a large set). A number set whose numbers come in no
 * useful order stops growing (it would cost more than hashes) and the prefix's new ids go
 * to the hash table from then on, still checked against the numbers it kept.
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

/** How a claim is decided: by its id's hash; by its number; by its number, then its prefix's hash. */
const HASHED = 0;
const NUMBERED = 1;
const FROZEN = 2;

interface NumberedPrefix {
  readonly numbers: IntervalSet;
  /** Whether the prefix stopped adding numbers: new ones are hashed (with the prefix's key). */
  frozen: boolean;
  /** The prefix's own hash, mixed with a number's to hash it once frozen. */
  readonly keyHigh: number;
  readonly keyLow: number;
}

export class ClaimedIds {
  private hashes: U64Set | undefined;
  private readonly prefixes = new Map<string, NumberedPrefix>();
  /** The prefix (bytes and number width) of the last numbered id, to skip the map lookup. */
  private lastPrefix: NumberedPrefix | undefined;
  private lastPrefixBytes = new Uint8Array(MAX_PREFIX);
  private lastPrefixLength = -1;
  private lastWidth = -1;
  /** Per claim of the block: how it is decided (a Mode), its number, its prefix and its hash key. */
  private readonly blockMode = new Uint8Array(CLAIM_BLOCK);
  private readonly blockNumber = new Float64Array(CLAIM_BLOCK);
  private readonly blockPrefix: (NumberedPrefix | undefined)[] = new Array(CLAIM_BLOCK).fill(undefined);
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
   * for a claim whose id an earlier claim holds, else 0.
   */
  claimBlock(claims: Claims, from: number, to: number, repeated: Uint8Array): void {
    const { blockMode, blockNumber, blockPrefix, blockHigh, blockLow } = this;
    let hashed = 0;
    for (let i = from; i < to; i++) {
      const b = i - from;
      const number = this.route(claims, i);
      blockNumber[b] = number;
      blockPrefix[b] = this.lastRouted;
      // Decided here for the whole block: a prefix that stops adding numbers below still
      // adds those of this block it was given (they are checked the same way either way).
      const mode = number < 0 ? HASHED : (this.lastRouted as NumberedPrefix).frozen ? FROZEN : NUMBERED;
      blockMode[b] = mode;
      if (mode === NUMBERED) continue;
      // Hashed: by the whole id, or by prefix and number for a frozen prefix.
      if (mode === HASHED) {
        blockHigh[b] = claims.hashHigh[i] as number;
        blockLow[b] = claims.hashLow[i] as number;
      } else {
        const prefix = this.lastRouted as NumberedPrefix;
        blockHigh[b] = mix(prefix.keyHigh, Math.floor(number / 2 ** 32));
        blockLow[b] = mix(prefix.keyLow ^ blockHigh[b], number | 0) || 1;
      }
      hashed++;
    }
    if (hashed > 0) {
      // Size the table once, at the first hashed ids: for every row when most ids are hashed.
      this.hashes ??= new U64Set(hashed * 2 >= to - from ? this.expectedRows : 1024);
      for (let i = from; i < to; i++) {
        const b = i - from;
        if (blockMode[b] !== NUMBERED) this.hashes.touch(blockHigh[b] as number, blockLow[b] as number);
      }
    }
    for (let i = from; i < to; i++) {
      const b = i - from;
      const number = blockNumber[b] as number;
      const prefix = blockPrefix[b];
      const mode = blockMode[b];
      let isNew: boolean;
      if (mode === HASHED) {
        isNew = (this.hashes as U64Set).add(blockHigh[b] as number, blockLow[b] as number);
      } else if (mode === FROZEN) {
        isNew =
          !(prefix as NumberedPrefix).numbers.has(number) &&
          (this.hashes as U64Set).add(blockHigh[b] as number, blockLow[b] as number);
      } else {
        const numbers = (prefix as NumberedPrefix).numbers;
        isNew = numbers.add(number);
        const { movedRuns, freeRuns } = this.limits;
        if (numbers.movedRuns > movedRuns || (numbers.runs > freeRuns && numbers.runs * 2 > numbers.size)) {
          (prefix as NumberedPrefix).frozen = true;
        }
      }
      repeated[b] = isNew ? 0 : 1;
    }
    blockPrefix.fill(undefined);
  }

  /** The prefix `route` found for the last numbered id (undefined for a hashed one). */
  private lastRouted: NumberedPrefix | undefined;

  /** Claim i's number, with its prefix in `lastRouted`; or -1 when its id is hashed. */
  private route(claims: Claims, i: number): number {
    this.lastRouted = undefined;
    const bytes = claims.idBytes;
    const start = claims.idStart[i] as number;
    const end = claims.idEnd[i] as number;
    let digits = end;
    while (digits > start && isDigit(bytes[digits - 1] as number)) {
      digits--;
      if (end - digits > MAX_DIGITS) return -1;
    }
    if (digits === end || digits - start > MAX_PREFIX) return -1;
    const width = end - digits;
    let number = 0;
    for (let at = digits; at < end; at++) number = number * 10 + ((bytes[at] as number) - 48);
    const prefix = this.prefixOf(bytes, start, digits, width);
    if (prefix === undefined) return -1;
    this.lastRouted = prefix;
    return number;
  }

  private prefixOf(bytes: Uint8Array, start: number, end: number, width: number): NumberedPrefix | undefined {
    const length = end - start;
    if (length === this.lastPrefixLength && width === this.lastWidth) {
      const last = this.lastPrefixBytes;
      let same = true;
      for (let i = 0; i < length && same; i++) same = last[i] === bytes[start + i];
      if (same) return this.lastPrefix;
    }
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
    this.lastPrefix = prefix;
    this.lastPrefixBytes.set(bytes.subarray(start, end));
    this.lastPrefixLength = length;
    this.lastWidth = width;
    return prefix;
  }
}

function isDigit(byte: number): boolean {
  return byte >= 48 && byte <= 57;
}

/** A 32-bit FNV-style hash of a key's char codes, from a seed. */
function hashKey(key: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h;
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
