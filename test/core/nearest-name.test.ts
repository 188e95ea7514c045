import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, nearestName } from '../../src/core/nearest-name';

describe('nearestName', () => {
  it('finds the name a slip was meant for: a letter missing, extra, wrong or swapped, or the case', () => {
    const known = ['greeting', 'quarter', 'views', 'hasNotes', 'id'];

    expect(nearestName('greting', known)).toBe('greeting');
    expect(nearestName('quarterr', known)).toBe('quarter');
    expect(nearestName('veiws', known)).toBe('views');
    expect(nearestName('HasNotes', known)).toBe('hasNotes');
    expect(nearestName('ix', known)).toBe('id');
  });

  it('suggests nothing when no name is close enough to be a slip', () => {
    expect(nearestName('subject', ['greeting', 'views'])).toBeUndefined();
    expect(nearestName('ab', ['id'])).toBeUndefined();
  });

  it('prefers the closest name, and the first of equally close ones', () => {
    expect(nearestName('valeu', ['values', 'value'])).toBe('value');
    expect(nearestName('bat', ['bar', 'baz'])).toBe('bar');
  });
});

describe('editDistance', () => {
  const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 8 });

  it('is hand-checkable on small cases', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('greting', 'greeting')).toBe(1);
  });

  it('is zero exactly for equal words, and symmetric', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, b)).toBe(editDistance(b, a));
      }),
    );
  });

  it('counts one edit for one letter inserted, removed or replaced, and never more than the longer length', () => {
    fc.assert(
      fc.property(word, fc.nat(), fc.constantFrom('x', 'y'), (a, at, letter) => {
        const index = a.length === 0 ? 0 : at % a.length;
        expect(editDistance(a, `${a.slice(0, index)}${letter}${a.slice(index)}`)).toBe(1);
        if (a.length > 0) {
          expect(editDistance(a, `${a.slice(0, index)}${a.slice(index + 1)}`)).toBe(1);
          expect(editDistance(a, `${a.slice(0, index)}${letter}${a.slice(index + 1)}`)).toBe(1);
        }
        expect(editDistance(a, 'dcba')).toBeLessThanOrEqual(Math.max(a.length, 4));
      }),
    );
  });
});
