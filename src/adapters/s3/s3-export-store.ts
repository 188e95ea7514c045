/**
 * The data root as an S3 bucket and prefix: what the scheduled Lambda and `--data s3://…`
 * use. Same key rules as the local directory adapter.
 */
import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  type ExportFile,
  type ExportStore,
  type FileContent,
  type ListedVersion,
  ObjectNotFoundError,
  type StoredObject,
  type VersionedText,
} from '../../core/ports';
import { exportFileContent } from '../file-bytes/export-file-content';
import { assertListPrefix, assertObjectKey, assertWritableKey, compareKeys } from '../object-keys';
import { DEFAULT_READ_ATTEMPTS, DEFAULT_READ_IDLE_TIMEOUT_MS, readResumably } from './resumable-read';
import { rootKeyPrefix } from './root-prefix';
import { s3LocationFailure } from './s3-failures';

/** Options for `createS3Client`; everything omitted falls back to the SDK's default chains. */
export interface S3ClientOptions {
  readonly region?: string;
  /** An S3-compatible endpoint (MinIO, s3rver, LocalStack); omit for AWS itself. */
  readonly endpoint?: string;
  readonly credentials?: S3ClientConfig['credentials'];
}

/**
 * Builds the S3 client the store needs. Region and credentials default to the SDK's own
 * resolution (environment, profile, instance role) when omitted. With an `endpoint`, it
 * addresses buckets by path (`forcePathStyle`) and computes/validates checksums only when
 * an operation requires it (`WHEN_REQUIRED`): S3-compatible servers such as s3rver and
 * older MinIO otherwise store streamed bodies with the aws-chunked framing inside or fail
 * the checksum check. Against AWS it follows region redirects, so a bucket outside the
 * configured region still works.
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const { region, endpoint, credentials } = options;
  return new S3Client({
    // Without them a connection that never answers waits forever: 10 s to connect, and
    // a request whose socket is silent for 30 s fails (the SDK retries it).
    requestHandler: { connectionTimeout: 10_000, socketTimeout: DEFAULT_READ_IDLE_TIMEOUT_MS },
    ...(region !== undefined && { region }),
    ...(credentials !== undefined && { credentials }),
    ...(endpoint === undefined
      ? { followRegionRedirects: true }
      : {
          endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
  });
}

/** A bucket name as S3 accepts it, including legacy us-east-1 names. */
const BUCKET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;

/**
 * Parses `s3://bucket` or `s3://bucket/some/prefix/` (scheme case-insensitive) into the
 * bucket and a prefix without leading or trailing slash (`''` for the bucket root).
 * Returns `undefined` when the text is not such a URL: another scheme, no or an invalid
 * bucket name, or a prefix with empty, `.` or `..` segments.
 */
export function parseS3Location(url: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(url.trim());
  const bucket = match?.[1];
  if (bucket === undefined || !BUCKET_PATTERN.test(bucket)) return undefined;
  const prefix = (match?.[2] ?? '').replace(/\/+$/, '');
  if (prefix !== '' && prefix.split('/').some((segment) => ['', '.', '..'].includes(segment))) {
    return undefined;
  }
  return { bucket, prefix };
}

function isMissingObject(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  // Some S3-compatible servers answer a bare 404; a missing bucket must still fail loudly.
  return (
    error instanceof S3ServiceException &&
    error.$metadata.httpStatusCode === 404 &&
    error.name !== 'NoSuchBucket'
  );
}

/**
 * A conditional create that lost: 412 PreconditionFailed (the object exists) or 409
 * ConditionalRequestConflict (a concurrent conditional write to the same key is in flight
 * or just won). Either way another writer owns the key.
 */
function isLostConditionalCreate(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  const status = error.$metadata.httpStatusCode;
  return (
    status === 412 ||
    error.name === 'PreconditionFailed' ||
    (status === 409 && error.name === 'ConditionalRequestConflict')
  );
}

/**
 * A conditional replace that lost: 412 (the ETag differs), 409 (a concurrent conditional
 * write won) or 404 NoSuchKey (the object is gone; S3 answers so to `If-Match` on a
 * missing key).
 */
function isLostConditionalReplace(error: unknown): boolean {
  return isLostConditionalCreate(error) || isMissingObject(error);
}

/** Where the store's objects live. */
export interface S3ExportStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Root prefix without leading or trailing slash; `''` for the bucket root. */
  readonly prefix: string;
  /**
   * How long a read's body may send nothing before it is resumed on a new request.
   * @default 30 s
   */
  readonly readIdleTimeoutMs?: number;
  /**
   * Bodies tried per read (the first, then resumptions with `Range`) before it fails.
   * @default 4
   */
  readonly readAttempts?: number;
}

/**
 * An `ExportStore` over `s3://bucket/prefix`. Keys are relative to the prefix, which `list`
 * strips. `list` pages through ListObjectsV2 (1,000 keys a page, any number of pages),
 * skips "folder" markers (`…/`), reports the ETag without its quotes (`versionId` stays
 * undefined: ListObjectsV2 does not return it) and sorts by key before yielding, since not
 * every S3 flavour lists in byte order; that holds the listing's metadata in memory, a few
 * hundred bytes an object. `read` streams GetObject's body chunk by chunk and never
 * buffers it whole. Only keys under `reports/` are ever written. `createIfAbsent` is a
 * PutObject with `If-None-Match: *`: S3 answers 412 when the key exists and 409 to the
 * loser of a race between two conditional writes, and both resolve `false`. (s3rver ignores
 * the condition and overwrites.) `readVersioned` reports the ETag as the version, and
 * `replaceIfUnchanged` is a PutObject with `If-Match: <ETag>`, `false` on 412, 409 or 404.
 */
