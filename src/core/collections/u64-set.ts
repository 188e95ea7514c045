/**
 * A set of 64-bit keys (two 32-bit halves) in one open-addressing table of typed arrays:
 * 8 bytes a slot, no objects, no strings. Sized up front from an expected count when one is
 * known, to the slot (not to a power of two), so a large dataset neither grows its table
 * (briefly holding two) nor carries up to twice the slots it needs.
 */
// Linear probing stays short up to here (the tables are sized to about 0.8 of it), and 8-byte
// slots keep a probe within a cache line or two.
const MAX_LOAD = 0.85;
const MIN_CAPACITY = 1024;
const TWO_TO_MINUS_26 = 1 / 67_108_864;

export class U64Set {
  private slots: Int32Array;
  private capacity: number;
  private count = 0;
  /** Keys held before the table must grow: capacity × MAX_LOAD, kept as an integer. */
  private limit: number;
  private touched = 0;

  constructor(expected = MIN_CAPACITY) {
    this.capacity = Math.max(MIN_CAPACITY, Math.ceil(expected / MAX_LOAD));
    this.limit = Math.floor(this.capacity * MAX_LOAD);
    this.slots = new Int32Array(this.capacity * 2);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.slots.byteLength;
  }

  /**
   * The key's first slot: 26 bits of a mixed word scaled to the capacity (Lemire's
   * multiply-shift), exact in doubles because 2²⁶ × capacity stays below 2⁵³.
   */
  private home(high: number, low: number): number {
    // A multiply by 2⁻²⁶ and a truncation: exact, and far cheaper than a division and Math.floor.
    return ((Math.imul(low ^ high, 0x9e3779b1) >>> 6) * this.capacity * TWO_TO_MINUS_26) | 0;
  }

  /** Adds a key; returns false when it was already present. (0, 0) is not a valid key. */
  add(high: number, low: number): boolean {
    const slots = this.slots;
    const capacity = this.capacity;
    let slot = this.home(high, low);
    for (;;) {
      const at = slot * 2;
      const storedHigh = slots[at] as number;
      const storedLow = slots[at + 1] as number;
      if (storedHigh === 0 && storedLow === 0) {
        slots[at] = high;
        slots[at + 1] = low;
        if (++this.count > this.limit) this.grow();
        return true;
      }
      if (storedHigh === high && storedLow === low) return false;
      if (++slot === capacity) slot = 0;
    }
  }

  /** Reads a key's first slot, to bring it into cache ahead of `add` (the sum only defeats dead-code removal). */
  touch(high: number, low: number): void {
    this.touched += this.slots[this.home(high, low) * 2] as number;
  }

  has(high: number, low: number): boolean {
    const slots = this.slots;
    let slot = this.home(high, low);
    for (;;) {
      const at = slot * 2;
      const storedHigh = slots[at] as number;
      const storedLow = slots[at + 1] as number;
      if (storedHigh === 0 && storedLow === 0) return false;
      if (storedHigh === high && storedLow === low) return true;
      if (++slot === this.capacity) slot = 0;
    }
  }

  /** Calls `visit` for every key, in no particular order. */
  forEach(visit: (high: number, low: number) => void): void {
    const slots = this.slots;
    for (let at = 0; at < slots.length; at += 2) {
      const high = slots[at] as number;
      const low = slots[at + 1] as number;
      if (high !== 0 || low !== 0) visit(high, low);
    }
  }

  private grow(): void {
    const old = this.slots;
    this.capacity *= 2;
    this.limit = Math.floor(this.capacity * MAX_LOAD);
    this.slots = new Int32Array(this.capacity * 2);
    this.count = 0;
    for (let at = 0; at < old.length; at += 2) {
      const high = old[at] as number;
      const low = old[at + 1] as number;
      if (high !== 0 || low !== 0) this.add(high, low);
    }
  }
}
