import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntervalSet } from '../../../src/core/collections/interval-set';

/** Maximal runs of consecutive numbers in a set of numbers. */
function runsOf(numbers: Set<number>): number {
  let runs = 0;
  for (const n of numbers) if (!numbers.has(n - 1)) runs++;
  return runs;
}

describe('IntervalSet', () => {
  it('keeps numbers counting up with gaps as one run per stretch', () => {
    // Arrange
    const set = new IntervalSet();
    // Act: 1..1000, 1002..2000, then 1001 fills the gap and 5 is a repeat.
    for (let n = 1; n <= 1000; n++) set.add(n);
    for (let n = 1002; n <= 2000; n++) set.add(n);
    const runsBefore = set.runs;
    const filled = set.add(1001);
    const repeat = set.add(5);
    // Assert
    expect(runsBefore).toBe(2);
    expect([filled, repeat]).toEqual([true, false]);
    expect(set.runs).toBe(1);
    expect(set.size).toBe(2000);
    expect(set.movedRuns).toBe(0);
  });

  it('agrees with a Set of numbers on any sequence, with runs that never touch', () => {
    const numbers = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 200 }),
      // Counting up with repeats and gaps, then anything: the shape exports have.
      fc
        .tuple(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 150 }), fc.array(fc.nat(400)))
        .map(([steps, rest]) => {
          let n = 1e12;
          return [...steps.map((step) => (n += step - 1)), ...rest.map((r) => 1e12 + r)];
        }),
    );
    fc.assert(
      fc.property(numbers, (sequence) => {
        const set = new IntervalSet();
        const reference = new Set<number>();
        for (const n of sequence) {
          expect(set.add(n)).toBe(!reference.has(n));
          reference.add(n);
        }
        for (const n of sequence) expect(set.has(n)).toBe(true);
        expect(set.has(-1)).toBe(false);
        expect(set.size).toBe(reference.size);
        expect(set.runs).toBe(runsOf(reference));
      }),
    );
  });
});
