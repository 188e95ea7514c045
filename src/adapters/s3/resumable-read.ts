/**
 * Reads one S3 object to its end, or fails saying why. GetObject's body is a stream that
 * can stall (no byte for minutes) or end early, sometimes framed as complete by a proxy,
 * so the bytes are counted against the size the listing gave (or the first answer's
 * `ContentLength`) and a stalled, broken or short body is resumed from the byte reached
 * with `Range: bytes=N-`, pinned to the first answer's ETag (`If-Match`, and compared,
 * since not every S3-compatible server honours the condition). After `attempts` bodies
 * the read fails with `IncompleteReadError`. Failures before a body (throttling, 5xx,
 * network) are the SDK's own retries to make.
 */
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { IncompleteReadError, type ListedVersion } from '../../core/ports';

/** How long a body may send nothing before the read is resumed on a new request. */
export const DEFAULT_READ_IDLE_TIMEOUT_MS = 30_000;
/** Bodies tried per object: the first and three resumptions. */
export const DEFAULT_READ_ATTEMPTS = 4;

export interface ResumableReadOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** The full key in the bucket. */
  readonly key: string;
  /** The key as the data root names it, for messages. */
  readonly displayKey: string;
  readonly listed?: ListedVersion | undefined;
  readonly idleTimeoutMs: number;
  readonly attempts: number;
  /** Sends GetObject; errors it throws (a missing key) are the caller's to map. */
  readonly get: (command: GetObjectCommand) => Promise<GetObjectCommandOutput>;
}

const STALLED = Symbol('stalled');

export async function* readResumably(options: ResumableReadOptions): AsyncGenerator<Uint8Array> {
  const { bucket, key, displayKey, idleTimeoutMs, attempts } = options;
  let offset = 0;
  let total = options.listed?.size;
  let etag = options.listed?.etag;
  const failures: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const resuming = offset > 0;
    const output = await options.get(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(resuming && { Range: `bytes=${offset}-` }),
        ...(resuming && etag !== undefined && { IfMatch: `"${etag}"` }),
      }),
    );
    const answered = output.ETag?.replaceAll('"', '');
    if (etag !== undefined && answered !== undefined && answered !== etag) {
      (output.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new IncompleteReadError(displayKey, 'it was replaced by another upload while it was read');
    }
    etag ??= answered;
    total ??= resuming ? undefined : output.ContentLength;
    const body = output.Body;
    if (body !== undefined && !isAsyncIterable(body)) {
      throw new Error(`GetObject for '${displayKey}' returned a body that is not a stream`);
    }
    let failure: string | undefined;
    if (body !== undefined) {
      const iterator = body[Symbol.asyncIterator]();
      try {
        for (;;) {
          const next = await nextWithin(iterator, idleTimeoutMs);
          if (next === STALLED) {
            failure = `the connection stalled for ${idleTimeoutMs / 1000} s after ${offset} bytes`;
            break;
          }
          if (next.done) break;
          offset += next.value.length;
          yield next.value;
        }
      } catch (error) {
        failure = `the connection broke after ${offset} bytes (${(error as Error).message})`;
      } finally {
        // Ends the request (and frees its socket) when the body is left unfinished: destroyed
        // first, so that a next() still waiting on a stalled body settles and return() can run.
        (body as { destroy?: () => void }).destroy?.();
        await iterator.return?.().catch(() => {});
      }
    }
    if (failure === undefined) {
      if (total === undefined || offset === total) return;
      if (offset > total) {
        throw new IncompleteReadError(displayKey, `it sent ${offset} bytes but is listed with ${total}`);
      }
      failure = `the answer ended after ${offset} of ${total} bytes`;
    }
    failures.push(failure);
    if (attempt >= attempts) {
      throw new IncompleteReadError(displayKey, `${failures.join('; then ')} (${attempts} tries)`);
    }
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** The iterator's next item, or STALLED when none comes within `ms`. */
async function nextWithin<T>(
  iterator: AsyncIterator<T>,
  ms: number,
): Promise<IteratorResult<T> | typeof STALLED> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<typeof STALLED>((resolve) => {
    timer = setTimeout(() => resolve(STALLED), ms);
  });
  const next = iterator.next();
  next.catch(() => {}); // a stalled next() settles when the body is destroyed; nobody waits for it then
  try {
    return await Promise.race([next, stalled]);
  } finally {
    clearTimeout(timer);
  }
}
