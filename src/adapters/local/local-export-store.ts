/**
 * The data root as a local directory: what the CLI uses for `./data` and what tests and
 * demos run against. Same key rules and ordering as the S3 adapter.
 */
import { lstat, open, readdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DataLocationError } from '../../core/errors';
import {
  type ExportFile,
  type ExportStore,
  type FileContent,
  ObjectNotFoundError,
  type StoredObject,
  type VersionedText,
} from '../../core/ports';
import { exportFileContent } from '../file-bytes/export-file-content';
import { assertListPrefix, assertObjectKey, assertWritableKey, compareKeys } from '../object-keys';
import { linkIfAbsent, lockVersion, versionOf, writeTemporaryBeside } from './atomic-files';
import { codeOf, isMissing, writeFailure } from './file-errors';

/** Read chunk size: large enough that a multi-GB export is not a million tiny reads. */
const READ_CHUNK_BYTES = 256 * 1024;

/** `readTransient`'s read size: its two buffers are reused, so they can be larger. */
const TRANSIENT_READ_BYTES = 1024 * 1024;

interface WalkEntry {
  readonly key: string;
  /** Undefined for a directory. */
  readonly file: { readonly size: number; readonly mtimeMs: number } | undefined;
  /** Sorting siblings by this (`name/` for a directory) yields full keys in key order. */
  readonly sortKey: string;
}

/**
 * An `ExportStore` over a directory on disk. `list` walks the tree lazily and yields files
 * in key order (UTF-8 byte order, as S3 does) with `etag` = `size-mtimeMs`; `read` streams
 * in 256 KiB chunks without loading the file; `write` creates parent directories and
 * replaces the file atomically (temporary file in the same directory, fsync, rename). Only
 * keys under `reports/` are ever written; `..` segments and absolute keys are refused.
 * `createIfAbsent` writes a complete temporary file the same way, then hard-links it to the
 * target, which fails if the target exists: a file that appears there is always whole.
 * `readVersioned` reports a file's device, inode and modification time as its version;
 * `replaceIfUnchanged` takes a lock file named after that version (created exclusively, so
 * one process at a time; a lock whose process has stopped is passed over), checks the
 * version is still current, and renames a complete temporary file over the target.
 */
export class LocalExportStore implements ExportStore {
  readonly location: string;
  readonly #root: string;
  /** The root with its links resolved, once: links are followed only to files under it. */
  #realRoot: Promise<string> | undefined;

  /** @param directory the data root, relative to the working directory or absolute. */
  constructor(directory: string) {
    this.location = directory;
    this.#root = path.resolve(directory);
  }

  async *list(prefix: string): AsyncGenerator<StoredObject> {
    assertListPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    yield* this.#walk(slash === -1 ? '' : prefix.slice(0, slash), prefix);
  }

  async *read(key: string): AsyncGenerator<Uint8Array> {
    const handle = await this.#openFile(key);
    // autoClose (the default) closes the handle on end, error, or when the consumer stops early.
    const stream = handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    for await (const chunk of stream) yield chunk as Buffer;
  }

  /**
   * `read` into two buffers, reused in turn for every chunk: a fresh buffer per chunk is memory
   * outside the JavaScript heap, whose growth made V8 run a full collection every few MB
   * (79 of them for 10 M rows; 18 without).
   */
  async *readTransient(key: string): AsyncGenerator<Uint8Array> {
    const handle = await this.#openFile(key);
    let next: ReturnType<typeof handle.read> | undefined;
    try {
      // Two buffers in turn: the next read runs while the caller consumes the chunk before
      // it, so the reading thread never waits on the disk between chunks.
      const buffers = [
        Buffer.allocUnsafeSlow(TRANSIENT_READ_BYTES),
        Buffer.allocUnsafeSlow(TRANSIENT_READ_BYTES),
      ];
      let turn = 0;
      next = handle.read(buffers[0] as Buffer, 0, TRANSIENT_READ_BYTES, null);
      for (;;) {
        const { bytesRead } = await next;
        if (bytesRead === 0) return;
        const filled = buffers[turn] as Buffer;
        turn ^= 1;
        next = handle.read(buffers[turn] as Buffer, 0, TRANSIENT_READ_BYTES, null);
        // A failed read-ahead surfaces when awaited; until then it must not count as unhandled.
        next.catch(() => {});
        yield filled.subarray(0, bytesRead);
      }
    } finally {
      // A reader that stops early leaves a read-ahead in flight: let it end before closing.
      await next?.catch(() => {});
      await handle.close();
    }
  }

