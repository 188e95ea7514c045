import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storedFileBytes } from '../../../src/adapters/file-bytes/export-file-content';
import {
  type CsvRecord,
  CsvRecordFaultError,
  CsvTokenizer,
} from '../../../src/core/export-set/csv-tokenizer';
import { readCsvFile } from '../../../src/core/readers/simple/read-csv-file';

const encoder = new TextEncoder();

function tokenize(...chunks: (string | Uint8Array)[]): CsvRecord[] {
  const records: CsvRecord[] = [];
  const tokenizer = new CsvTokenizer();
  for (const chunk of chunks) {
    tokenizer.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk, (record) =>
      records.push(record),
    );
  }
  tokenizer.finish((record) => records.push(record));
  return records;
}

/** A well-formed record of valid UTF-8, as the tokenizer emits it. */
function record(fields: string[], line: number, lines = 1): CsvRecord {
  return { fields, line, lines, validUtf8: true };
}

async function readBytes(
  bytes: Uint8Array,
  cuts: number[],
  name = 'data.csv',
  maxRowBytes?: number,
): Promise<CsvRecord[]> {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  async function* chunks() {
    let from = 0;
    for (const point of points) {
      yield bytes.subarray(from, point);
      from = point;
    }
    yield bytes.subarray(from);
  }
  const records: CsvRecord[] = [];
  // The stored bytes as a store gives them (gunzipped for .gz), then the records.
  const content = storedFileBytes(chunks(), { name, size: bytes.length });
  await readCsvFile(content.bytes, (record) => records.push(record), { maxRowBytes });
  return records;
}

/** The records, or the fault that stopped the reading (with the records before it). */
function outcome(bytes: Uint8Array, cuts: number[], maxRowBytes?: number) {
  const records: CsvRecord[] = [];
  try {
    const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
    const tokenizer = new CsvTokenizer(maxRowBytes);
    let from = 0;
    for (const point of [...points, bytes.length]) {
      tokenizer.push(bytes.subarray(from, point), (r) => records.push(r));
      from = point;
    }
    tokenizer.finish((r) => records.push(r));
    return { records };
  } catch (error) {
    if (!(error instanceof CsvRecordFaultError)) throw error;
    return { fault: { line: error.line, kind: error.fault } };
  }
}

describe('CsvTokenizer', () => {
  it('reads quoted commas, doubled quotes and line breaks inside quotes', () => {
    // Act
    const records = tokenize('a,b,c\n"x, y","say ""hi""","two\nlines"\n');
    // Assert
    expect(records.map((record) => record.fields)).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
    ]);
  });

  it('numbers each record by the line it starts on, counting line breaks inside quotes', () => {
    // Act
    const records = tokenize('h\r\n"one\r\ntwo"\r\n\r\nthree\nfour\rfive');
    // Assert
    expect(records.map((record) => [record.fields[0], record.line])).toEqual([
      ['h', 1],
      ['one\r\ntwo', 2],
      ['three', 5],
      ['four', 6],
      ['five', 7],
    ]);
  });

  it('accepts a file mixing CRLF and LF line endings', () => {
    // Act
    const records = tokenize('a,b\r\n1,2\n3,"4"\r\n5,6');
    // Assert
    expect(records.map((record) => record.fields)).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('skips empty lines but keeps a line holding one quoted empty field', () => {
    // Act
    const records = tokenize('a\n\n""\n\n');
    // Assert
    expect(records.map((record) => record.fields)).toEqual([['a'], ['']]);
  });

  it('flags a stray quote inside an unquoted field and keeps reading the next rows', () => {
    // Act
    const records = tokenize('id,size\n1,5" screen\n2,ok\n');
    // Assert
    expect(records[1]?.error).toMatch(/double quote inside unquoted field 2/);
    expect(records[2]).toEqual(record(['2', 'ok'], 3));
  });

  it('flags text after a closing quote and keeps reading the next rows', () => {
    // Act
    const records = tokenize('a,b\n"x"y,1\n2,3\n');
    // Assert
    expect(records[1]?.error).toMatch(/text after the closing quote of field 1/);
    expect(records[2]).toEqual(record(['2', '3'], 3));
  });

  it('stops at a quoted field that is never closed, with the line its row starts on', () => {
    // Act
    const read = () => tokenize('a,b\n1,ok\n2,"open\n3,4\n');
    // Assert
    expect(read).toThrow(CsvRecordFaultError);
    expect(read).toThrow(expect.objectContaining({ line: 3, fault: 'unclosed-quote' }));
  });

  it('says how many lines a record spans', () => {
    // Act
    const records = tokenize('a,b\n"x\r\ny\rz",1\n2,3');
    // Assert
    expect(records.map((r) => [r.line, r.lines])).toEqual([
      [1, 1],
      [2, 3],
      [5, 1],
    ]);
  });

  it('stops at the first record longer than the limit, with its first line, whatever the cuts', () => {
    // Arrange: the row on line 3 is 11 bytes; the limit is 10.
    const bytes = encoder.encode('h\nabcdefghij\n"abc\ndefgh"\nz\n');
    const cuttings = [[], [1], [5, 9], [14, 15, 16, 17], [24]];
    // Act
    const outcomes = cuttings.map((cuts) => outcome(bytes, cuts, 10));
    // Assert
    for (const read of outcomes) expect(read).toEqual({ fault: { line: 3, kind: 'row-too-long' } });
  });

  it('holds no more than the limit of a record that never ends', () => {
    // Arrange: a "record" of a million bytes with no line break, pushed in 64 KiB pieces.
    const tokenizer = new CsvTokenizer(1000);
    const piece = new Uint8Array(65_536).fill(0x61);
    // Act
    const push = () => tokenizer.push(piece, () => {});
    // Assert: the first piece already stops it.
    expect(push).toThrow(expect.objectContaining({ line: 1, fault: 'row-too-long' }));
  });

  it('flags a record with bytes that are not UTF-8, and only that one', () => {
    // Act: é in Latin-1 (0xE9) on line 2, then é in UTF-8 cut between pushes on line 3.
    const records = tokenize(
      Uint8Array.from([0x61, 0x0a, 0x62, 0xe9, 0x0a, 0x63, 0xc3]),
      Uint8Array.from([0xa9, 0x0a]),
    );
    // Assert
    expect(records.map((r) => [r.fields[0], r.validUtf8])).toEqual([
      ['a', true],
      ['b\uFFFD', false],
      ['cé', true],
    ]);
  });

  it('flags bytes that are valid only when two fields are joined', () => {
    // Act: 0xC3 ends one field, 0xA9 starts the next; "é" only across the comma.
    const records = tokenize(Uint8Array.from([0xc3, 0x2c, 0xa9, 0x0a]));
    // Assert
    expect(records[0]?.validUtf8).toBe(false);
  });
});

