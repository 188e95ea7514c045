/**
 * The record rules of export-set/row-rules.ts, held by both readers: a row longer than
 * maxRowBytes or a quote never closed stops the dataset at the line the row starts on; a
 * rejected row weighs the lines it spans; a row that is not UTF-8 is rejected with its line.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/core/config';
import { parseQuarter, type Quarter, quarterPeriod } from '../../../src/core/quarter';
import { createBytesReader } from '../../../src/core/readers/bytes/bytes-reader';
import { inlineChunkExecutor } from '../../../src/core/readers/bytes/inline-chunk-executor';
import type { ExportSetReader } from '../../../src/core/readers/export-set-reader';
import { readExportSet } from '../../../src/core/readers/simple/read-export-set';
import { MemoryExportStore } from '../../support/memory-store';

const period = quarterPeriod(parseQuarter('2026-Q3') as Quarter);
const SET = 'exports/2026-Q3/';
const CLIENTS = 'client_id,customer_since\nA,2020-01-01\nB,2020-01-01\n';
const HEADER = 'interaction_id,client_id,occurred_at,channel';
/** 100 interactions on lines 2 to 101, 30 bytes each (31 with their LF). */
const LINES = Array.from(
  { length: 100 },
  (_, i) => `I${String(i).padStart(3, '0')},${i % 2 ? 'A' : 'B'},2026-07-15,self_service`,
);

const readers: [string, ExportSetReader][] = [
  ['simple', readExportSet],
  ['bytes, small chunks', createBytesReader({ executor: inlineChunkExecutor, chunkBytes: 50 })],
  ['bytes, one chunk', createBytesReader({ executor: inlineChunkExecutor, chunkBytes: 1 << 20 })],
];

/** interactions.csv with its data lines changed by `edit` (index 0 is line 2). */
function interactions(edit: (lines: string[]) => void = () => {}): string {
  const lines = [...LINES];
  edit(lines);
  return `${HEADER}\n${lines.join('\n')}\n`;
}

function store(interactionsCsv: string | Uint8Array, clients: string | Uint8Array = CLIENTS) {
  const memory = new MemoryExportStore(64);
  memory.put(`${SET}clients.csv`, clients);
  memory.put(`${SET}interactions.csv`, interactionsCsv);
  return memory;
}

