import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastRecordBoundary, RecordScanner } from '../../../src/core/fast/record-scanner';

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

/** The byte-at-a-time state machine `lastRecordBoundary` replaced: the tokenizer's rules, spelled out. */
function boundaryByStates(bytes: Uint8Array, length: number): number {
  let boundary = 0;
  let state = 0; // 0 field start, 1 unquoted field, 2 inside quotes, 3 just after a closing quote
  for (let i = 0; i < length; i++) {
    const byte = bytes[i] as number;
    if (state === 2) {
      if (byte === 34) state = 3;
      continue;
    }
    if (state === 3) {
      if (byte === 34) {
        state = 2;
        continue;
      }
      state = 1;
    }
    if (byte === 44) state = 0;
    else if (byte === 10) {
      state = 0;
      boundary = i + 1;
    } else if (byte === 13) {
      state = 0;
      if (i + 1 < length && bytes[i + 1] !== 10) boundary = i + 1;
    } else if (byte === 34) {
      if (state === 0) state = 2;
    } else state = 1;
  }
  return boundary;
}

describe('lastRecordBoundary', () => {
  it('finds the boundary the tokenizer rules give, jumping from quote to quote', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', ',', '"', '\r', '\n', 'b'), { maxLength: 60 }),
        (characters) => {
          const bytes = encoder.encode(characters.join(''));
          expect(lastRecordBoundary(bytes, bytes.length)).toBe(boundaryByStates(bytes, bytes.length));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
