/**
 * What the report and reduce handler tests share: the worked example's configuration, a
 * local S3 (s3rver behind the S3 front, which honours If-None-Match and logs every request)
 * and the SES emulator, started and stopped with the test file, and the handlers'
 * dependencies wired to them through the real AWS SDK.
 */

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { OutboxMailer } from '../../src/adapters/outbox/outbox-mailer';
import { createS3Client, S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import { createSesClient, SesMailer } from '../../src/adapters/ses/ses-mailer';
import { type Config, parseConfig } from '../../src/core/config';
import type { ExportStore } from '../../src/core/ports';
import { DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { openEmailRendering } from '../../src/wiring/email-delivery';
import { type RunningS3Front, startS3Front } from './s3-front';
import { S3RVER_CREDENTIALS } from './s3rver';
import { type RunningSesLocal, type SesLocalOptions, startSesLocal } from './ses-local';

/** The worked example's 2026-Q3 export set. */
export const EXAMPLE_EXPORTS = fileURLToPath(new URL('../fixtures/example/2026-Q3/', import.meta.url));

/** The worked example as the handler tests run it: two recipients, its rejects allowed. */
export const EXAMPLE_CONFIG = parseConfig({
  companyName: 'Smith & Jones',
  rejectLimitPercent: 50,
  email: {
    from: 'KPI report <kpi@example.com>',
    recipients: [{ address: 'ceo@example.com' }, { address: 'cfo@example.com' }],
  },
});

/** The handlers' clock: just after the 2026-Q3 run's scheduled time. */
export const HANDLER_NOW = new Date('2026-10-05T06:00:05.000Z');

export interface LocalAws {
  readonly bucket: string;
  front: RunningS3Front;
  ses: RunningSesLocal;
  s3: S3Client;
}

/**
 * Starts the local S3 (one bucket) and SES (with `sesOptions`, e.g. `rejectingSendsTo`) for
 * the test file; SES's store is cleared before each test.
 */
export function useLocalAws(bucket = 'kpi-data', sesOptions: SesLocalOptions = {}): LocalAws {
  const aws = { bucket } as LocalAws;
  beforeAll(async () => {
    aws.front = await startS3Front([bucket]);
    aws.ses = await startSesLocal(sesOptions);
    aws.s3 = createS3Client({
      region: 'eu-west-1',
      endpoint: aws.front.endpoint,
      credentials: S3RVER_CREDENTIALS,
    });
  });
  afterAll(async () => {
    aws.s3.destroy();
    await aws.ses.close();
    await aws.front.stop();
  });
  beforeEach(async () => {
    await aws.ses.clear();
  });
  return aws;
}

/**
 * The report and reduce handlers' dependencies over `store`: SES through the emulator with
 * the ledger for real sends, the outbox otherwise, each in the store the run gives (a dry
 * run's view); silent logs.
 */
export function reportHandlerDeps(store: ExportStore, ses: RunningSesLocal, config: Config = EXAMPLE_CONFIG) {
  const client = createSesClient({
    region: 'eu-west-1',
    endpoint: ses.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  return {
    store,
    config,
    rendering: () => openEmailRendering(config),
    delivery: (quarter: string, send: boolean, runStore: ExportStore) =>
      send
        ? { mailer: new SesMailer({ client }), ledger: new DeliveryLedger(runStore) }
        : { mailer: new OutboxMailer({ store: runStore, quarter }), ledger: undefined },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'kpi-report-test', serviceName: 'test' }),
    now: () => HANDLER_NOW,
  };
}

/** Puts `body` at `<prefix>/exports/2026-Q3/<name>` in the local bucket. */
export async function uploadExport(aws: LocalAws, prefix: string, name: string, body: string | Uint8Array) {
  await aws.s3.send(
    new PutObjectCommand({ Bucket: aws.bucket, Key: `${prefix}/exports/2026-Q3/${name}`, Body: body }),
  );
}

/** A data root at `prefix` holding the example's 2026-Q3 exports, but for the files left out. */
export async function exampleDataRoot(aws: LocalAws, prefix: string, leaveOut: readonly string[] = []) {
  for (const name of await readdir(EXAMPLE_EXPORTS)) {
    if (!leaveOut.includes(name))
      await uploadExport(aws, prefix, name, await readFile(path.join(EXAMPLE_EXPORTS, name)));
  }
  return new S3ExportStore({ client: aws.s3, bucket: aws.bucket, prefix });
}
