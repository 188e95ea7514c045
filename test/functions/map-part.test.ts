/**
 * The map-part shell's own rules, with no network: which listed keys it accepts and how it
 * makes them relative to the data root. (Measuring a part against S3 is the use case's job.)
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createMapPartHandler, PartKeyError, partKeyUnderDataRoot } from '../../functions/map-part/index';
import { parseConfig } from '../../src/core/config';
import type { ExportStore } from '../../src/core/ports';

/** A store that fails the test if the handler touches it. */
const untouchable: ExportStore = {
  location: 's3://never-read',
  list: () => {
    throw new Error('the store was listed');
  },
  read: () => {
    throw new Error('the store was read');
  },
  readExportFile: () => {
    throw new Error('the store was read');
  },
  readText: () => Promise.reject(new Error('the store was read')),
  write: () => Promise.reject(new Error('the store was written')),
  createIfAbsent: () => Promise.reject(new Error('the store was written')),
};

function handler(prefix: string) {
  return createMapPartHandler({
    store: untouchable,
    config: parseConfig({}),
    prefix,
    logger: new Logger({ logLevel: 'SILENT' }),
  });
}

describe('partKeyUnderDataRoot', () => {
  it('strips the data prefix from the listed bucket key', () => {
    expect(
      partKeyUnderDataRoot('kpi/data/exports/2026-Q3/interactions/part-0001.csv.gz', 'kpi/data', '2026-Q3'),
    ).toBe('exports/2026-Q3/interactions/part-0001.csv.gz');
  });

  it('takes the key as it is when the data root is the bucket root', () => {
    expect(partKeyUnderDataRoot('exports/2026-Q3/interactions/part-1.csv', '', '2026-Q3')).toBe(
      'exports/2026-Q3/interactions/part-1.csv',
    );
  });

  it('accepts the prefix with stray slashes, as DATA_PREFIX might be written', () => {
    expect(partKeyUnderDataRoot('kpi/exports/2026-Q3/interactions/part-1.csv', '/kpi/', '2026-Q3')).toBe(
      'exports/2026-Q3/interactions/part-1.csv',
    );
  });

  it("refuses a key outside this data root or outside the quarter's interactions parts", () => {
    expect(() => partKeyUnderDataRoot('other/exports/2026-Q3/interactions/p.csv', 'kpi', '2026-Q3')).toThrow(
      PartKeyError,
    );
    expect(() => partKeyUnderDataRoot('kpi/exports/2026-Q3/clients.csv', 'kpi', '2026-Q3')).toThrow(
      /is not under kpi\/exports\/2026-Q3\/interactions\//,
    );
    expect(() => partKeyUnderDataRoot('kpi/exports/2026-Q3/interactions/p.csv', 'kpi', '2026-Q2')).toThrow(
      PartKeyError,
    );
    expect(() => partKeyUnderDataRoot('kpiexports/2026-Q3/interactions/p.csv', 'kpi', '2026-Q3')).toThrow(
      PartKeyError,
    );
  });
});

describe('the map-part handler', () => {
  it('refuses a key that is not a part of the quarter, without touching the store', async () => {
    await expect(
      handler('kpi')({ quarter: '2026-Q3', runId: 'r1', key: 'kpi/exports/2026-Q3/clients.csv' }),
    ).rejects.toThrow(PartKeyError);
  });

  it('rejects an item it does not understand, naming the field', async () => {
    await expect(handler('')({ quarter: '2026-Q3', runId: '', key: 'k' })).rejects.toThrow(/runId/);
    await expect(handler('')({ quarter: 'Q3', runId: 'r1', key: 'k' })).rejects.toThrow(/quarter/);
    await expect(handler('')({ quarter: '2026-Q3', runId: 'r1' })).rejects.toThrow(/key/);
  });
});
