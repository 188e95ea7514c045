/**
 * Ports: what the core needs from the outside world, named after that need.
 * Adapters (local directory, S3) implement them; the core never imports an SDK or `fs`.
 */

/** One stored object, with a key relative to the data root (always `/`-separated). */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** S3 ETag or a local fingerprint; shown in provenance. */
  readonly etag?: string;
  /** S3 version id when the bucket is versioned. */
  readonly versionId?: string;
}

/**
 * The data root: `exports/` (read only, never modified) and `reports/` (written by the job).
 * Keys are relative to the root, e.g. `exports/2026-Q3/clients.csv`.
 */
export interface ExportStore {
  /** Human-readable location of the root, for messages: `./data` or `s3://bucket/prefix`. */
  readonly location: string;
  /** Every object whose key starts with `prefix`, recursively, in key order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Streams an object's bytes; rejects with `ObjectNotFoundError` when absent. */
  read(key: string): AsyncIterable<Uint8Array>;
  /** Reads a small object whole as UTF-8, or `undefined` when it does not exist. */
  readText(key: string): Promise<string | undefined>;
  /** Writes an object whole. Only keys under `reports/` are ever written. */
  write(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`no object at '${key}'`, options);
  }
}
