/**
 * Remembers which ids have been seen at about 14 bytes per id, whatever the id's length:
 * ids are stored as 64-bit hashes in an open-addressing table of typed arrays, never as
 * strings. Two different ids share a 64-bit hash with probability about n²/2⁶⁵
 * (≈ 10⁻⁵ for 20 million ids); the later one would then be wrongly rejected as a duplicate.
 */
export class IdHashSet {
  private slots: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 1024;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds an id; returns false when it was already present. */
  add(id: string): boolean {
    let high = 0x811c9dc5;
    let low = 0x9e3779b9;
    for (let i = 0; i < id.length; i++) {
      const code = id.charCodeAt(i);
      high = Math.imul(high ^ code, 0x01000193);
      low = Math.imul(low ^ code, 0x85ebca6b);
      low ^= low >>> 13;
    }
    high = fmix(high) >>> 0;
    low = fmix(low ^ id.length) >>> 0;
    if (high === 0 && low === 0) low = 1; // (0, 0) marks an empty slot
    return this.insert(high, low);
  }

  private insert(high: number, low: number): boolean {
    let slot = (low ^ high) & this.mask;
    for (;;) {
      const at = slot * 2;
      const storedHigh = this.slots[at] as number;
      const storedLow = this.slots[at + 1] as number;
      if (storedHigh === 0 && storedLow === 0) break;
      if (storedHigh === high && storedLow === low) return false;
      slot = (slot + 1) & this.mask;
    }
    this.slots[slot * 2] = high;
    this.slots[slot * 2 + 1] = low;
    this.count++;
    if (this.count * 4 > (this.mask + 1) * 3) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.slots.length / 2 - 1;
    this.count = 0;
    for (let at = 0; at < old.length; at += 2) {
      const high = old[at] as number;
      const low = old[at + 1] as number;
      if (high !== 0 || low !== 0) this.insert(high, low);
    }
  }
}

/** MurmurHash3's finaliser: spreads every input bit over the whole word. */
function fmix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
