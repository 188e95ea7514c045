/**
 * Unpacks a WOFF 1.0 font (https://www.w3.org/TR/WOFF/) into the TrueType/OpenType file it
 * wraps: each table is stored alone, zlib-compressed or not, so unpacking is one inflate per
 * table and a new table directory. resvg takes WOFF2 too, but it unpacks (Brotli plus the
 * glyph transforms) on every chart, for each font: that was 35 ms a chart. A TTF made once
 * per process costs about 2 ms a chart to load.
 */
import { inflateSync } from 'node:zlib';

const WOFF_SIGNATURE = 0x774f4646; // 'wOFF'
const WOFF_HEADER_BYTES = 44;
const WOFF_ENTRY_BYTES = 20;
const SFNT_HEADER_BYTES = 12;
const SFNT_ENTRY_BYTES = 16;

interface WoffTable {
  readonly tag: number;
  readonly checksum: number;
  readonly data: Uint8Array;
}

/** Whether the font file is WOFF 1.0 (it starts with 'wOFF'; WOFF2 starts with 'wOF2'). */
export function isWoff(font: Uint8Array): boolean {
  return (
    font.byteLength >= 4 && new DataView(font.buffer, font.byteOffset, 4).getUint32(0) === WOFF_SIGNATURE
  );
}

/** The sfnt (TTF/OTF) bytes of a WOFF 1.0 font; throws on anything that is not one. */
export function woffToSfnt(woff: Uint8Array): Uint8Array {
  const view = new DataView(woff.buffer, woff.byteOffset, woff.byteLength);
  if (woff.byteLength < WOFF_HEADER_BYTES || !isWoff(woff)) {
    throw new Error('not a WOFF 1.0 font (no wOFF signature)');
  }
  const flavor = view.getUint32(4);
  const numTables = view.getUint16(12);
  const tables: WoffTable[] = [];
  for (let index = 0; index < numTables; index++) {
    const entry = WOFF_HEADER_BYTES + index * WOFF_ENTRY_BYTES;
    if (entry + WOFF_ENTRY_BYTES > woff.byteLength) throw new Error('WOFF table directory is cut short');
    const offset = view.getUint32(entry + 4);
    const compressedLength = view.getUint32(entry + 8);
    const length = view.getUint32(entry + 12);
    if (offset + compressedLength > woff.byteLength)
      throw new Error('WOFF table runs past the end of the file');
    const stored = woff.subarray(offset, offset + compressedLength);
    const data = compressedLength < length ? new Uint8Array(inflateSync(stored)) : stored;
    if (data.byteLength !== length) throw new Error('WOFF table does not unpack to its stated length');
    tables.push({ tag: view.getUint32(entry), checksum: view.getUint32(entry + 16), data });
  }
  return sfntFrom(flavor, tables);
}

/** Writes the offset table, the table directory (in WOFF's order: by tag) and 4-byte aligned tables. */
function sfntFrom(flavor: number, tables: readonly WoffTable[]): Uint8Array {
  const padded = (length: number) => (length + 3) & ~3;
  let size = SFNT_HEADER_BYTES + tables.length * SFNT_ENTRY_BYTES;
  for (const table of tables) size += padded(table.data.byteLength);
  const sfnt = new Uint8Array(size);
  const view = new DataView(sfnt.buffer);
  const power = 2 ** Math.floor(Math.log2(Math.max(tables.length, 1)));
  view.setUint32(0, flavor);
  view.setUint16(4, tables.length);
  view.setUint16(6, power * 16);
  view.setUint16(8, Math.log2(power));
  view.setUint16(10, tables.length * 16 - power * 16);
  let offset = SFNT_HEADER_BYTES + tables.length * SFNT_ENTRY_BYTES;
  tables.forEach((table, index) => {
    const entry = SFNT_HEADER_BYTES + index * SFNT_ENTRY_BYTES;
    view.setUint32(entry, table.tag);
    view.setUint32(entry + 4, table.checksum);
    view.setUint32(entry + 8, offset);
    view.setUint32(entry + 12, table.data.byteLength);
    sfnt.set(table.data, offset);
    offset += padded(table.data.byteLength);
  });
  return sfnt;
}
