import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLAIM_BLOCK, ClaimedIds, type NumberLimits } from '../../../src/core/aggregate/claimed-ids';
import { type Claims, ClaimsBuilder } from '../../../src/core/aggregate/partial-aggregate';
import { hashOut, hashString } from '../../../src/core/collections/byte-hash';

const encoder = new TextEncoder();

/** Claims of these ids, in order, with their real hashes (as the readers make them). */
function claimsOf(ids: readonly string[]): Claims {
  const builder = new ClaimsBuilder(ids.length);
  ids.forEach((id, line) => {
    hashString(id);
    const bytes = encoder.encode(id);
    builder.add(hashOut[0] as number, hashOut[1] as number, 0, 0, 0, line, bytes, 0, bytes.length);
  });
  return builder.finish();
}

/** Whether each claim repeats an earlier id, as ClaimedIds decides it, block by block. */
function decide(ids: readonly string[], limits?: NumberLimits, set = new ClaimedIds(ids.length, limits)) {
  const claims = claimsOf(ids);
  const repeated = new Uint8Array(CLAIM_BLOCK);
  const decisions: boolean[] = [];
  for (let from = 0; from < claims.length; from += CLAIM_BLOCK) {
    const to = Math.min(from + CLAIM_BLOCK, claims.length);
    set.claimBlock(claims, from, to, repeated);
    for (let i = from; i < to; i++) decisions.push(repeated[i - from] === 1);
  }
  return { decisions, set };
}

function exactly(ids: readonly string[]): boolean[] {
  const seen = new Set<string>();
  return ids.map((id) => {
    const repeat = seen.has(id);
    seen.add(id);
    return repeat;
  });
}

describe('ClaimedIds', () => {
  it('keeps numbered ids as runs and hashes the others', () => {
    // Arrange: 10,000 numbered ids with one gap, two repeats, and ids no number ends.
    const ids = Array.from({ length: 10_000 }, (_, i) => `I2026Q3-${String(i + 1).padStart(8, '0')}`)
      .filter((_, i) => i !== 500)
      .concat(['I2026Q3-00000007', 'uuid-3f2a-x', 'uuid-3f2a-x', 'I2026Q3-0000007']);

    // Act
    const { decisions, set } = decide(ids);

    // Assert: I2026Q3-0000007 has another width, so it is another id.
    expect(decisions.slice(-4)).toEqual([true, false, true, false]);
    expect(decisions.filter(Boolean)).toHaveLength(2);
    expect(set.layout).toEqual({ prefixes: 2, frozen: 0, hashed: 1 });
    expect(set.size).toBe(10_001);
    // Two runs and a one-number run for the other width, no 8-byte slot per id.
    expect(set.byteLength).toBeLessThan(12 * 1024);
  });

  it('agrees with a Set of strings on any ids in any order, whichever way they are held', () => {
    const numbered = fc
      .tuple(fc.constantFrom('I-', 'R', '', 'A1-', 'x'), fc.nat(40), fc.integer({ min: 1, max: 10 }))
      .map(([prefix, n, width]) => `${prefix}${String(n).padStart(width, '0')}`);
    const other = fc.oneof(
      fc.string({ maxLength: 4 }),
      fc.constantFrom(
        '1234567890123456',
        '99999999999999999999',
        `${'p'.repeat(70)}1`,
        'é7',
        '12a',
        'I-1a',
        'I-a1',
        'I-',
        'I-0000:001',
        'I-000/0001',
        'I-0000000a',
        'I-00000001',
        'I-00010001',
        'I-00000/01',
        'I-0000001/',
      ),
    );
    const limits = fc.record({
      prefixes: fc.integer({ min: 1, max: 4 }),
      movedRuns: fc.integer({ min: 0, max: 20 }),
      freeRuns: fc.integer({ min: 0, max: 8 }),
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(numbered, numbered, other), { maxLength: 300 }), limits, (ids, limit) => {
        expect(decide(ids, limit).decisions).toEqual(exactly(ids));
      }),
      { numRuns: 300 },
    );
  });

  it('takes only digits as a number, four at a time, whatever bytes lie among them', () => {
    // Arrange: after I-00000001, ids of the same length and prefix whose "digits" hold a byte
    // next to the digits (':' after '9', '/' before '0') would read as the numbers of the ids
    // after them (10001 and 1501) if those bytes were taken for digits.
    const ids = ['I-00000001', 'I-0000:001', 'I-00010001', 'I-00000/01', 'I-00001501', 'I-0000:001'];

    // Act
    const { decisions } = decide(ids);

    // Assert
    expect(decisions).toEqual([false, false, false, false, false, true]);
  });

  it('stops adding runs for numbers in no order, and still finds their repeats', () => {
    // Arrange: 4,000 numbers in a scrambled order, then all of them again.
    const order = Array.from({ length: 4000 }, (_, i) => (i * 2654435761) % 4001);
    const ids = [...order, ...order].map((n) => `T${n}`);

    // Act
    const { decisions, set } = decide(ids, { prefixes: 10, movedRuns: 5000, freeRuns: 64 });

    // Assert
    expect(decisions).toEqual(exactly(ids));
    expect(set.layout.frozen).toBeGreaterThan(0);
    expect(set.layout.hashed).toBeGreaterThan(0);
  });
});
