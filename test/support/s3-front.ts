/**
 * An HTTP front for s3rver that behaves like AWS S3 where s3rver does not, so that
 * integration tests reach a faithful store through the real SDK:
 *
 * - **Conditional writes.** `PutObject` with `If-None-Match: *` answers 412
 *   PreconditionFailed when the key exists; `PutObject` and `DeleteObject` with
 *   `If-Match: <etag>` answer 412 when the object's ETag differs, and `PutObject` with
 *   `If-Match` answers 404 NoSuchKey when there is no object (as S3 does). Each
 *   conditional request is checked and forwarded while holding that key's lock, so
 *   check-and-write is atomic, as it is in S3.
 * - **A request log** (`requests`): method, bucket-relative key and query of every request,
 *   so a test can count the reads under `exports/` or assert that nothing was written.
 * - **Faults on demand** (`fault`): answer a request with a chosen HTTP error, cut a body
 *   short, or stall, to test the store's error paths against real sockets.
 *
 * - **Atomic reads.** s3rver writes an object in place, and answers a PUT before the bytes
 *   are all on disk, so a GET soon after could see part of it; S3 never shows a partial
 *   object. While conditions are honoured, a conditional PUT keeps its key locked until
 *   s3rver serves the whole new object, and a GET or HEAD of a key waits for that lock
 *   (and holds back writes until its answer is sent), unless a fault is injected into it.
 *
 * Everything else is piped to s3rver unchanged, including the `Host` header, so SigV4
 * signatures made for the front still verify. Request bodies are buffered (test payloads
 * are small); response bodies are streamed.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningS3rver, startS3rver } from './s3rver';

export interface FrontRequest {
  readonly method: string;
  /** Bucket name. */
  readonly bucket: string;
  /** Object key (decoded), `''` for bucket-level requests such as listings. */
  readonly key: string;
  /** The raw query string without `?`. */
  readonly query: string;
  /** The HTTP status the front answered with. */
  status?: number;
}

/** What to do instead of forwarding a request; `undefined` forwards it. */
export type FrontFault =
  | { readonly kind: 'status'; readonly status: number; readonly code: string }
  /**
   * Forwards, but ends the body after `bytes` bytes with a `Content-Length` that says so:
   * a response complete by HTTP's framing, short of the object's stored size.
   */
  | { readonly kind: 'cut-body'; readonly bytes: number }
  /** Forwards the headers and `bytes` bytes of the body, then sends nothing more. */
  | { readonly kind: 'stall'; readonly bytes: number };

export interface RunningS3Front {
  /** `http://127.0.0.1:<port>` of the front: give this to the S3 client. */
  readonly endpoint: string;
  /** The s3rver behind the front (for setup that must bypass the front). */
  readonly backend: RunningS3rver;
  /** Every request the front received, in arrival order. Clear with `requests.length = 0`. */
  readonly requests: FrontRequest[];
  /** Decides per request whether to inject a fault; reset with `fault = () => undefined`. */
  fault: (request: FrontRequest) => FrontFault | undefined;
  /** When false, the front passes conditional headers through and s3rver ignores them. */
  honourConditions: boolean;
  stop(): Promise<void>;
}

/** Splits `/bucket/some/key?query` (path-style addressing) into its parts. */
function parseTarget(url: string): { bucket: string; key: string; query: string } {
  const queryAt = url.indexOf('?');
  const pathPart = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
  const [, bucket = '', ...rest] = pathPart.split('/');
  return { bucket: decodeURIComponent(bucket), key: decodeURIComponent(rest.join('/')), query };
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>s3-front</RequestId></Error>`;
}

/** The ETag s3rver gives a single-part object: the quoted MD5 of its bytes. */
function normaliseEtag(etag: string): string {
  return etag.trim().replace(/^W\//, '').replaceAll('"', '');
}

/** Serialises async work per key: one conditional check-and-write at a time. */
class KeyLocks {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Forwards one request to s3rver; resolves with its response (body not yet read). */
function forward(
  backendPort: number,
  request: http.IncomingMessage,
  body: Buffer,
): Promise<http.IncomingMessage> {
  const headers = { ...request.headers };
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port: backendPort, method: request.method, path: request.url, headers },
      resolve,
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Reads an object's current ETag from s3rver's storage through an unsigned HEAD. */
function currentEtag(backendPort: number, bucket: string, key: string): Promise<string | undefined> {
  const path = `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return new Promise((resolve, reject) => {
    const head = http.request({ host: '127.0.0.1', port: backendPort, method: 'HEAD', path }, (answer) => {
      answer.resume();
      if (answer.statusCode === 404) resolve(undefined);
      else if (answer.statusCode === 200) resolve(normaliseEtag(String(answer.headers.etag ?? '')));
      else reject(new Error(`s3-front: HEAD ${path} answered ${answer.statusCode}`));
    });
    head.on('error', reject);
    head.end();
  });
}

/**
 * Waits until s3rver serves the object at `key` with the MD5 `etag` (it answers a PUT before
 * its write stream has flushed): at most about a second, then gives up quietly.
 */