export class S3ExportStore implements ExportStore {
  readonly location: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  /** `''` or the root prefix followed by `/`. */
  readonly #root: string;
  readonly #readIdleTimeoutMs: number;
  readonly #readAttempts: number;

  constructor(options: S3ExportStoreOptions) {
    const root = rootKeyPrefix(options.prefix);
    this.#client = options.client;
    this.#readIdleTimeoutMs = options.readIdleTimeoutMs ?? DEFAULT_READ_IDLE_TIMEOUT_MS;
    this.#readAttempts = options.readAttempts ?? DEFAULT_READ_ATTEMPTS;
    this.#bucket = options.bucket;
    this.#root = root;
    this.location = `s3://${options.bucket}${root === '' ? '' : `/${root.slice(0, -1)}`}`;
  }

  async *list(prefix: string): AsyncGenerator<StoredObject> {
    assertListPrefix(prefix);
    const fullPrefix = this.#root + prefix;
    const pages = paginateListObjectsV2(
      { client: this.#client, pageSize: 1000 },
      { Bucket: this.#bucket, ...(fullPrefix !== '' && { Prefix: fullPrefix }) },
    );
    const objects: StoredObject[] = [];
    try {
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          const key = object.Key?.slice(this.#root.length);
          if (key === undefined || key === '' || key.endsWith('/')) continue;
          objects.push({ key, size: object.Size ?? 0, etag: object.ETag?.replaceAll('"', '') });
        }
      }
    } catch (error) {
      throw s3LocationFailure(error, this.location);
    }
    // Directory buckets and some S3-compatible servers (s3rver) do not list in key order.
    objects.sort((a, b) => compareKeys(a.key, b.key));
    yield* objects;
  }

  /**
   * Streams the object to its end: a body that stalls, breaks or ends short of the listed
   * size (or of its `ContentLength`) is resumed with `Range` (see `readResumably`).
   */
  readExportFile(file: ExportFile, options?: { readonly transient?: boolean | undefined }): FileContent {
    return exportFileContent(this, file, options);
  }

  async *read(key: string, listed?: ListedVersion): AsyncGenerator<Uint8Array> {
    assertObjectKey(key);
    yield* readResumably({
      client: this.#client,
      bucket: this.#bucket,
      key: this.#root + key,
      displayKey: key,
      listed,
      idleTimeoutMs: this.#readIdleTimeoutMs,
      attempts: this.#readAttempts,
      get: (command) => this.#send(key, command),
    });
  }

  async readText(key: string): Promise<string | undefined> {
    assertObjectKey(key);
    try {
      const body = await this.#get(key);
      return body === undefined ? '' : await body.transformToString('utf-8');
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return undefined;
      throw error;
    }
  }

  async write(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    assertWritableKey(key);
    await this.#put(key, body, contentType, undefined);
  }

  async createIfAbsent(key: string, body: string | Uint8Array, contentType: string): Promise<boolean> {
    assertWritableKey(key);
    try {
      await this.#put(key, body, contentType, { IfNoneMatch: '*' });
      return true;
    } catch (error) {
      if (isLostConditionalCreate(error)) return false;
      throw error;
    }
  }

  async readVersioned(key: string): Promise<VersionedText | undefined> {
    assertObjectKey(key);
    try {
      const output = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#root + key }),
      );
      const text = output.Body === undefined ? '' : await output.Body.transformToString('utf-8');
      const version = output.ETag?.replaceAll('"', '');
      if (version === undefined) throw new Error(`GetObject for '${key}' returned no ETag`);
      return { text, version };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw s3LocationFailure(error, this.location);
    }
  }

  async replaceIfUnchanged(
    key: string,
    body: string | Uint8Array,
    contentType: string,
    version: string,
  ): Promise<boolean> {
    assertWritableKey(key);
    try {
      await this.#put(key, body, contentType, { IfMatch: `"${version}"` });
      return true;
    } catch (error) {
      if (isLostConditionalReplace(error)) return false;
      throw error;
    }
  }

  async #put(
    key: string,
    body: string | Uint8Array,
    contentType: string,
    condition: { IfNoneMatch: '*' } | { IfMatch: string } | undefined,
  ) {
    await this.#client
      .send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#root + key,
          Body: body,
          // Known up front; without it the SDK warns about "a Stream of unknown length" for ''.
          ContentLength: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
          ContentType: contentType,
          ...condition,
        }),
      )
      .catch((error: unknown) => {
        // A lost conditional write is the caller's answer, not a failure of the location.
        throw condition !== undefined && isLostConditionalReplace(error)
          ? error
          : s3LocationFailure(error, this.location);
      });
  }

  /** GetObject's body; rejects with `ObjectNotFoundError` when the key does not exist. */
  async #get(key: string) {
    const output = await this.#send(
      key,
      new GetObjectCommand({ Bucket: this.#bucket, Key: this.#root + key }),
    );
    return output.Body;
  }

  async #send(key: string, command: GetObjectCommand) {
    try {
      return await this.#client.send(command);
    } catch (error) {
      if (isMissingObject(error)) throw new ObjectNotFoundError(key, { cause: error });
      throw s3LocationFailure(error, this.location);
    }
  }
}