  readExportFile(file: ExportFile, options?: { readonly transient?: boolean | undefined }): FileContent {
    return exportFileContent(this, file, options);
  }

  async #openFile(key: string): Promise<Awaited<ReturnType<typeof open>>> {
    assertObjectKey(key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(await this.#readablePath(key), 'r');
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(key, { cause: error });
      throw this.#readFailure(error, key);
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new ObjectNotFoundError(key);
    }
    return handle;
  }

  async readText(key: string): Promise<string | undefined> {
    assertObjectKey(key);
    try {
      return await readFile(await this.#readablePath(key), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.#readFailure(error, key);
    }
  }

  async write(key: string, body: string | Uint8Array, _contentType: string): Promise<void> {
    assertWritableKey(key);
    const target = this.#pathOf(key);
    const temporary = await writeTemporaryBeside(target, body).catch((error: unknown) => {
      throw writeFailure(error, `${this.location}/${key}`);
    });
    try {
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw writeFailure(error, `${this.location}/${key}`);
    }
  }

  async createIfAbsent(key: string, body: string | Uint8Array, _contentType: string): Promise<boolean> {
    assertWritableKey(key);
    return linkIfAbsent(this.#pathOf(key), body).catch((error: unknown) => {
      throw writeFailure(error, `${this.location}/${key}`);
    });
  }

  async readVersioned(key: string): Promise<VersionedText | undefined> {
    assertObjectKey(key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.#pathOf(key), 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    try {
      // The handle keeps the file read even if it is replaced meanwhile: text and version agree.
      const stats = await handle.stat({ bigint: true });
      return { text: await handle.readFile('utf8'), version: versionOf(stats) };
    } finally {
      await handle.close();
    }
  }

  async replaceIfUnchanged(
    key: string,
    body: string | Uint8Array,
    _contentType: string,
    version: string,
  ): Promise<boolean> {
    assertWritableKey(key);
    if (!/^[0-9-]+$/.test(version)) return false; // not a version this store gave out
    const target = this.#pathOf(key);
    const temporary = await writeTemporaryBeside(target, body).catch((error: unknown) => {
      throw writeFailure(error, `${this.location}/${key}`);
    });
    try {
      const unlock = await lockVersion(target, version);
      if (unlock === undefined) return false;
      try {
        const current = await stat(target, { bigint: true }).catch((error: unknown) => {
          if (isMissing(error)) return undefined;
          throw error;
        });
        if (current === undefined || versionOf(current) !== version) return false;
        await rename(temporary, target);
        return true;
      } finally {
        await unlock();
      }
    } catch (error) {
      throw writeFailure(error, `${this.location}/${key}`);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /**
   * The path to open for `key`, refusing a link that leads outside the data root: a file
   * there is not part of the exports, and its first line would end up in messages.
   */
  async #readablePath(key: string): Promise<string> {
    const file = this.#pathOf(key);
    let real: string;
    try {
      real = await realpath(file);
    } catch (error) {
      if (isMissing(error)) return file; // opening it says it is missing
      throw this.#readFailure(error, key);
    }
    const realRoot = await this.#resolvedRoot();
    if (real !== file && !isWithin(realRoot, real)) {
      throw new DataLocationError(
        `${this.location}/${key} is a link to ${real}, outside the data root ${this.location}; links are followed only within it: copy the file into ${this.location}/${path.posix.dirname(key)}/ instead`,
      );
    }
    return real;
  }

  #resolvedRoot(): Promise<string> {
    this.#realRoot ??= realpath(this.#root).catch(() => this.#root);
    return this.#realRoot;
  }

