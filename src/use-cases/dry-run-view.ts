/**
 * A dry run's view of the data root: everything the run reads or writes under
 * `reports/<quarter>/` is in its own folder, `reports/dry-runs/<quarter>/<runId>/`, so it
 * never changes the published report, `kpis.json`, the delivery ledger or `status.json`.
 * The use cases run unchanged on the view; the rest of the data root (the exports, earlier
 * quarters' snapshots, the run's partials) reads through, and any other write is refused.
 */

import { reportKeys } from '../core/data-root';
import type { ExportStore, StoredObject } from '../core/ports';

/** Where a dry run keeps `key`, a key under `reports/<quarter>/`; any other key is its own. */
export function dryRunKey(quarter: string, runId: string, key: string): string {
  const published = reportKeys.folder(quarter);
  return key.startsWith(published)
    ? `${reportKeys.dryRun(quarter, runId)}${key.slice(published.length)}`
    : key;
}

/** A write a dry run must not make: outside the quarter's report folder. */
export class DryRunWriteError extends Error {
  override readonly name = 'DryRunWriteError';
}

/** `store` as dry run `runId` of `quarter` sees it (see the module comment). */
export function dryRunView(store: ExportStore, quarter: string, runId: string): ExportStore {
  const published = reportKeys.folder(quarter);
  const own = reportKeys.dryRun(quarter, runId);
  const mapped = (key: string) => dryRunKey(quarter, runId, key);
  const transient = store.readTransient?.bind(store);
  const writable = (key: string) => {
    if (!key.startsWith(published)) {
      throw new DryRunWriteError(
        `dry run ${runId} of ${quarter} tried to write ${key}; a dry run writes only its own folder, ${own}`,
      );
    }
    return mapped(key);
  };
  return {
    location: store.location,
    async *list(prefix: string): AsyncIterable<StoredObject> {
      if (!prefix.startsWith(published)) {
        yield* store.list(prefix);
        return;
      }
      for await (const object of store.list(mapped(prefix))) {
        yield { ...object, key: `${published}${object.key.slice(own.length)}` };
      }
    },
    read: (key) => store.read(mapped(key)),
    ...(transient && { readTransient: (key: string) => transient(mapped(key)) }),
    readExportFile: (file, options) => store.readExportFile({ ...file, key: mapped(file.key) }, options),
    readText: (key) => store.readText(mapped(key)),
    write: async (key, body, contentType) => store.write(writable(key), body, contentType),
    createIfAbsent: async (key, body, contentType) => store.createIfAbsent(writable(key), body, contentType),
  };
}
