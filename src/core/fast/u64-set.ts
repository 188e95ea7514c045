/**
 * A set of 64-bit keys (two 32-bit halves) in one open-addressing table of typed arrays:
 * 8 bytes a slot, no objects, no strings. Sized up front from an expected count when one is
 * known, so a large dataset does not pay for growing (and briefly holding two tables).
 */
// Linear probing stays short up to here, and 8-byte slots keep a probe within a cache line or two.
const MAX_LOAD = 0.8;

export class U64Set {
  private slots: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    const capacity = capacityFor(expected);
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.slots.byteLength;
  }

  /** Adds a key; returns false when it was already present. (0, 0) is not a valid key. */
  add(high: number, low: number): boolean {
    const slots = this.slots;
    let slot = (Math.imul(low ^ high, 0x9e3779b1) >>> 0) & this.mask;
    for (;;) {
      const at = slot * 2;
      const storedHigh = slots[at] as number;
      const storedLow = slots[at + 1] as number;
      if (storedHigh === 0 && storedLow === 0) {
        slots[at] = high;
        slots[at + 1] = low;
        if (++this.count > (this.mask + 1) * MAX_LOAD) this.grow();
        return true;
      }
      if (storedHigh === high && storedLow === low) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Reads a key's home slot, to bring it into cache ahead of `add`; the sum only defeats dead-code removal. */
  touch(high: number, low: number): void {
    this.touched += this.slots[((Math.imul(low ^ high, 0x9e3779b1) >>> 0) & this.mask) * 2] as number;
  }

  private touched = 0;

  has(high: number, low: number): boolean {
    const slots = this.slots;
    let slot = (Math.imul(low ^ high, 0x9e3779b1) >>> 0) & this.mask;
    for (;;) {
      const at = slot * 2;
      const storedHigh = slots[at] as number;
      const storedLow = slots[at + 1] as number;
      if (storedHigh === 0 && storedLow === 0) return false;
      if (storedHigh === high && storedLow === low) return true;
      slot = (slot + 1) & this.mask;
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
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.slots.length / 2 - 1;
    this.count = 0;
    for (let at = 0; at < old.length; at += 2) {
      const high = old[at] as number;
      const low = old[at + 1] as number;
      if (high !== 0 || low !== 0) this.add(high, low);
    }
  }
}

function capacityFor(expected: number): number {
  let capacity = 1024;
  while (capacity * MAX_LOAD < expected) capacity *= 2;
  return capacity;
}
