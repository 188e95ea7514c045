/**
 * Client ids interned once: the bytes of every id of clients.csv in one arena, and an
 * open-addressing table from an id's bytes to its dense index. Lookups compare bytes, so
 * they are exact (no hash can make two clients one). The table can be moved into shared
 * memory so that worker threads look clients up without a copy each.
 */
import { encodeUtf8, hashBytes, hashOut } from '../../collections/byte-hash';

export interface ClientTableBuffers {
  readonly arena: Uint8Array;
  readonly offsets: Int32Array;
  /** Pairs (index + 1, hash) per slot, side by side: one cache line per probe. */
  readonly slots: Int32Array;
  readonly count: number;
}

export class ClientTable {
  private arena: Uint8Array;
  private arenaLength = 0;
  private offsets: Int32Array;
  /** Pairs (index + 1 or 0 when empty, the id's hash) per slot. */
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024, buffers?: ClientTableBuffers) {
    if (buffers) {
      this.arena = buffers.arena;
      this.offsets = buffers.offsets;
      this.slots = buffers.slots;
      this.count = buffers.count;
      this.arenaLength = buffers.offsets[buffers.count] as number;
      this.mask = (buffers.slots.length >> 1) - 1;
      return;
    }
    const capacity = capacityFor(expected);
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
    this.offsets = new Int32Array(Math.max(expected, 16) + 1);
    this.arena = new Uint8Array(Math.max(expected * 12, 1024));
  }

  get size(): number {
    return this.count;
  }

  /** The index of the client whose id is `bytes[start, end)`, or -1. */
  lookup(bytes: Uint8Array, start: number, end: number): number {
    hashBytes(bytes, start, end);
    return this.find(bytes, start, end, hashOut[1] as number);
  }

  /** `lookup` when the id's hash is known: `hashOut[1]` after `hashBytes` of the same bytes. */
  find(bytes: Uint8Array, start: number, end: number, hash: number): number {
    let slot = hash & this.mask;
    for (;;) {
      const entry = this.slots[slot * 2] as number;
      if (entry === 0) return -1;
      if (this.slots[slot * 2 + 1] === hash && this.sameBytes(entry - 1, bytes, start, end)) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Whether client `index` (if there is one) has the id `bytes[start, end)`. */
  holdsAt(index: number, bytes: Uint8Array, start: number, end: number): boolean {
    return index >= 0 && index < this.count && this.sameBytes(index, bytes, start, end);
  }

  lookupString(id: string): number {
    const { bytes, length } = encodeUtf8(id);
    return this.lookup(bytes, 0, length);
  }

  /** Adds an id (as bytes); returns its new index, or -1 when it is already present. */
  add(bytes: Uint8Array, start: number, end: number): number {
    hashBytes(bytes, start, end);
    return this.addHashed(bytes, start, end, hashOut[1] as number);
  }

  /** `add` when the id's hash is known: `hashOut[1]` after `hashBytes` of the same bytes. */
  addHashed(bytes: Uint8Array, start: number, end: number, hash: number): number {
    let slot = hash & this.mask;
    for (;;) {
      const entry = this.slots[slot * 2] as number;
      if (entry === 0) break;
      if (this.slots[slot * 2 + 1] === hash && this.sameBytes(entry - 1, bytes, start, end)) return -1;
      slot = (slot + 1) & this.mask;
    }
    const index = this.count++;
    this.append(bytes, start, end);
    this.slots[slot * 2] = index + 1;
    this.slots[slot * 2 + 1] = hash;
    if (this.count > (this.mask + 1) * 0.5) this.rehash();
    return index;
  }

  /**
   * Reads the first slot of an id's hash, to bring it into cache ahead of `addHashed`: the
   * fold touches a block of rows first, so that their cache misses overlap.
   */
  touch(hash: number): number {
    return this.slots[(hash & this.mask) * 2] as number;
  }

  addString(id: string): number {
    const { bytes, length } = encodeUtf8(id);
    return this.add(bytes, 0, length);
  }

  /**
   * A copy in shared memory, for worker threads, with its slots sized to the clients it
   * holds (the table was sized from a guess at the file's rows).
   */
  shared(): ClientTableBuffers {
    const sharedArray = <T extends Uint8Array | Int32Array | Int32Array>(
      Type: new (buffer: SharedArrayBuffer) => T,
      bytesPerElement: number,
      length: number,
    ): T => new Type(new SharedArrayBuffer(Math.max(length, 1) * bytesPerElement));
    const arena = sharedArray(Uint8Array, 1, this.arenaLength);
    arena.set(this.arena.subarray(0, this.arenaLength));
    const offsets = sharedArray(Int32Array, 4, this.count + 1);
    offsets.set(this.offsets.subarray(0, this.count + 1));
    const capacity = capacityFor(this.count);
    const slots = sharedArray(Int32Array, 4, capacity * 2);
    // Usually the guess was right and the table is already that size: one sequential copy
    // instead of a random write per client.
    if (capacity * 2 === this.slots.length) slots.set(this.slots);
    else moveSlots(this.slots, slots);
    return { arena, offsets, slots, count: this.count };
  }

  private sameBytes(index: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.offsets[index] as number;
    const length = (this.offsets[index + 1] as number) - from;
    if (length !== end - start) return false;
    // A byte loop: the arena is shared memory in workers, where word reads through a
    // DataView measured slower.
    const arena = this.arena;
    for (let i = 0; i < length; i++) if (arena[from + i] !== bytes[start + i]) return false;
    return true;
  }

  private append(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (this.arenaLength + length > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLength + length));
      grown.set(this.arena.subarray(0, this.arenaLength));
      this.arena = grown;
    }
    // Ids are short: a byte loop beats making a subarray view per client.
    const arena = this.arena;
    let at = this.arenaLength;
    for (let i = start; i < end; i++) arena[at++] = bytes[i] as number;
    this.arenaLength = at;
    if (this.count >= this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[this.count] = this.arenaLength;
  }

  private rehash(): void {
    const capacity = (this.mask + 1) * 2;
    const old = this.slots;
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
    moveSlots(old, this.slots);
  }
}

/** Slots for `count` ids at a load of at most one half (a power of two, for masking). */
function capacityFor(count: number): number {
  let capacity = 1024;
  while (capacity * 0.5 < count) capacity *= 2;
  return capacity;
}

/** Puts every entry of one slot table into another, empty one, by its kept hash (no id is hashed again). */
function moveSlots(from: Int32Array, to: Int32Array): void {
  const mask = (to.length >> 1) - 1;
  for (let at = 0; at < from.length; at += 2) {
    const entry = from[at] as number;
    if (entry === 0) continue;
    const hash = from[at + 1] as number;
    let slot = hash & mask;
    while (to[slot * 2] !== 0) slot = (slot + 1) & mask;
    to[slot * 2] = entry;
    to[slot * 2 + 1] = hash;
  }
}
