import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { woffToSfnt } from '../../../src/adapters/charts/woff-to-sfnt';

const TRUETYPE = 0x00010000;

interface Table {
  readonly tag: string;
  readonly data: number[];
  readonly checksum: number;
  /** Stored zlib-compressed (only when that is smaller, as WOFF requires). */
  readonly compress: boolean;
}

/** A WOFF 1.0 file around `tables` (sorted by tag, as the format wants), built by hand. */
function woffOf(flavor: number, tables: readonly Table[]): Uint8Array {
  const stored = tables.map((table) =>
    table.compress ? new Uint8Array(deflateSync(Uint8Array.from(table.data))) : Uint8Array.from(table.data),
  );
  let size = 44 + tables.length * 20;
  const offsets = stored.map((data) => {
    const offset = size;
    size += (data.byteLength + 3) & ~3;
    return offset;
  });
  const woff = new Uint8Array(size);
  const view = new DataView(woff.buffer);
  view.setUint32(0, 0x774f4646);
  view.setUint32(4, flavor);
  view.setUint32(8, size);
  view.setUint16(12, tables.length);
  tables.forEach((table, index) => {
    const entry = 44 + index * 20;
    const data = stored[index] as Uint8Array;
    for (let i = 0; i < 4; i++) view.setUint8(entry + i, table.tag.charCodeAt(i));
    view.setUint32(entry + 4, offsets[index] as number);
    view.setUint32(entry + 8, data.byteLength);
    view.setUint32(entry + 12, table.data.length);
    view.setUint32(entry + 16, table.checksum);
    woff.set(data, offsets[index] as number);
  });
  return woff;
}

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

describe('woffToSfnt', () => {
  it('writes the sfnt header, directory and 4-byte aligned tables, inflating compressed ones', () => {
    // Arrange: 'head' of 3 bytes stored as is, 'name' of 64 repeated bytes compressed.
    const name = new Array<number>(64).fill(0x41);
    const woff = woffOf(TRUETYPE, [
      { tag: 'head', data: [1, 2, 3], checksum: 0x11223344, compress: false },
      { tag: 'name', data: name, checksum: 0x55667788, compress: true },
    ]);

    // Act
    const sfnt = woffToSfnt(woff);

    // Assert: 12-byte header, two 16-byte entries (data at 44 and 48), 3 bytes padded to 4, then 64.
    const expected = [
      ...[0, 1, 0, 0], // sfnt version: TrueType
      ...[0, 2], // two tables
      ...[0, 32], // searchRange: 2 × 16
      ...[0, 1], // entrySelector: log2(2)
      ...[0, 0], // rangeShift: 2 × 16 - 32
      ...ascii('head'),
      ...[0x11, 0x22, 0x33, 0x44],
      ...[0, 0, 0, 44],
      ...[0, 0, 0, 3],
      ...ascii('name'),
      ...[0x55, 0x66, 0x77, 0x88],
      ...[0, 0, 0, 48],
      ...[0, 0, 0, 64],
      ...[1, 2, 3, 0],
      ...name,
    ];
    expect([...sfnt]).toEqual(expected);
  });

  it('keeps the flavor and fills the binary search fields for a table count that is not a power of two', () => {
    // Arrange: an OpenType (CFF) flavor with five tables.
    const tables = ['OS/2', 'cmap', 'head', 'hhea', 'name'].map((tag, index) => ({
      tag,
      data: [index],
      checksum: index,
      compress: false,
    }));

    // Act
    const sfnt = woffToSfnt(woffOf(0x4f54544f, tables));

    // Assert: the largest power of two ≤ 5 is 4, so 64, 2 and 5 × 16 - 64 = 16.
    const view = new DataView(sfnt.buffer);
    expect(view.getUint32(0)).toBe(0x4f54544f);
    expect([view.getUint16(4), view.getUint16(6), view.getUint16(8), view.getUint16(10)]).toEqual([
      5, 64, 2, 16,
    ]);
    expect(sfnt.byteLength).toBe(12 + 5 * 16 + 5 * 4);
  });

  it('refuses what is not a WOFF 1.0 font, WOFF2 included', () => {
    // Arrange
    const woff2 = Uint8Array.from([...ascii('wOF2'), ...new Array<number>(60).fill(0)]);

    // Act
    const unpack = () => woffToSfnt(woff2);

    // Assert
    expect(unpack).toThrow(/not a WOFF 1.0 font/);
  });

  it('refuses a file whose table runs past its end', () => {
    // Arrange
    const woff = woffOf(TRUETYPE, [
      { tag: 'head', data: [1, 2, 3, 4, 5, 6, 7, 8], checksum: 0, compress: false },
    ]);

    // Act
    const unpack = () => woffToSfnt(woff.subarray(0, woff.byteLength - 4));

    // Assert
    expect(unpack).toThrow(/runs past the end/);
  });

  it('refuses a table that does not unpack to its stated length', () => {
    // Arrange: the directory says 70 bytes; the compressed data holds 64.
    const woff = woffOf(TRUETYPE, [
      { tag: 'name', data: new Array<number>(64).fill(7), checksum: 0, compress: true },
    ]);
    new DataView(woff.buffer).setUint32(44 + 12, 70);

    // Act
    const unpack = () => woffToSfnt(woff);

    // Assert
    expect(unpack).toThrow(/stated length/);
  });
});
