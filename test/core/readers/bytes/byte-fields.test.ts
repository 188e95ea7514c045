import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClaimsBuilder } from '../../../../src/core/aggregate/partial-aggregate';
import { hashBytes, hashOut, hashPlainToken } from '../../../../src/core/collections/byte-hash';
import { dayNumber } from '../../../../src/core/quarter';
import { isPlainToken, parseDateBytes } from '../../../../src/core/readers/bytes/byte-fields';
import { ChunkBufferPool } from '../../../../src/core/readers/bytes/chunker';
import { ClientTable } from '../../../../src/core/readers/bytes/client-table';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes at an odd offset inside a larger buffer, so that word reads are unaligned. */
function bytesAt(content: Uint8Array, offset: number): Uint8Array {
  const buffer = new Uint8Array(content.length + offset + 3).fill(0x2c);
  buffer.set(content, offset);
  return buffer.subarray(offset, offset + content.length);
}

describe('hashPlainToken', () => {
  it('hashes as hashBytes does when the field is plain, and refuses it exactly when it is not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 7 }), (content, offset) => {
        const bytes = bytesAt(content, offset);
        const view = new DataView(bytes.buffer);
        const start = bytes.byteOffset;
        const end = start + bytes.length;
        const whole = new Uint8Array(bytes.buffer);
        const plain = hashPlainToken(view, whole, start, end);
        expect(plain).toBe(isPlainToken(whole, start, end));
        if (plain) {
          const fused = [hashOut[0], hashOut[1]];
          hashBytes(whole, start, end);
          expect(fused).toEqual([hashOut[0], hashOut[1]]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses control bytes, bytes above 0x7e and spaces at either end, wherever they sit in a word', () => {
    const plain = (text: string | number[]) => {
      const bytes = typeof text === 'string' ? encoder.encode(text) : Uint8Array.from(text);
      return hashPlainToken(new DataView(bytes.buffer), bytes, 0, bytes.length);
    };
    expect(plain('I2026Q3-00000001')).toBe(true);
    expect(plain('')).toBe(false);
    expect(plain(' I2026')).toBe(false);
    expect(plain('I2026 ')).toBe(false);
    expect(plain('I20 26')).toBe(true);
    expect(plain([73, 50, 48, 0x7f, 49])).toBe(false);
    expect(plain([73, 50, 48, 49, 0x1f, 49])).toBe(false);
    expect(plain('I2026Q3-é')).toBe(false);
  });
});

describe('parseDateBytes', () => {
  it('gives the day number of every valid date from 1890 to 2210 (inside and outside its table)', () => {
    for (let year = 1890; year <= 2210; year++) {
      for (let month = 1; month <= 12; month++) {
        const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
        for (const day of [1, 15, days]) {
          const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const bytes = encoder.encode(text);
          expect(parseDateBytes(bytes, 0, bytes.length), text).toBe(dayNumber(year, month, day));
        }
      }
    }
  });

  it('refuses impossible dates and non-digits', () => {
    for (const text of [
      '2026-02-29',
      '2100-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-1a-01',
      '2026/01/01',
    ]) {
      const bytes = encoder.encode(text);
      expect(parseDateBytes(bytes, 0, bytes.length), text).toBeNaN();
    }
    const leap = encoder.encode('2000-02-29');
    expect(parseDateBytes(leap, 0, leap.length)).toBe(dayNumber(2000, 2, 29));
  });
});

describe('ClaimsBuilder buffers', () => {
  it('reuses a spare buffer, and keeps every claim and id when it outgrows it', () => {
    const first = new ClaimsBuilder(16);
    first.add(1, 2, 0, 1, 0, 0, encoder.encode('a'), 0, 1);
    const spare = first.finish().position.buffer as ArrayBuffer;
    const builder = new ClaimsBuilder(16, spare);
    const ids = Array.from({ length: 100 }, (_, i) => `id-${i}-${'x'.repeat(i % 40)}`);
    ids.forEach((id, i) => {
      const bytes = bytesAt(encoder.encode(id), i % 5);
      builder.add(i + 1, i, i, i % 4, i * 3, i * 10, bytes, 0, bytes.length);
    });
    const claims = builder.finish();
    expect(claims.length).toBe(100);
    ids.forEach((id, i) => {
      expect(decoder.decode(claims.idBytes.subarray(claims.idStart[i], claims.idEnd[i]))).toBe(id);
      expect([claims.hashHigh[i], claims.hashLow[i], claims.client[i], claims.value[i]]).toEqual([
        i + 1,
        i,
        i,
        i * 3,
      ]);
      expect(claims.position[i]).toBe(i * 10);
    });
  });
});

describe('ChunkBufferPool', () => {
  it('gives back buffers of its size only, and a fresh buffer for a larger chunk', () => {
    const pool = new ChunkBufferPool(64);
    const chunk = pool.take(10);
    expect(chunk.length).toBe(10);
    pool.give(chunk);
    expect(pool.take(20).buffer).toBe(chunk.buffer);
    const large = pool.take(100);
    expect(large.buffer.byteLength).toBe(100);
    pool.give(large);
    expect(pool.take(5).buffer).not.toBe(large.buffer);
  });
});

describe('ClientTable word compares', () => {
  it('finds ids of every length and no id that differs in one byte', () => {
    const table = new ClientTable(16);
    const ids = Array.from({ length: 50 }, (_, i) => `C-${'0'.repeat(i % 9)}${i}`);
    for (const id of ids) table.addString(id);
    ids.forEach((id, index) => {
      const bytes = bytesAt(encoder.encode(id), index % 4);
      expect(table.lookup(bytes, 0, bytes.length)).toBe(index);
      const changed = Uint8Array.from(bytes);
      changed[changed.length - 1] = (changed[changed.length - 1] as number) ^ 1;
      expect(ids).not.toContain(decoder.decode(changed));
      expect(table.lookup(changed, 0, changed.length)).toBe(-1);
    });
  });
});
