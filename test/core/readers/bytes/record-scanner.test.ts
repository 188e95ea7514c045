import { describe, expect, it } from 'vitest';
import { RecordScanner } from '../../../../src/core/readers/bytes/record-scanner';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Each record the scanner finds: its fields as text, or 'quoted' when it leaves it to the tokenizer. */
function scan(text: string): (string[] | 'quoted')[] {
  const bytes = encoder.encode(text);
  const scanner = new RecordScanner();
  scanner.reset(bytes, 0, bytes.length);
  const records: (string[] | 'quoted')[] = [];
  while (scanner.next()) {
    if (scanner.quoted) {
      records.push('quoted');
      continue;
    }
    const fields: string[] = [];
    for (let f = 0; f < scanner.fieldCount; f++) {
      fields.push(decoder.decode(bytes.subarray(scanner.starts[f], scanner.ends[f])));
    }
    records.push(fields);
  }
  return records;
}

describe('RecordScanner', () => {
  it('splits a field quoted whole, with commas inside, like an unquoted one', () => {
    expect(scan('C1,"Public Sector, Federal",NA\r\nC2,"",x\n"a","b"')).toEqual([
      ['C1', 'Public Sector, Federal', 'NA'],
      ['C2', '', 'x'],
      ['a', 'b'],
    ]);
  });

  it('leaves escaped quotes, line breaks inside quotes, quotes inside a field and a lone "" to the tokenizer', () => {
    expect(scan('a,"say ""hi""",b\na,"two\nlines"\na,b"c,d\n""\nplain,row')).toEqual([
      'quoted',
      'quoted',
      'quoted',
      'quoted',
      ['plain', 'row'],
    ]);
  });

  it('leaves a quoted field followed by anything but a delimiter to the tokenizer', () => {
    expect(scan('a,"b"c,d\na,"unclosed')).toEqual(['quoted', 'quoted']);
  });
});

describe('RecordScanner.fault and span', () => {
  /** Each record's line, lines spanned and fault under a limit of 8 bytes. */
  function faults(text: string): [number, number, string | undefined][] {
    const bytes = encoder.encode(text);
    const scanner = new RecordScanner();
    scanner.reset(bytes, 0, bytes.length);
    const seen: [number, number, string | undefined][] = [];
    while (scanner.next()) seen.push([scanner.line, scanner.span, scanner.fault(8)]);
    return seen;
  }

  it('counts the lines a quoted record spans and measures records in bytes', () => {
    expect(faults('"\r\n\r"\n12345678\n123456789\n')).toEqual([
      [0, 3, undefined],
      [3, 1, undefined],
      [4, 1, 'row-too-long'],
    ]);
  });

  it('says when the range ends inside a quoted field', () => {
    expect(faults('a,"b"\n"x\ny')).toEqual([
      [0, 1, undefined],
      [1, 2, 'unclosed-quote'],
    ]);
  });
});
