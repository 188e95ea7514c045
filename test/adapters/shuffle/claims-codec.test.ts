import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClaimsPieceError, decodeClaims, encodeClaims } from '../../../src/adapters/shuffle/claims-codec';
import { type Claims, ClaimsBuilder, position } from '../../../src/core/aggregate/partial-aggregate';

const encoder = new TextEncoder();

const claimArbitrary = fc.record({
  high: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  low: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  client: fc.integer({ min: 0, max: 9 }),
  flags: fc.integer({ min: 0, max: 3 }),
  line: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  id: fc.string({ maxLength: 40 }),
});

type ClaimRow = typeof claimArbitrary extends fc.Arbitrary<infer T> ? T : never;

function claimsOf(rows: readonly ClaimRow[]): Claims {
  const builder = new ClaimsBuilder(rows.length);
  for (const row of rows) {
    const id = encoder.encode(row.id);
    builder.add(row.high, row.low, row.client, row.flags, 0, position(0, row.line), id, 0, id.length);
  }
  return builder.finish();
}

/** Claims as plain data: what a reader of them sees. */
function rowsOf(claims: Claims) {
  const decoder = new TextDecoder();
  return Array.from({ length: claims.length }, (_, i) => ({
    high: claims.hashHigh[i],
    low: claims.hashLow[i],
    client: claims.client[i],
    flags: claims.flags[i],
    position: claims.position[i] as number,
    id: decoder.decode(claims.idBytes.subarray(claims.idStart[i], claims.idEnd[i])),
  }));
}

describe('claims pieces', () => {
  it('decode to the claims encoded, at the part given', () => {
    fc.assert(
      fc.property(
        fc.array(claimArbitrary, { maxLength: 30 }),
        fc.integer({ min: 0, max: 999 }),
        (rows, part) => {
          const claims = claimsOf(rows);

          const decoded = decodeClaims(encodeClaims(claims), part, 10);

          expect(rowsOf(decoded)).toEqual(
            rowsOf(claims).map((row) => ({ ...row, position: row.position + part * 2 ** 32 })),
          );
        },
      ),
    );
  });

  it('take 16 bytes of header and 21 bytes a claim besides the id (hand-computed)', () => {
    const claims = claimsOf([
      { high: 1, low: 2, client: 3, flags: 1, line: 4, id: 'I1' },
      { high: -1, low: -2, client: 0, flags: 3, line: 9, id: 'I-22' },
    ]);

    expect(encodeClaims(claims).length).toBe(16 + 2 * 21 + 6);
  });

  it('are refused when damaged, saying how', () => {
    const bytes = encodeClaims(claimsOf([{ high: 1, low: 2, client: 3, flags: 1, line: 4, id: 'I1' }]));

    expect(() => decodeClaims(bytes.subarray(0, 10), 0, 10)).toThrow(ClaimsPieceError);
    expect(() => decodeClaims(bytes.subarray(0, bytes.length - 1), 0, 10)).toThrow(
      /where 1 claims and 2 id bytes/,
    );
    expect(() => decodeClaims(new Uint8Array(bytes.length), 0, 10)).toThrow(/no KRC1 header/);
    expect(() => decodeClaims(bytes, 0, 3)).toThrow(/names client number 3 of 3/);
  });

  it('refuse to encode positions beyond one part', () => {
    const builder = new ClaimsBuilder(1);
    builder.add(1, 2, 0, 0, 0, position(1, 5), encoder.encode('I'), 0, 1);

    expect(() => encodeClaims(builder.finish())).toThrow(/not a line of one part/);
  });
});
