/**
 * Starts an in-process s3rver on a free port of 127.0.0.1 with its buckets in a fresh
 * temporary directory, for integration tests of the S3 adapter. s3rver accepts only the
 * credentials `S3RVER`/`S3RVER`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface RunningS3rver {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  readonly endpoint: string;
  /** Stops the server and deletes its directory. Destroy clients first to free sockets. */
  stop(): Promise<void>;
}

type CipherFactory = (algorithm: string, key: Buffer, ...rest: unknown[]) => unknown;

/** Routes single DES (`'des'`, 8-byte key) to triple DES with the key thrice: the same cipher. */
function viaTripleDes(original: CipherFactory): CipherFactory {
  return (algorithm, key, ...rest) =>
    algorithm === 'des' && Buffer.isBuffer(key) && key.length === 8
      ? original('des-ede3-cbc', Buffer.concat([key, key, key]), ...rest)
      : original(algorithm, key, ...rest);
}

/**
 * s3rver 3.7 encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3
 * (Node 17 and later) only ships in its legacy provider: every truncated listing (more than
 * 1,000 keys) then fails with a 500 InternalError. Triple DES keyed K|K|K computes exactly
 * single DES with K and is in the default provider, so, only when `'des'` is unavailable,
 * s3rver's calls are routed to it. Done once per process; other algorithms pass through.
 */
function supportS3rverContinuationTokens(): void {
  const crypto = createRequire(import.meta.url)('node:crypto') as Record<string, unknown>;
  const probe = crypto.createCipheriv as CipherFactory;
  try {
    probe('des', Buffer.alloc(8), Buffer.alloc(8));
    return; // single DES works (legacy provider loaded, or already routed)
  } catch {
    crypto.createCipheriv = viaTripleDes(crypto.createCipheriv as CipherFactory);
    crypto.createDecipheriv = viaTripleDes(crypto.createDecipheriv as CipherFactory);
  }
}

export async function startS3rver(bucketNames: readonly string[]): Promise<RunningS3rver> {
  supportS3rverContinuationTokens();
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: bucketNames.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
