import { describe, expect, it } from 'vitest';
import { DryRunWriteError, dryRunKey, dryRunView } from '../../src/use-cases/dry-run-view';
import { MemoryExportStore } from '../support/memory-store';

async function keysOf(items: AsyncIterable<{ key: string }>): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of items) keys.push(item.key);
  return keys;
}

describe("a dry run's view of the data root", () => {
  it("writes the quarter's report folder into the dry run's own folder, the run id made a key segment", async () => {
    const store = new MemoryExportStore();
    const view = dryRunView(store, '2026-Q3', 'run:1');

    await view.write('reports/2026-Q3/kpis.json', '{}', 'application/json');
    const created = await view.createIfAbsent('reports/2026-Q3/status.json', '{}', 'application/json');

    expect(created).toBe(true);
    expect([...store.objects.keys()].sort()).toEqual([
      'reports/dry-runs/2026-Q3/run_1/kpis.json',
      'reports/dry-runs/2026-Q3/run_1/status.json',
    ]);
  });

  it('reads and lists its own folder as the report folder, and everything else as it is', async () => {
    const store = new MemoryExportStore();
    store.put('reports/2026-Q3/kpis.json', 'published');
    store.put('reports/2026-Q2/kpis.json', 'last quarter');
    store.put('exports/2026-Q3/clients.csv', 'client_id\n');
    const view = dryRunView(store, '2026-Q3', 'r1');
    await view.write('reports/2026-Q3/kpis.json', 'dry', 'application/json');

    expect(await view.readText('reports/2026-Q3/kpis.json')).toBe('dry');
    expect(await view.readText('reports/2026-Q2/kpis.json')).toBe('last quarter');
    expect(await keysOf(view.list('reports/2026-Q3/'))).toEqual(['reports/2026-Q3/kpis.json']);
    expect(await keysOf(view.list('exports/2026-Q3/'))).toEqual(['exports/2026-Q3/clients.csv']);
    expect(await store.readText('reports/2026-Q3/kpis.json')).toBe('published');
  });

  it('refuses to write anywhere else, naming the key and its own folder', async () => {
    const view = dryRunView(new MemoryExportStore(), '2026-Q3', 'r1');

    await expect(view.write('reports/2026-Q2/kpis.json', '{}', 'application/json')).rejects.toThrow(
      DryRunWriteError,
    );
    await expect(view.createIfAbsent('reports/runs/x', '{}', 'application/json')).rejects.toThrow(
      /dry run r1 of 2026-Q3 tried to write reports\/runs\/x; a dry run writes only its own folder, reports\/dry-runs\/2026-Q3\/r1\//,
    );
  });

  it('names where a key of the report folder is kept, and leaves other keys alone', () => {
    expect(dryRunKey('2026-Q3', 'r1', 'reports/2026-Q3/report.html')).toBe(
      'reports/dry-runs/2026-Q3/r1/report.html',
    );
    expect(dryRunKey('2026-Q3', 'r1', 'reports/2026-Q2/report.html')).toBe('reports/2026-Q2/report.html');
  });
});
