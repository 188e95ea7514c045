/**
 * The local AWS a handler test needs: s3rver behind the conditional-write front (the
 * delivery ledger refuses a store without conditions), the SES emulator, an S3 client for
 * the front, and the example's exports uploaded under a prefix of the bucket.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import { type RunningS3Front, startS3Front } from './s3-front';
import { S3RVER_CREDENTIALS } from './s3rver';
import { type RunningSesLocal, type SesLocalOptions, startSesLocal } from './ses-local';

/** The worked example's 2026-Q3 export set. */
export const EXAMPLE_EXPORTS = fileURLToPath(new URL('../fixtures/example/2026-Q3/', import.meta.url));

export interface LocalAws {
  readonly bucket: string;
  readonly front: RunningS3Front;
  readonly ses: RunningSesLocal;
  readonly s3: S3Client;
  /** Puts `body` at `<prefix>/exports/2026-Q3/<name>`. */
  upload(prefix: string, name: string, body: string | Uint8Array): Promise<void>;
  /** A data root at `prefix` holding the example's exports but for `leaveOut`. */
  exampleDataRoot(prefix: string, leaveOut?: readonly string[]): Promise<S3ExportStore>;
  stop(): Promise<void>;
}

export async function startLocalAws(bucket: string, sesOptions: SesLocalOptions = {}): Promise<LocalAws> {
  const front = await startS3Front([bucket]);
  const ses = await startSesLocal(sesOptions);
  const s3 = createS3Client({
    region: 'eu-west-1',
    endpoint: front.endpoint,
    credentials: S3RVER_CREDENTIALS,
  });
  const upload = async (prefix: string, name: string, body: string | Uint8Array) => {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/exports/2026-Q3/${name}`, Body: body }),
    );
  };
  return {
    bucket,
    front,
    ses,
    s3,
    upload,
    async exampleDataRoot(prefix, leaveOut = []) {
      for (const name of await readdir(EXAMPLE_EXPORTS)) {
        if (!leaveOut.includes(name))
          await upload(prefix, name, await readFile(path.join(EXAMPLE_EXPORTS, name)));
      }
      return new S3ExportStore({ client: s3, bucket, prefix });
    },
    async stop() {
      s3.destroy();
      await ses.close();
      await front.stop();
    },
  };
}