async function untilStored(backendPort: number, bucket: string, key: string, etag: string): Promise<void> {
  const path = `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const md5 = await new Promise<string | undefined>((resolve, reject) => {
      const get = http.request({ host: '127.0.0.1', port: backendPort, method: 'GET', path }, (answer) => {
        const hash = createHash('md5');
        answer.on('data', (chunk: Buffer) => hash.update(chunk));
        answer.on('end', () => resolve(answer.statusCode === 200 ? hash.digest('hex') : undefined));
        answer.on('error', reject);
      });
      get.on('error', reject);
      get.end();
    });
    if (md5 === etag) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The answer S3 gives to a conditional request, or `undefined` when it may proceed.
 * `If-None-Match: *` needs the key absent; `If-Match` needs the ETag equal.
 */
function conditionFailure(
  method: string,
  ifNoneMatch: string | undefined,
  ifMatch: string | undefined,
  etag: string | undefined,
): { status: number; code: string } | undefined {
  if (method === 'PUT' && ifNoneMatch?.trim() === '*' && etag !== undefined) {
    return { status: 412, code: 'PreconditionFailed' };
  }
  if (ifMatch !== undefined) {
    if (etag === undefined) return { status: 404, code: 'NoSuchKey' };
    if (normaliseEtag(ifMatch) !== etag) return { status: 412, code: 'PreconditionFailed' };
  }
  return undefined;
}

function pipeWithFault(
  answer: http.IncomingMessage,
  response: http.ServerResponse,
  fault: FrontFault | undefined,
): void {
  if (fault === undefined || fault.kind === 'status') {
    response.writeHead(answer.statusCode ?? 500, answer.headers);
    answer.pipe(response);
    return;
  }
  const headers = { ...answer.headers };
  const length = Number(headers['content-length'] ?? Number.NaN);
  // A cut body is framed as complete: its Content-Length says the shorter length.
  if (fault.kind === 'cut-body' && Number.isFinite(length)) {
    headers['content-length'] = String(Math.min(length, fault.bytes));
  }
  response.writeHead(answer.statusCode ?? 500, headers);
  let remaining = fault.bytes;
  answer.on('data', (chunk: Buffer) => {
    if (remaining <= 0) return;
    const piece = chunk.subarray(0, remaining);
    remaining -= piece.length;
    response.write(piece);
    if (remaining <= 0 && fault.kind === 'cut-body') response.end();
  });
  answer.on('end', () => {
    if (fault.kind === 'cut-body' && !response.writableEnded) response.end();
  });
}

/**
 * Starts s3rver with `bucketNames` behind a conditional-write front on a free port of
 * 127.0.0.1. Credentials are s3rver's (`S3RVER_CREDENTIALS`).
 */
export async function startS3Front(bucketNames: readonly string[]): Promise<RunningS3Front> {
  const backend = await startS3rver(bucketNames);
  const backendPort = Number(new URL(backend.endpoint).port);
  const locks = new KeyLocks();

  const front: RunningS3Front = {
    endpoint: '',
    backend,
    requests: [],
    fault: () => undefined,
    honourConditions: true,
    stop: async () => undefined,
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const method = request.method ?? 'GET';
    const target = parseTarget(request.url ?? '/');
    const logged: FrontRequest = { method, ...target };
    front.requests.push(logged);
    const body = await readBody(request);
    const fault = front.fault(logged);
    if (fault?.kind === 'status') {
      logged.status = fault.status;
      response.writeHead(fault.status, { 'content-type': 'application/xml' });
      response.end(errorXml(fault.code, `injected by s3-front for ${target.key}`));
      return;
    }
    const ifNoneMatch = request.headers['if-none-match'] as string | undefined;
    const ifMatch = request.headers['if-match'] as string | undefined;
    const conditional =
      front.honourConditions &&
      target.key !== '' &&
      (method === 'PUT' || method === 'DELETE') &&
      (ifNoneMatch !== undefined || ifMatch !== undefined);
    const atomicRead =
      front.honourConditions &&
      target.key !== '' &&
      fault === undefined &&
      (method === 'GET' || method === 'HEAD');
    if (atomicRead) {
      await locks.run(`${target.bucket}/${target.key}`, async () => {
        const answer = await forward(backendPort, request, body);
        logged.status = answer.statusCode;
        await new Promise<void>((resolve) => {
          // A client that went away while it waited for the lock (a killed run) has closed
          // its response already: 'close' will not come again, so the lock is released now.
          if (response.destroyed) {
            answer.resume();
            resolve();
            return;
          }
          response.once('close', resolve);
          pipeWithFault(answer, response, undefined);
        });
      });
      return;
    }
    if (!conditional) {
      const answer = await forward(backendPort, request, body);
      logged.status = answer.statusCode;
      pipeWithFault(answer, response, fault);
      return;
    }
    await locks.run(`${target.bucket}/${target.key}`, async () => {
      const etag = await currentEtag(backendPort, target.bucket, target.key);
      const failure = conditionFailure(method, ifNoneMatch, ifMatch, etag);
      if (failure !== undefined) {
        logged.status = failure.status;
        response.writeHead(failure.status, { 'content-type': 'application/xml' });
        response.end(errorXml(failure.code, 'At least one of the pre-conditions you specified did not hold'));
        return;
      }
      const answer = await forward(backendPort, request, body);
      logged.status = answer.statusCode;
      // Hold the lock until s3rver has answered and serves the whole new object.
      const chunks: Buffer[] = [];
      for await (const chunk of answer) chunks.push(chunk as Buffer);
      if (method === 'PUT' && answer.statusCode === 200 && answer.headers.etag !== undefined) {
        await untilStored(backendPort, target.bucket, target.key, normaliseEtag(String(answer.headers.etag)));
      }
      response.writeHead(answer.statusCode ?? 500, answer.headers);
      response.end(Buffer.concat(chunks));
    });
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/xml' });
      response.end(errorXml('InternalError', String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(front, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await backend.stop();
    },
  });
  return front;
}

/** The ETag S3 gives an object uploaded in one part, without quotes. */
export function singlePartEtag(body: string | Uint8Array): string {
  return createHash('md5').update(body).digest('hex');
}
