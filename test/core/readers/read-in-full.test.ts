/**
 * Read in full or fail: a file is read to its end, its bytes add up to the listed size and
 * its gzip data is whole, or the export set cannot be reported on, with a problem naming
 * the file and the fix. Both readers say the same.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/core/config';
import { ObjectNotFoundError, type StoredObject } from '../../../src/core/ports';
import { parseQuarter, type Quarter, quarterPeriod } from '../../../src/core/quarter';
import { createBytesReader } from '../../../src/core/readers/bytes/bytes-reader';
import { inlineChunkExecutor } from '../../../src/core/readers/bytes/inline-chunk-executor';
import type { ExportSetReader } from '../../../src/core/readers/export-set-reader';
import { readExportSet } from '../../../src/core/readers/simple/read-export-set';
import { MemoryExportStore } from '../../support/memory-store';

const period = quarterPeriod(parseQuarter('2026-Q3') as Quarter);
const config = parseConfig({});
const SET = 'exports/2026-Q3/';
const CLIENTS = 'client_id,customer_since\nA,2020-01-01\nB,2020-01-01\n';
const INTERACTIONS = Array.from(
  { length: 200 },
  (_, i) => `I${i},${i % 2 ? 'A' : 'B'},2026-07-${String((i % 28) + 1).padStart(2, '0')},assisted\n`,
).join('');
const INTERACTIONS_CSV = `interaction_id,client_id,occurred_at,channel\n${INTERACTIONS}`;

const readers: [string, ExportSetReader][] = [
  ['simple', readExportSet],
  ['bytes', createBytesReader({ executor: inlineChunkExecutor, chunkBytes: 64 })],
];

/** A store holding clients.csv and `interactions` as given (bytes stored as they are). */
function storeWith(name: string, bytes: Uint8Array, store = new MemoryExportStore(97)): MemoryExportStore {
  store.put(`${SET}clients.csv`, CLIENTS);
  store.objects.set(`${SET}${name}`, bytes);
  return store;
}

/** A store whose listing claims more bytes than it then hands out, as a cut-short read does. */
class ShortReadStore extends MemoryExportStore {
  override async *list(prefix: string): AsyncIterable<StoredObject> {
    for await (const object of super.list(prefix)) {
      yield object.key.endsWith('interactions.csv') ? { ...object, size: object.size + 100 } : object;
    }
  }
}

/** A store that lists interactions.csv but no longer has it when it is read. */
class VanishingStore extends MemoryExportStore {
  override async *read(key: string): AsyncIterable<Uint8Array> {
    if (key.endsWith('interactions.csv')) throw new ObjectNotFoundError(key);
    yield* super.read(key);
  }
}

const gzipped = gzipSync(Buffer.from(INTERACTIONS_CSV));
const withBadCrc = Buffer.from(gzipped);
withBadCrc[withBadCrc.length - 8] = (withBadCrc[withBadCrc.length - 8] as number) ^ 1;

describe.each(readers)('the %s reader', (_name, reader) => {
  it.each<[string, () => MemoryExportStore, string]>([
    [
      'a .csv.gz cut short',
      () => storeWith('interactions.csv.gz', gzipped.subarray(0, gzipped.length - 30)),
      'interactions.csv.gz is cut short: its gzip data ends before it is complete; upload the whole file again',
    ],
    [
      'a plain CSV named .csv.gz',
      () => storeWith('interactions.csv.gz', Buffer.from(INTERACTIONS_CSV)),
      'interactions.csv.gz is not gzip-compressed although its name ends in .gz; compress it with gzip, or drop .gz from its name',
    ],
    [
      'a .csv.gz whose CRC does not match',
      () => storeWith('interactions.csv.gz', withBadCrc),
      'interactions.csv.gz is corrupt: its gzip checksum does not match its content; upload it again',
    ],
    [
      'a .csv.gz with bytes appended that are not gzip',
      () => storeWith('interactions.csv.gz', Buffer.concat([gzipped, Buffer.from('junk')])),
      'interactions.csv.gz holds bytes after its gzip data that are not gzip (a damaged or appended file); upload it again',
    ],
    [
      'a read that ends before the listed size',
      () => storeWith('interactions.csv', Buffer.from(INTERACTIONS_CSV), new ShortReadStore(97)),
      `interactions.csv: ${INTERACTIONS_CSV.length} bytes were read but ${INTERACTIONS_CSV.length + 100} are stored, so the file changed or was cut short while it was read; run again once its upload is complete`,
    ],
    [
      'a file deleted between listing and reading',
      () => storeWith('interactions.csv', Buffer.from(INTERACTIONS_CSV), new VanishingStore(97)),
      'interactions.csv was listed but is gone (deleted or replaced while the set was read); run again once the upload is complete',
    ],
  ])(
    'cannot report on a set with %s, naming the file, and counts none of its rows',
    async (_case, store, problem) => {
      // Act
      const reading = await reader({ store: store(), period, config });

      // Assert
      expect(reading.problems).toEqual([problem]);
      expect(reading.dataQuality.interactions).toMatchObject({ rows: 0, rejected: 0, files: [] });
    },
  );

  it('reads INTERACTIONS.CSV.GZ as gzip, as it reads interactions.csv.gz', async () => {
    // Arrange
    const store = storeWith('INTERACTIONS.CSV.GZ', gzipped);

    // Act
    const reading = await reader({ store, period, config });

    // Assert
    expect(reading.problems).toEqual([]);
    expect(reading.dataQuality.interactions).toMatchObject({ rows: 200, rejected: 0 });
    expect(reading.dataQuality.interactions.files).toEqual([
      expect.objectContaining({ file: 'INTERACTIONS.CSV.GZ', bytes: gzipped.length, rows: 200 }),
    ]);
  });
});
