/**
 * An export store held in memory, for property tests that read many generated export sets:
 * `read` hands out the bytes in pieces of a chosen size, so stream splits fall anywhere.
 */
import { gzipSync } from 'node:zlib';
import { exportFileContent } from '../../src/adapters/file-bytes/export-file-content';
import { assertWritableKey } from '../../src/adapters/object-keys';
import {
  type ExportFile,
  type ExportStore,
  type FileContent,
  ObjectNotFoundError,
  type StoredObject,
  type VersionedText,
} from '../../src/core/ports';

export class MemoryExportStore implements ExportStore {
  readonly location = 'memory:';
  readonly objects = new Map<string, Uint8Array>();
  /** Each key's version, a counter bumped by every write. */
  readonly #versions = new Map<string, number>();
  #writes = 0;

  constructor(private readonly pieceSize = 65_536) {}

  put(key: string, text: string | Uint8Array): void {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    this.objects.set(key, key.endsWith('.gz') ? gzipSync(bytes) : bytes);
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    for (const key of [...this.objects.keys()].sort()) {
      if (key.startsWith(prefix)) yield { key, size: (this.objects.get(key) as Uint8Array).length };
    }
  }

  readExportFile(file: ExportFile, options?: { readonly transient?: boolean | undefined }): FileContent {
    return exportFileContent(this, file, options);
  }

  async *read(key: string): AsyncIterable<Uint8Array> {
    const bytes = this.objects.get(key);
    if (!bytes) throw new ObjectNotFoundError(key);
    for (let at = 0; at < bytes.length; at += this.pieceSize) yield bytes.slice(at, at + this.pieceSize);
  }

  /** One buffer for every piece, overwritten with the next: a reader that keeps a piece sees it change. */
  async *readTransient(key: string): AsyncIterable<Uint8Array> {
    const scratch = new Uint8Array(this.pieceSize);
    for await (const piece of this.read(key)) {
      scratch.set(piece);
      yield scratch.subarray(0, piece.length);
      scratch.fill(0x21);
    }
  }

  async readText(key: string): Promise<string | undefined> {
    const bytes = this.objects.get(key);
    return bytes && new TextDecoder().decode(bytes);
  }

  async write(key: string, body: string | Uint8Array): Promise<void> {
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
    this.#writes += 1;
    this.#versions.set(key, this.#writes);
  }

  async readVersioned(key: string): Promise<VersionedText | undefined> {
    const text = await this.readText(key);
    return text === undefined ? undefined : { text, version: String(this.#versions.get(key)) };
  }

  async replaceIfUnchanged(
    key: string,
    body: string | Uint8Array,
    _contentType: string,
    version: string,
  ): Promise<boolean> {
    assertWritableKey(key);
    if (!this.objects.has(key) || String(this.#versions.get(key)) !== version) return false;
    await this.write(key, body);
    return true;
  }

  async createIfAbsent(key: string, body: string | Uint8Array): Promise<boolean> {
    if (this.objects.has(key)) return false;
    await this.write(key, body);
    return true;
  }
}
