import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/core/config';
import { parseQuarter, quarterPeriod } from '../../../src/core/quarter';
import { createBytesReader } from '../../../src/core/readers/bytes/bytes-reader';
import { inlineChunkExecutor } from '../../../src/core/readers/bytes/inline-chunk-executor';
import type { ExportSetReader } from '../../../src/core/readers/export-set-reader';
import { readExportSet } from '../../../src/core/readers/simple/read-export-set';
import { MemoryExportStore } from '../../support/memory-store';
import { messyExportSet } from '../../support/messy-exports';
import { readingSummary } from '../../support/reading-summary';

const settings = {
  rejectLimitPercent: 100,
  timeZone: 'America/New_York',
  channelLabels: { portal: 'self_service', phone: 'assisted' },
};
/** The share of rows in the period is left to the second property: here every set is measured. */
const config = parseConfig({ ...settings, minRowsInPeriodPercent: 0 });
const period = quarterPeriod(parseQuarter('2026-Q3') as NonNullable<ReturnType<typeof parseQuarter>>, 1);

const measure = (store: MemoryExportStore, reader: ExportSetReader, with_ = config) =>
  readingSummary(store, period, with_, reader);

/** Something wrong with one stored file's bytes. */
type Fault =
  | { readonly kind: 'stray-quote'; readonly line: number }
  | { readonly kind: 'unclosed-quote-at-end' }
  | { readonly kind: 'invalid-utf8'; readonly at: number }
  | { readonly kind: 'short-read'; readonly keep: number };

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ kind: fc.constant('stray-quote' as const), line: fc.nat(30) }),
  fc.record({ kind: fc.constant('unclosed-quote-at-end' as const) }),
  fc.record({ kind: fc.constant('invalid-utf8' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('short-read' as const), keep: fc.nat() }),
);

/** A store that lists every object with its full size but can hand out only the first bytes of one. */
class ShortReadStore extends MemoryExportStore {
  private cut: { readonly key: string; readonly keep: number } | undefined;

  /** From now on, `key` is read as its first `keep` bytes (of its stored bytes). */
  cutShort(key: string, keep: number): void {
    this.cut = { key, keep };
  }

  override async *read(key: string): AsyncIterable<Uint8Array> {
    let left = key === this.cut?.key ? this.cut.keep : Number.POSITIVE_INFINITY;
    for await (const piece of super.read(key)) {
      if (left <= 0) return;
      yield piece.subarray(0, Math.min(piece.length, left));
      left -= piece.length;
    }
  }

  override readTransient(key: string): AsyncIterable<Uint8Array> {
    return this.read(key);
  }
}

const encoder = new TextEncoder();

/** The file's bytes with the fault applied (a short read is the store's doing, not the bytes'). */
function withFault(text: string, applied: Fault): Uint8Array {
  if (applied.kind === 'stray-quote') {
    const lines = text.split('\n');
    const at = applied.line % lines.length;
    lines[at] = `"${lines[at]}`;
    return encoder.encode(lines.join('\n'));
  }
  if (applied.kind === 'unclosed-quote-at-end') return encoder.encode(`${text}\n"open,quote\nlost,row\n`);
  if (applied.kind === 'invalid-utf8') {
    const bytes = encoder.encode(text);
    const at = bytes.length === 0 ? 0 : applied.at % bytes.length;
    return Uint8Array.from([...bytes.subarray(0, at), 0xff, ...bytes.subarray(at)]);
  }
  return encoder.encode(text);
}

describe('the bytes reader gives exactly what the simple reader gives', () => {
  it('on random messy export sets, with chunk and stream splits anywhere (inside quoted fields too)', async () => {
    await fc.assert(
      fc.asyncProperty(
        messyExportSet,
        fc.integer({ min: 1, max: 97 }),
        fc.integer({ min: 1, max: 13 }),
        async ({ files }, chunkBytes, pieceSize) => {
          const store = new MemoryExportStore(pieceSize);
          for (const [name, text] of Object.entries(files)) store.put(`exports/2026-Q3/${name}`, text);
          const expected = await measure(store, readExportSet);
          const actual = await measure(
            store,
            createBytesReader({ executor: inlineChunkExecutor, chunkBytes }),
          );
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it('on sets with a stray or unclosed quote, bytes that are not UTF-8, a short read, a small maxRowBytes and the period guards', async () => {
    await fc.assert(
      fc.asyncProperty(
        messyExportSet,
        fc.nat(),
        fault,
        fc.constantFrom(40, 64, 100, 200, 1 << 20),
        fc.integer({ min: 1, max: 97 }),
        fc.integer({ min: 1, max: 13 }),
        async ({ files }, pick, applied, maxRowBytes, chunkBytes, pieceSize) => {
          // Arrange: one file, chosen at random, holds the fault.
          const names = Object.keys(files).sort();
          const faulty = names[pick % names.length] as string;
          const key = `exports/2026-Q3/${faulty}`;
          const store = new ShortReadStore(pieceSize);
          for (const [name, text] of Object.entries(files)) {
            store.put(`exports/2026-Q3/${name}`, name === faulty ? withFault(text, applied) : text);
          }
          if (applied.kind === 'short-read') {
            const stored = (store.objects.get(key) as Uint8Array).length;
            store.cutShort(key, stored === 0 ? 0 : applied.keep % stored);
          }
          const strict = parseConfig({ ...settings, maxRowBytes });

          // Act
          const expected = await measure(store, readExportSet, strict);
          const actual = await measure(
            store,
            createBytesReader({ executor: inlineChunkExecutor, chunkBytes }),
            strict,
          );

          // Assert
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it('reports the same rejected rows, lines and reasons on a hand-made set', async () => {
    const store = new MemoryExportStore(5);
    store.put(
      'exports/2026-Q3/clients.csv',
      'client_id,customer_since\r\nC1,2025-01-01\r\nC1,2025-02-01\r\n"C2",2026-13-01\r\n',
    );
    store.put(
      'exports/2026-Q3/interactions.csv',
      'interaction_id,client_id,occurred_at,channel\nI1,C1,2026-07-01,assisted\n"I2","C1","2026-07-02","multi\nline"\nI1,C1,2026-07-03,self_service\nI3,C2,2026-07-04,assisted\n',
    );
    const fast = await measure(store, createBytesReader({ executor: inlineChunkExecutor, chunkBytes: 8 }));
    expect(fast).toEqual(await measure(store, readExportSet));
    expect(fast.dataQuality.interactions.examples).toEqual([
      expect.objectContaining({ line: 3, reason: expect.stringContaining("channel 'multi") }),
      {
        file: 'interactions.csv',
        line: 5,
        reason: "interaction_id 'I1' repeats an earlier row; the first is kept",
      },
      {
        file: 'interactions.csv',
        line: 6,
        reason: "client_id 'C2' is in clients.csv but its row there was rejected",
      },
    ]);
  });
});
