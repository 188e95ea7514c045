/**
 * Remembers which ids have been seen at 8 to 10 bytes per id, whatever the id's length:
 * ids are kept as 64-bit hashes of their UTF-8 bytes (the bytes reader's hash) in a
 * `U64Set`, never as strings. Two different ids share a 64-bit hash with probability about
 * n²/2⁶⁵ (≈ 10⁻⁵ for 20 million ids); the later one would then be wrongly rejected as a duplicate.
 */
import { hashOut, hashString } from './byte-hash';
import { U64Set } from './u64-set';

export class IdHashSet {
  private readonly set: U64Set;

  constructor(initialCapacity = 1024) {
    this.set = new U64Set(initialCapacity);
  }

  get size(): number {
    return this.set.size;
  }

  /** Adds an id; returns false when it was already present. */
  add(id: string): boolean {
    hashString(id);
    return this.set.add(hashOut[0] as number, hashOut[1] as number);
  }
}
