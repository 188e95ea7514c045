import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineAlignedChunker } from '../../../src/core/fast/chunker';

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
});
