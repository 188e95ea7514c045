import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvRecord, CsvTokenizer } from '../../../src/core/csv/csv-tokenizer';
import { readCsvFile } from '../../../src/core/csv/read-csv-file';

function tokenize(...chunks: string[]): CsvRecord[] {
  const records: CsvRecord[] = [];
  const tokenizer = new CsvTokenizer();
  for (const chunk of chunks) tokenizer.push(chunk, (record) => records.push(record));
  tokenizer.finish((record) => records.push(record));
  return records;
}

async function readBytes(bytes: Uint8Array, cuts: number[], name = 'data.csv'): Promise<CsvRecord[]> {
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
  await readCsvFile(chunks(), { name, size: bytes.length }, (record) => records.push(record));
  return records;
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
    expect(records[2]).toEqual({ fields: ['2', 'ok'], line: 3 });
  });

  it('flags text after a closing quote and keeps reading the next rows', () => {
    // Act
    const records = tokenize('a,b\n"x"y,1\n2,3\n');
    // Assert
    expect(records[1]?.error).toMatch(/text after the closing quote of field 1/);
    expect(records[2]).toEqual({ fields: ['2', '3'], line: 3 });
  });

  it('reports a quoted field that is never closed on the line its row starts', () => {
    // Act
    const records = tokenize('a,b\n1,ok\n2,"open\n3,4\n');
    // Assert
    expect(records).toHaveLength(3);
    expect(records[2]?.line).toBe(3);
    expect(records[2]?.error).toMatch(/a quoted field is never closed/);
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
            expected.push({ fields: row.fields, line });
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
          const whole = await readBytes(bytes, []);
          const cut = await readBytes(bytes, cuts);
          // Assert
          expect(cut).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});
