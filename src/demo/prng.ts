/**
 * A small seeded pseudo-random number generator for the demo data: sfc32 (128-bit state,
 * fast, passes PractRand) seeded through splitmix32. Only 32-bit integer arithmetic, so
 * the same seed gives the same sequence on every platform. Never use `Math.random` in the
 * generator: the demo and the benchmark rely on byte-identical output for a given seed.
 */

/** One splitmix32 step: a well-mixed 32-bit value from any 32-bit input. */
function splitmix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** Folds several integers (a seed and stream keys) into one 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let hash = 0x243f6a88;
  for (const part of parts) {
    // Split the part into two 32-bit halves so that keys above 2^32 still count.
    const low = part | 0;
    const high = Math.floor(part / 0x1_0000_0000) | 0;
    hash = splitmix32(hash ^ low);
    hash = splitmix32(hash ^ high);
  }
  return hash;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.a = splitmix32(seed);
    this.b = splitmix32(this.a);
    this.c = splitmix32(this.b);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [low, high], both inclusive. */
  between(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    const spare = this.spareNormal;
    if (spare !== undefined) {
      this.spareNormal = undefined;
      return spare;
    }
    const u = 1 - this.next(); // (0, 1]: log stays finite
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Poisson-distributed count (Knuth for small means, a rounded normal above 30). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count++;
      product *= this.next();
    }
    return count;
  }

  /** A uniformly chosen element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }
}

/** Picks indices with fixed relative weights (cumulative table, linear scan: tables are short). */
export class WeightedTable {
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(weights: readonly number[]) {
    let sum = 0;
    this.cumulative = weights.map((weight) => {
      sum += Math.max(0, weight);
      return sum;
    });
    this.total = sum;
    if (!(sum > 0)) throw new RangeError('weights must include a positive value');
  }

  /** An index in [0, weights.length), chosen in proportion to its weight. */
  pick(rng: Prng): number {
    const target = rng.next() * this.total;
    const last = this.cumulative.length - 1;
    for (let i = 0; i < last; i++) {
      if (target < (this.cumulative[i] ?? 0)) return i;
    }
    return last;
  }
}
