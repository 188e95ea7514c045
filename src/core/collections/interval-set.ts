/**
 * A set of whole numbers kept as sorted, disjoint runs [start, end]: 16 bytes a run, not a
 * slot per number. Numbers that come in counting up (1, 2, 3, … with the odd gap) cost one
 * comparison each and extend the last run; a number below the last run is found by binary
 * search, and one that is new there is put in place, which moves the runs after it.
 * `movedRuns` counts those moves, so that a caller can stop adding when the numbers come in
 * an order this set is not for (see claimed-ids.ts).
 */
const MIN_RUNS = 64;

export class IntervalSet {
  private starts = new Float64Array(MIN_RUNS);
  private ends = new Float64Array(MIN_RUNS);
  private count = 0;
  private moved = 0;
  private numbers = 0;

  /** Runs held. */
  get runs(): number {
    return this.count;
  }

  /** Numbers held. */
  get size(): number {
    return this.numbers;
  }

  /** Runs moved to make room for numbers added below the last run, since the set was made. */
  get movedRuns(): number {
    return this.moved;
  }

  /** Bytes held by the runs' arrays. */
  get byteLength(): number {
    return this.starts.byteLength + this.ends.byteLength;
  }

  /** Adds `n` (a safe integer); returns false when it was already present. */
  add(n: number): boolean {
    const last = this.count - 1;
    if (last >= 0) {
      const lastEnd = this.ends[last] as number;
      if (n === lastEnd + 1) {
        this.ends[last] = n;
        this.numbers++;
        return true;
      }
      if (n <= lastEnd) return this.addBelow(n);
    }
    this.insertRun(this.count, n);
    return true;
  }

  /** Calls `visit` for every number held, in ascending order. */
  forEach(visit: (n: number) => void): void {
    for (let run = 0; run < this.count; run++) {
      const end = this.ends[run] as number;
      for (let n = this.starts[run] as number; n <= end; n++) visit(n);
    }
  }

  has(n: number): boolean {
    const at = this.runAtOrBefore(n);
    return at >= 0 && n <= (this.ends[at] as number);
  }

  /** `n` is at most the last run's end. */
  private addBelow(n: number): boolean {
    const before = this.runAtOrBefore(n);
    if (before >= 0 && n <= (this.ends[before] as number)) return false;
    const after = before + 1; // exists: n is below the last run's end
    const joinsBefore = before >= 0 && n === (this.ends[before] as number) + 1;
    const joinsAfter = n === (this.starts[after] as number) - 1;
    this.numbers++;
    if (joinsBefore && joinsAfter) {
      // n fills the gap between two runs: they become one.
      this.ends[before] = this.ends[after] as number;
      this.removeRun(after);
    } else if (joinsBefore) {
      this.ends[before] = n;
    } else if (joinsAfter) {
      this.starts[after] = n;
    } else {
      this.numbers--; // insertRun counts it
      this.insertRun(after, n);
    }
    return true;
  }

  /** The last run whose start is at most `n`, or -1. */
  private runAtOrBefore(n: number): number {
    let low = 0;
    let high = this.count - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if ((this.starts[middle] as number) <= n) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  private insertRun(at: number, n: number): void {
    if (this.count === this.starts.length) this.grow();
    if (at < this.count) {
      this.starts.copyWithin(at + 1, at, this.count);
      this.ends.copyWithin(at + 1, at, this.count);
      this.moved += this.count - at;
    }
    this.starts[at] = n;
    this.ends[at] = n;
    this.count++;
    this.numbers++;
  }

  private removeRun(at: number): void {
    this.starts.copyWithin(at, at + 1, this.count);
    this.ends.copyWithin(at, at + 1, this.count);
    this.moved += this.count - at - 1;
    this.count--;
  }

  private grow(): void {
    const starts = new Float64Array(this.starts.length * 2);
    const ends = new Float64Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}