  /** A read that failed for a reason of the location, not of the file's content. */
  #readFailure(error: unknown, key: string): unknown {
    if (error instanceof DataLocationError) return error;
    const code = codeOf(error);
    if (code === 'ELOOP') {
      return new DataLocationError(
        `${this.location}/${key} is a symbolic link that leads back to itself (ELOOP); remove it or point it at a file`,
        { cause: error },
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return new DataLocationError(
        `cannot read ${this.location}/${key}: permission denied; make it readable`,
        {
          cause: error,
        },
      );
    }
    return error;
  }

  /**
   * Yields the files under `directoryKey` whose key starts with `prefix`, in key order.
   * Links are followed within the data root only, and never into a folder being walked
   * (`ancestors`: the real paths of the folders above), which would never end.
   */
  async *#walk(
    directoryKey: string,
    prefix: string,
    ancestors: readonly string[] = [],
  ): AsyncGenerator<StoredObject> {
    let names: string[];
    const directory = this.#pathOf(directoryKey);
    try {
      names = await readdir(directory);
    } catch (error) {
      if (isMissing(error)) return;
      throw this.#readFailure(error, directoryKey);
    }
    const realDirectory = await realpath(directory).catch(() => directory);
    const walked = [...ancestors, realDirectory];
    const entries: WalkEntry[] = [];
    for (const name of names) {
      const key = directoryKey === '' ? name : `${directoryKey}/${name}`;
      const skipMissing = (error: unknown) => {
        if (isMissing(error)) return undefined; // removed meanwhile, or a dangling link
        throw this.#readFailure(error, key);
      };
      const entry = await lstat(this.#pathOf(key)).catch(skipMissing);
      const isLink = entry?.isSymbolicLink() === true;
      const stats = isLink ? await stat(this.#pathOf(key)).catch(skipMissing) : entry;
      if (stats === undefined || !(stats.isFile() || stats.isDirectory())) continue;
      const isDirectory = stats.isDirectory();
      const within = isDirectory
        ? `${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)
        : key.startsWith(prefix);
      if (!within) continue;
      if (isLink) {
        const target = await this.#readablePath(key);
        if (isDirectory && walked.some((folder) => isWithin(target, folder))) {
          throw new DataLocationError(
            `${this.location}/${key} is a link to ${target}, a folder that holds it, so the listing would never end; remove the link`,
          );
        }
      }
      entries.push({
        key,
        file: isDirectory ? undefined : { size: stats.size, mtimeMs: stats.mtimeMs },
        sortKey: isDirectory ? `${name}/` : name,
      });
    }
    entries.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
    for (const { key, file } of entries) {
      if (file === undefined) yield* this.#walk(key, prefix, walked);
      else yield { key, size: file.size, etag: `${file.size}-${file.mtimeMs}` };
    }
  }

  /** Throws DataLocationError when the root is not a folder (a file, or nothing at all). */
  async assertRoot(): Promise<void> {
    const stats = await stat(this.#root).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw this.#readFailure(error, '');
    });
    if (stats === undefined) {
      throw new DataLocationError(
        `the data location ${this.location} does not exist; give the folder that holds exports/ (--data), or run 'npm run demo' to make one`,
      );
    }
    if (!stats.isDirectory()) {
      throw new DataLocationError(
        `the data location ${this.location} is a file, not a folder; give the folder that holds exports/ (--data)`,
      );
    }
  }

  #pathOf(key: string): string {
    const resolved = key === '' ? this.#root : path.join(this.#root, ...key.split('/'));
    const relative = path.relative(this.#root, resolved);
    if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw new Error(`key '${key}' resolves outside ${this.location}`);
    }
    return resolved;
  }
}

/** Whether `candidate` is `folder` or a path inside it. */
function isWithin(folder: string, candidate: string): boolean {
  const relative = path.relative(folder, candidate);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
  );
}
