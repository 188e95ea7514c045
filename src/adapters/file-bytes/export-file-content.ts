/**
 * A stored export file's content as the core's readers consume it (the port:
 * `ExportStore.readExportFile`): the stored bytes streamed, counted and hashed (SHA-256) as
 * they arrive, gunzipped when the name ends in `.gz` (in any case). A file is read to its end
 * or not at all: fewer (or more) bytes than listed, or gzip data that is not gzip, cut short
 * or fails its checksum, end the reading with an `ExportFileError` naming the file. The
 * local and S3 stores (and any store with `read`) give their files through here.
 */
import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ExportFileError } from '../../core/errors';
import { isGzipName } from '../../core/export-set/contract';
import {
  type ExportFile,
  type ExportStore,
  type FileContent,
  IncompleteReadError,
  ObjectNotFoundError,
} from '../../core/ports';

/** A stored file as listed: its name in reports and its size in bytes as stored. */
type ListedFile = Pick<ExportFile, 'name' | 'size'>;

/**
 * `file`'s content read from `store`. `transient`: the reader consumes each chunk at once,
 * so the store's `readTransient` (buffers reused) serves when it has one, except for
 * gzip, whose decompressor may hold on to a chunk.
 */
export function exportFileContent(
  store: Pick<ExportStore, 'read' | 'readTransient'>,
  file: ExportFile,
  options: { readonly transient?: boolean | undefined } = {},
): FileContent {
  const transient = options.transient === true && store.readTransient && !isGzipName(file.name);
  const source = transient
    ? (store.readTransient?.(file.key, file) ?? store.read(file.key, file))
    : store.read(file.key, file);
  return storedFileBytes(source, file);
}

/**
 * The bytes of a stored file as the CSV readers see them (gunzipped for `.gz`), with the
 * stored bytes counted and checksummed on the way; `stats()` is final once `bytes` is
 * drained. Draining throws `ExportFileError` when the bytes do not add up to `file.size`
 * or the gzip data is not whole; errors of the store itself (a network failure) pass as they are.
 */
export function storedFileBytes(source: AsyncIterable<Uint8Array>, file: ListedFile): FileContent {
  const hash = createHash('sha256');
  let count = 0;
  let digest: string | undefined;
  async function* counted() {
    try {
      for await (const chunk of source) {
        hash.update(chunk);
        count += chunk.length;
        yield chunk;
      }
    } catch (error) {
      if (error instanceof IncompleteReadError) {
        throw new ExportFileError(
          file.name,
          `${file.name} could not be read in full: ${error.reason}; check the connection to the store and run again`,
          { cause: error },
        );
      }
      if (!(error instanceof ObjectNotFoundError)) throw error;
      throw new ExportFileError(
        file.name,
        `${file.name} was listed but is gone (deleted or replaced while the set was read); run again once the upload is complete`,
        { cause: error },
      );
    }
    if (count !== file.size) throw new ExportFileError(file.name, sizeMismatch(file, count));
  }
  return {
    bytes: isGzipName(file.name) ? gunzipped(counted(), file) : counted(),
    stats: () => {
      digest ??= hash.digest('hex');
      return { bytes: count, sha256: digest };
    },
  };
}

function sizeMismatch(file: ListedFile, read: number): string {
  return `${file.name}: ${read} bytes were read but ${file.size} are stored, so the file changed or was cut short while it was read; run again once its upload is complete`;
}

/** Gunzips `source`, turning zlib's errors into an `ExportFileError` that names the file and the fix. */
async function* gunzipped(source: AsyncIterable<Uint8Array>, file: ListedFile): AsyncGenerator<Uint8Array> {
  let sourceError: { error: unknown } | undefined;
  async function* watched() {
    try {
      yield* source;
    } catch (error) {
      sourceError = { error };
      throw error;
    }
  }
  // The first bytes say whether the file is gzip at all (zlib's error alone does not).
  let head = new Uint8Array(0);
  async function* noted() {
    for await (const chunk of watched()) {
      if (head.length < 2) head = Uint8Array.from([...head, ...chunk.subarray(0, 2 - head.length)]);
      yield chunk;
    }
  }
  try {
    for await (const chunk of pipeline(Readable.from(noted()), createGunzip(), () => {})) {
      yield chunk as Uint8Array;
    }
  } catch (error) {
    if (sourceError) throw sourceError.error;
    const gzipMagic = head[0] === 0x1f && head[1] === 0x8b;
    throw new ExportFileError(file.name, gzipProblem(file.name, error, gzipMagic), { cause: error });
  }
}

/** What zlib's error means for the operator who uploaded the file. */
function gzipProblem(name: string, error: unknown, startsAsGzip: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message === 'unexpected end of file') {
    return `${name} is cut short: its gzip data ends before it is complete; upload the whole file again`;
  }
  if (message === 'incorrect header check') {
    return !startsAsGzip
      ? `${name} is not gzip-compressed although its name ends in .gz; compress it with gzip, or drop .gz from its name`
      : `${name} holds bytes after its gzip data that are not gzip (a damaged or appended file); upload it again`;
  }
  if (message === 'incorrect data check' || message === 'incorrect length check') {
    return `${name} is corrupt: its gzip checksum does not match its content; upload it again`;
  }
  return `${name} is not valid gzip (${message}); upload it again`;
}