describe.each(readers)('the %s reader', (_name, reader) => {
  const read = (memory: MemoryExportStore, settings: Record<string, unknown> = {}) =>
    reader({ store: memory, period, config: parseConfig(settings) });

  it('stops at a stray quote that runs past maxRowBytes, at the line it opens on', async () => {
    // Arrange: a quote at the start of line 30 makes the rest of the file one field.
    const memory = store(interactions((lines) => (lines[28] = `"${lines[28]}`)));

    // Act
    const reading = await read(memory, { maxRowBytes: 1024 });

    // Assert
    expect(reading.problems).toEqual([
      'interactions.csv: the row that starts on line 30 is longer than 1 KiB (maxRowBytes), usually a double quote that opens a field by mistake and runs on over the lines after it; fix that line (a quote inside a field is written "") or check that the file is CSV',
    ]);
    expect(reading.dataQuality.interactions).toMatchObject({ rows: 0, rejected: 0, files: [] });
  });

  it('stops at a quote never closed before the end of the file, at the line it opens on', async () => {
    // Arrange: 60 lines before the end; the default limit is far away.
    const memory = store(interactions((lines) => (lines[40] = `"${lines[40]}`)));

    // Act
    const reading = await read(memory);

    // Assert
    expect(reading.problems).toEqual([
      'interactions.csv: the row that starts on line 42 opens a quoted field that is never closed, so every line after it would be lost; close the quote, or write a quote inside a field as ""',
    ]);
  });

  it('weighs a rejected row by the lines it spans: five swallowed lines are five rows over the limit', async () => {
    // Arrange: a quote opened on line 10 closes on line 14 followed by text, a malformed row.
    const memory = store(
      interactions((lines) => {
        lines[8] = `"${lines[8]}`;
        lines[12] = `${lines[12]?.replace(',2026', '"x,2026')}`;
      }),
    );

    // Act
    const reading = await read(memory);

    // Assert
    expect(reading.dataQuality.interactions).toMatchObject({
      rows: 100,
      rejected: 5,
      examples: [{ file: 'interactions.csv', line: 10, reason: expect.stringMatching(/^malformed CSV: /) }],
    });
    expect(reading.problems).toEqual([
      'interactions: 5 of 100 rows (5.0%) were rejected, over the 1% limit; fix the rows listed in the data-quality report (or raise rejectLimitPercent) and run again',
    ]);
  });

  it('rejects a row that is not UTF-8 with its line and reads the others', async () => {
    // Arrange: line 7 holds a Latin-1 é (0xE9) in its channel.
    const text = interactions((lines) => (lines[5] = `${lines[5]?.slice(0, -3)}\u0000ce`));
    const bytes = Buffer.from(text, 'latin1');
    bytes[bytes.indexOf(0)] = 0xe9;

    // Act
    const reading = await read(store(bytes), { rejectLimitPercent: 5 });

    // Assert
    expect(reading.problems).toEqual([]);
    expect(reading.dataQuality.interactions).toMatchObject({
      rows: 100,
      rejected: 1,
      examples: [
        {
          file: 'interactions.csv',
          line: 7,
          reason: 'the row is not valid UTF-8 (was the file saved in another encoding?); export it as UTF-8',
        },
      ],
    });
  });

  it('rejects a clients row that is not UTF-8 and says so of a header that is not', async () => {
    // Arrange
    const clients = Buffer.from('client_id,customer_since\nA,2020-01-01\nB\u00e9,2020-01-01\n', 'latin1');
    const header = Buffer.from('client_id,customer_since,r\u00e9gion\nA,2020-01-01\n', 'latin1');

    // Act
    const row = await read(store(interactions(), clients), { rejectLimitPercent: 100 });
    const head = await read(store(interactions(), header));

    // Assert
    expect(row.dataQuality.clients).toMatchObject({ rows: 2, rejected: 1, examples: [{ line: 3 }] });
    expect(head.problems).toEqual([
      'clients.csv: its header is not valid UTF-8 (was the file saved in another encoding?); export it as UTF-8',
    ]);
  });

  it('stops at a header longer than maxRowBytes, on line 1', async () => {
    // Arrange
    const memory = store(interactions(), `client_id,customer_since,${'x'.repeat(200)}\nA,2020-01-01,\n`);

    // Act
    const reading = await read(memory, { maxRowBytes: 100 });

    // Assert
    expect(reading.problems).toEqual([
      expect.stringMatching(
        /^clients\.csv: the row that starts on line 1 is longer than 100 bytes \(maxRowBytes\)/,
      ),
    ]);
  });

  it('stops at a complete row longer than maxRowBytes in the middle of a file', async () => {
    // Arrange: line 51 is 45 bytes, over a limit of 44 (the header's length); other rows are 30.
    const memory = store(interactions((lines) => (lines[49] = `${lines[49]}123456789012345`)));

    // Act
    const reading = await read(memory, { maxRowBytes: 44 });

    // Assert
    expect(reading.problems).toEqual([
      expect.stringMatching(/^interactions\.csv: the row that starts on line 51 is longer than 44 bytes/),
    ]);
  });
});

describe.each(readers)('the %s reader, on rows of one client after another', (_name, reader) => {
  it('gives each row its own client, whatever the row before it had', async () => {
    // Arrange: runs of one client, then ids of the same length that differ (B, an unknown Z,
    // a padded " A"), so a reader reusing the previous row's client must compare every byte.
    const clients = 'client_id,customer_since\nAA,2020-01-01\nAB,2020-01-01\n';
    const ids = ['AA', 'AA', 'AB', 'AB', 'AA', 'ZZ', 'AA', ' AA', 'AA ', 'AB'];
    const csv = `${HEADER}\n${ids.map((id, i) => `I${i},${id},2026-07-15,${i % 3 ? 'self_service' : 'assisted'}`).join('\n')}\n`;

    // Act
    const reading = await reader({
      store: store(csv, clients),
      period,
      config: parseConfig({ rejectLimitPercent: 100 }),
    });

    // Assert: clients are numbered in file order (AA 0, AB 1). AA has rows 0, 1, 4, 6, 7 and 8
    // (padding is trimmed), assisted on 0 and 6; AB rows 2, 3 and 9, assisted on 3 and 9; ZZ is unknown.
    const { selfService, assisted } = reading.activity;
    expect([selfService[0], assisted[0]]).toEqual([4, 2]);
    expect([selfService[1], assisted[1]]).toEqual([1, 2]);
    expect(reading.dataQuality.interactions).toMatchObject({ rows: 10, rejected: 1 });
    expect(reading.dataQuality.interactions.examples).toEqual([
      { file: 'interactions.csv', line: 7, reason: expect.stringContaining('ZZ') },
    ]);
  });
});