describe('readCsvFile', () => {
  it('drops a leading byte-order mark and decodes UTF-8 split across chunks', async () => {
    // Arrange
    const bytes = new TextEncoder().encode('\uFEFFname\nZürich\n東京\n');
    // Act: cut inside the BOM and inside multi-byte characters
    const records = await readBytes(bytes, [1, 2, 10, 12, 14, 15]);
    // Assert
    expect(records.map((record) => record.fields[0])).toEqual(['name', 'Zürich', '東京']);
  });

  it('gunzips a .gz file as it streams', async () => {
    // Arrange
    const { gzipSync } = await import('node:zlib');
    const bytes = gzipSync(Buffer.from('a,b\n1,2\n'));
    // Act
    const records = await readBytes(new Uint8Array(bytes), [5, 9], 'data.csv.gz');
    // Assert
    expect(records.map((record) => record.fields)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});

// Property tests: whatever the quoting, line endings and chunk boundaries, the reader
// returns exactly the records that were written, each with the line it starts on.
const fieldText = fc.string({
  unit: fc.constantFrom('a', 'Z', '7', ' ', ',', '"', '\n', '\r', '\r\n', 'é', '東', '😀', '-', ':'),
  maxLength: 8,
});
const recordArb = fc.array(fieldText, { minLength: 1, maxLength: 5 });

interface Encoded {
  text: string;
  /** Line breaks inside the record's fields. */
  innerBreaks: number;
}

function encodeField(field: string, forceQuotes: boolean): string {
  const needsQuotes = /[",\r\n]/.test(field) || field === '';
  return needsQuotes || forceQuotes ? `"${field.replaceAll('"', '""')}"` : field;
}

function lineBreaks(text: string): number {
  return (text.match(/\r\n|\r|\n/g) ?? []).length;
}

function encodeRecord(record: string[], quoting: boolean[]): Encoded {
  const text = record.map((field, i) => encodeField(field, quoting[i] ?? false)).join(',');
  return { text, innerBreaks: record.reduce((sum, field) => sum + lineBreaks(field), 0) };
}

describe('CSV reader properties', () => {
  it('returns the written records whatever the chunk boundaries, line endings and quoting', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            fields: recordArb,
            quoting: fc.array(fc.boolean(), { maxLength: 5 }),
            ending: fc.constantFrom('\n', '\r\n'),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (rows, finalBreak, bom, cuts) => {
          // Arrange
          let text = bom ? '\uFEFF' : '';
          let line = 1;
          const expected: CsvRecord[] = [];
          rows.forEach((row, index) => {
            const encoded = encodeRecord(row.fields, row.quoting);
            expected.push(record(row.fields, line, encoded.innerBreaks + 1));
            text += encoded.text;
            if (index < rows.length - 1 || finalBreak) text += row.ending;
            line += encoded.innerBreaks + 1;
          });
          // Act
          const records = await readBytes(new TextEncoder().encode(text), cuts);
          // Assert
          expect(records).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same records for every way of cutting the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', 'é'), maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (text, cuts) => {
          // Arrange: arbitrary, often malformed, input
          const bytes = new TextEncoder().encode(text);
          // Act
          const whole = outcome(bytes, [], 12);
          const cut = outcome(bytes, cuts, 12);
          // Assert
          expect(cut).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});
