import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineAlignedChunker } from '../../../../src/core/readers/bytes/chunker';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function chunksOf(text: string, pieceSize: number, target: number): string[] {
  const chunker = new LineAlignedChunker(target);
  const bytes = encoder.encode(text);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += pieceSize)
    chunks.push(...chunker.push(bytes.slice(at, at + pieceSize)));
  const rest = chunker.finish();
  if (rest) chunks.push(rest);
  return chunks.map((chunk) => decoder.decode(chunk));
}

/**
 * Where the last record of `bytes[0, length)` ends, by a byte-at-a-time state machine: the
 * tokenizer's rules spelled out, to hold the chunker's quote-to-quote searches to.
 */
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

/** The chunks a chunker that looked at its whole buffer again on every push would make. */
function chunksByRescanning(bytes: Uint8Array, pieceSize: number, target: number): string[] {
  const chunks: string[] = [];
  let buffer = new Uint8Array(0);
  let started = false;
  for (let at = 0; at < bytes.length; at += pieceSize) {
    const joined = new Uint8Array(buffer.length + Math.min(pieceSize, bytes.length - at));
    joined.set(buffer);
    joined.set(bytes.subarray(at, at + pieceSize), buffer.length);
    buffer = joined;
    // Nothing is cut before three bytes have come: they may be a byte-order mark.
    if (!started && buffer.length < 3) continue;
    started = true;
    const cut = buffer.length >= target ? boundaryByStates(buffer, buffer.length) : 0;
    if (cut > 0) {
      chunks.push(decoder.decode(buffer.subarray(0, cut)));
      buffer = buffer.slice(cut);
    }
  }
  if (buffer.length > 0) chunks.push(decoder.decode(buffer));
  return chunks;
}

describe('LineAlignedChunker', () => {
  it('never cuts between the CR and the LF of a CRLF, even when the CR arrives alone', () => {
    // A one-byte target with one-byte pieces once cut "\r" from "\n", adding an empty line.
    expect(chunksOf('a\r\n\r\nb\r\n', 1, 1)).toEqual(['a\r\n', '\r\n', 'b\r\n']);
  });

  it('drops a leading byte-order mark and cuts only after whole records', () => {
    expect(chunksOf('\uFEFFh\n"x\ny",1\nz', 2, 3)).toEqual(['h\n', '"x\ny",1\n', 'z']);
  });

  it('gives back every byte, in order, whatever the piece and chunk sizes', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a,"\r\n]{0,60}$/),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (text, pieceSize, target) => {
          const chunks = chunksOf(text, pieceSize, target);
          expect(chunks.join('')).toBe(text.replace(/^\uFEFF/, ''));
          // Every chunk but the last ends a record: never on a CR that a LF follows.
          for (const chunk of chunks.slice(0, -1)) {
            expect(chunk.endsWith('\n') || chunk.endsWith('\r')).toBe(true);
          }
        },
      ),
    );
  });

  it('cuts where the tokenizer rules say the last record ends, looking at each byte once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', ',', '"', '\r', '\n', 'b'), { maxLength: 80 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 17 }),
        (characters, pieceSize, target) => {
          const bytes = encoder.encode(characters.join(''));
          expect(chunksOf(characters.join(''), pieceSize, target)).toEqual(
            chunksByRescanning(bytes, pieceSize, target),
          );
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('stops at a record still open past the limit, handing out the whole records before it', () => {
    // Arrange: the record on line 3 opens a quote that never closes.
    const chunker = new LineAlignedChunker(1 << 20, undefined, 16);
    const before = encoder.encode('h,i\nshort,row\n"');

    // Act
    const first = chunker.push(before);
    const second = chunker.push(encoder.encode('a'.repeat(15)));
    const third = chunker.push(encoder.encode('a'));

    // Assert: 16 bytes are allowed, the 17th is one too many.
    expect([first, second]).toEqual([[], []]);
    expect(chunker.overflowed).toBe(true);
    expect(third.map((chunk) => decoder.decode(chunk))).toEqual(['h,i\nshort,row\n']);
  });

  it('does not count a CR that ends the open record toward the limit', () => {
    // Arrange
    const chunker = new LineAlignedChunker(1 << 20, undefined, 4);

    // Act
    chunker.push(encoder.encode('abcd\r'));

    // Assert
    expect(chunker.overflowed).toBe(false);
  });
});
