/** Counting a quarter's export bytes by watching the store the readers use. */
import { describe, expect, it } from 'vitest';
import { ExportBytes } from '../../src/cli/export-bytes';
import { parseConfig } from '../../src/core/config';
import type { Quarter } from '../../src/core/quarter';
import { parseQuarter, quarterPeriod } from '../../src/core/quarter';
import { readExportSet } from '../../src/core/readers/simple/read-export-set';
import { MemoryExportStore } from '../support/memory-store';

const CLIENTS = 'client_id,customer_since\nA,2020-01-01\nB,2020-01-01\n';
const INTERACTIONS =
  'interaction_id,client_id,occurred_at,channel\nI1,A,2026-07-01,assisted\nI2,B,2026-07-02,self_service\n';

describe('ExportBytes', () => {
  it('counts every byte a reader reads of a quarter against the bytes listed for it', async () => {
    // Arrange: pieces of 7 bytes, so the count adds many chunks.
    const store = new MemoryExportStore(7);
    store.put('exports/2026-Q3/clients.csv', CLIENTS);
    store.put('exports/2026-Q3/interactions.csv', INTERACTIONS);
    store.put('exports/2026-Q2/clients.csv', CLIENTS);
    const bytes = new ExportBytes();
    const config = parseConfig({});

    // Act: the reference reader, through the watched store.
    const reading = await readExportSet({
      store: bytes.watch(store),
      period: quarterPeriod(parseQuarter('2026-Q3') as Quarter, 1),
      config,
    });

    // Assert
    expect(reading.problems).toEqual([]);
    const total = CLIENTS.length + INTERACTIONS.length;
    expect(bytes.current()).toEqual({ quarter: '2026-Q3', read: total, total });
  });

  it('leaves the store’s other methods working on the store itself', async () => {
    // Arrange: the memory store keeps its versions in a private field.
    const store = new MemoryExportStore();
    const watched = new ExportBytes().watch(store);

    // Act
    await watched.write('reports/2026-Q3/kpis.json', '{}', 'application/json');
    const versioned = await watched.readVersioned?.('reports/2026-Q3/kpis.json');

    // Assert
    expect(versioned?.text).toBe('{}');
    expect(watched.location).toBe('memory:');
  });

  it('knows no quarter before any read', () => {
    expect(new ExportBytes().current()).toBeUndefined();
  });
});
