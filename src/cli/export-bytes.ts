/**
 * Bytes of each quarter's exports, listed and read, counted by watching the store the
 * readers use (both readers list `exports/<quarter>/` before reading it, and stream every
 * file through `read`): what the progress line's percentage and estimate rest on, without
 * asking either reader for more. Sizes are as stored (compressed for `.gz`), on both sides.
 */
import { exportFileContent } from '../adapters/file-bytes/export-file-content';
import type { QuarterBytes } from '../adapters/terminal/progress';
import type { ExportFile, ExportStore, ListedVersion, StoredObject } from '../core/ports';

/** `exports/2026-Q3/interactions.csv` → `2026-Q3`. */
const quarterFolder = (key: string) => (key.startsWith('exports/') ? key.split('/')[1] : undefined);

export class ExportBytes {
  readonly #sizes = new Map<string, Map<string, number>>();
  readonly #read = new Map<string, number>();
  #current: string | undefined;

  /** The quarter read last, with its bytes read and listed; undefined before any read. */
  current(): QuarterBytes | undefined {
    const quarter = this.#current;
    if (quarter === undefined) return undefined;
    let total = 0;
    for (const size of this.#sizes.get(quarter)?.values() ?? []) total += size;
    return { quarter, read: this.#read.get(quarter) ?? 0, total };
  }

  /** The same store, its listings and reads counted here. */
  watch(store: ExportStore): ExportStore {
    const watched: ExportStore = new Proxy(store, {
      get: (target, property) => {
        if (property === 'list') return (prefix: string) => this.#listed(target.list(prefix));
        // An export file's content, read through the counted `read` and `readTransient` below.
        if (property === 'readExportFile') {
          return (file: ExportFile, options?: { transient?: boolean }) =>
            exportFileContent(watched, file, options);
        }
        if (property === 'read' || property === 'readTransient') {
          const read = target[property];
          if (read === undefined) return undefined;
          return (key: string, listed?: ListedVersion) => this.#counted(key, read.call(target, key, listed));
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return watched;
  }

  async *#listed(objects: AsyncIterable<StoredObject>): AsyncIterable<StoredObject> {
    for await (const object of objects) {
      const quarter = quarterFolder(object.key);
      if (quarter !== undefined) {
        let sizes = this.#sizes.get(quarter);
        if (sizes === undefined) {
          sizes = new Map();
          this.#sizes.set(quarter, sizes);
        }
        sizes.set(object.key, object.size);
      }
      yield object;
    }
  }

  async *#counted(key: string, chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    const quarter = quarterFolder(key);
    if (quarter === undefined) {
      yield* chunks;
      return;
    }
    this.#current = quarter;
    for await (const chunk of chunks) {
      this.#read.set(quarter, (this.#read.get(quarter) ?? 0) + chunk.byteLength);
      yield chunk;
    }
  }
}
