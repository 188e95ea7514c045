import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdHashSet } from '../../../src/core/collections/id-hash-set';

describe('IdHashSet', () => {
  it('says whether an id was seen before, through many resizes', () => {
    // Arrange
    const set = new IdHashSet();
    const ids = Array.from({ length: 50_000 }, (_, i) => `I-${i}`);
    // Act
    const firstTime = ids.map((id) => set.add(id));
    const secondTime = ids.map((id) => set.add(id));
    // Assert
    expect(firstTime.every(Boolean)).toBe(true);
    expect(secondTime.some(Boolean)).toBe(false);
    expect(set.size).toBe(50_000);
  });

  it('agrees with a Set of strings on any sequence of ids', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 300 }), (ids) => {
        const set = new IdHashSet();
        const reference = new Set<string>();
        for (const id of ids) {
          expect(set.add(id)).toBe(!reference.has(id));
          reference.add(id);
        }
      }),
    );
  });
});
