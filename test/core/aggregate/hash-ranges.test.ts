import { describe, expect, it } from 'vitest';
import {
  hashRangeCount,
  hashRangeOf,
  MAX_HASH_RANGES,
  pieceClaimsFor,
  RANGE_TEXT_BYTES,
} from '../../../src/core/aggregate/hash-ranges';

describe('hash ranges', () => {
  it('are one per 2 GiB of text, at least one and at most 256', () => {
    expect(hashRangeCount(0)).toBe(1);
    expect(hashRangeCount(RANGE_TEXT_BYTES)).toBe(1);
    expect(hashRangeCount(RANGE_TEXT_BYTES + 1)).toBe(2);
    expect(hashRangeCount(10 * 2 ** 30)).toBe(5);
    expect(hashRangeCount(2 ** 50)).toBe(MAX_HASH_RANGES);
  });

  it('split the high words of the hashes into equal ranges, in order (signed words read unsigned)', () => {
    expect([0, 2 ** 30, 2 ** 31 - 1, -(2 ** 31), -(2 ** 30), -1].map((high) => hashRangeOf(high, 4))).toEqual(
      [0, 1, 1, 2, 3, 3],
    );
    expect(hashRangeOf(-1, 1)).toBe(0);
    expect(hashRangeOf(-1, MAX_HASH_RANGES)).toBe(MAX_HASH_RANGES - 1);
  });

  it('give pieces of 131,072 claims up to 8 ranges, smaller beyond, never below 4,096', () => {
    expect(pieceClaimsFor(1)).toBe(131_072);
    expect(pieceClaimsFor(8)).toBe(131_072);
    expect(pieceClaimsFor(16)).toBe(65_536);
    expect(pieceClaimsFor(MAX_HASH_RANGES)).toBe(4_096);
    // The buffers of all ranges together stay at 2²⁰ claims.
    for (const ranges of [1, 3, 8, 16, 100, MAX_HASH_RANGES]) {
      expect(ranges * pieceClaimsFor(ranges)).toBeLessThanOrEqual(2 ** 20);
    }
  });
});
