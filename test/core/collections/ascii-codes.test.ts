import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsciiCodes } from '../../../src/core/collections/ascii-interner';

const encoder = new TextEncoder();

describe('AsciiCodes', () => {
  it('numbers values in order of first appearance, from bytes or from text alike', () => {
    const value = fc.stringMatching(/^[!-~]{1,6}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(value, fc.boolean()), { maxLength: 400 }), (values) => {
        const codes = new AsciiCodes();
        const firstSeen: string[] = [];
        for (const [text, asBytes] of values) {
          // Inside a larger buffer, as a field of a row is.
          const bytes = encoder.encode(`,${text},`);
          const code = asBytes ? codes.codeOfBytes(bytes, 1, bytes.length - 1) : codes.codeOf(text);
          if (!firstSeen.includes(text)) firstSeen.push(text);
          expect(code).toBe(firstSeen.indexOf(text));
          // The recent codes answer right or not at all, and know a value just numbered from bytes.
          const recent = codes.recentCode(bytes, 1, bytes.length - 1);
          expect([-1, code]).toContain(recent);
          if (asBytes) expect(recent).toBe(code);
        }
        expect(codes.texts).toEqual(firstSeen);
      }),
    );
  });
});
