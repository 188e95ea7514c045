import { describe, expect, it } from 'vitest';
import {
  EXPORTS_FOLDER,
  exportKeys,
  holdsAnythingUnder,
  kpisCsvName,
  quarterInKey,
  REPORTS_FOLDER,
  reportKeys,
} from '../../src/core/data-root';
import { MemoryExportStore } from '../support/memory-store';

describe('the data root layout', () => {
  it('names an export set, its interactions parts and a report file under the quarter folder', () => {
    expect(exportKeys.set('2026-Q3')).toBe('exports/2026-Q3/');
    expect(exportKeys.interactionsParts('2026-Q3')).toBe('exports/2026-Q3/interactions/');
    expect(reportKeys.csv('2026-Q3')).toBe(`reports/2026-Q3/${kpisCsvName('2026-Q3')}`);
    expect(kpisCsvName('2026-Q3')).toBe('kpis-2026-Q3.csv');
  });

  it('finds the quarter of a key directly under its folder, and of the folder itself', () => {
    expect(quarterInKey('exports/2026-Q3/clients.csv', EXPORTS_FOLDER)).toBe('2026-Q3');
    expect(quarterInKey('exports/2026-Q3/interactions/part-1.csv', EXPORTS_FOLDER)).toBe('2026-Q3');
    expect(quarterInKey('reports/2026-Q3/', REPORTS_FOLDER)).toBe('2026-Q3');
  });

  it('finds no quarter in another folder, a misnamed folder, or a bare file', () => {
    expect(quarterInKey('reports/2026-Q3/kpis.json', EXPORTS_FOLDER)).toBeUndefined();
    expect(quarterInKey('reports/runs/2026-Q3/', REPORTS_FOLDER)).toBeUndefined();
    expect(quarterInKey('exports/2026-q3/clients.csv', EXPORTS_FOLDER)).toBeUndefined();
    expect(quarterInKey('exports/2026-Q5/clients.csv', EXPORTS_FOLDER)).toBeUndefined();
    expect(quarterInKey('exports/2026-Q3', EXPORTS_FOLDER)).toBeUndefined();
    expect(quarterInKey('exports/x/2026-Q3/a.csv', EXPORTS_FOLDER)).toBeUndefined();
  });

  it('tells whether anything is stored under a prefix', async () => {
    // Arrange
    const store = new MemoryExportStore();
    store.put('exports/2026-Q3/clients.csv', 'client_id\n');

    // Act
    const [full, empty] = await Promise.all([
      holdsAnythingUnder(store, exportKeys.set('2026-Q3')),
      holdsAnythingUnder(store, exportKeys.set('2026-Q2')),
    ]);

    // Assert
    expect(full).toBe(true);
    expect(empty).toBe(false);
  });
});
