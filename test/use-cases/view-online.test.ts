/**
 * "View online" as deployed: with `email.viewOnline` and a bucket, each message links to its
 * own self-contained copy in the bucket through a presigned URL. Through the real AWS SDK
 * and presigner against a local S3 server (s3rver), the link is followed like a browser would.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMailer, outboxKey } from '../../src/adapters/outbox/outbox-mailer';
import { createS3Client, S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import { parseConfig } from '../../src/core/config';
import { reportKeys } from '../../src/core/data-root';
import { deliverReport } from '../../src/use-cases/deliver-report';
import { recipientKey } from '../../src/use-cases/recipient-key';
import { openEmailRendering } from '../../src/wiring/email-delivery';
import { readEml } from '../support/read-eml';
import { type RunningS3rver, S3RVER_CREDENTIALS, startS3rver } from '../support/s3rver';
import { sampleSnapshot } from '../support/sample-snapshot';

const BUCKET = 'kpi-online';
let server: RunningS3rver;
let s3: S3Client;
let prefixCounter = 0;

beforeAll(async () => {
  server = await startS3rver([BUCKET]);
  s3 = createS3Client({ region: 'eu-west-1', endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS });
});
afterAll(async () => {
  s3.destroy();
  await server.stop();
});

async function deliver(
  viewOnline: boolean,
  recipients: { address: string; name?: string }[] = [{ address: 'ceo@example.com', name: 'Alex' }],
) {
  prefixCounter += 1;
  const prefix = `online-${prefixCounter}`;
  const store = new S3ExportStore({ client: s3, bucket: BUCKET, prefix });
  const config = parseConfig({
    companyName: 'Smith & Jones',
    email: { recipients, viewOnline },
  });
  const rendering = await openEmailRendering(config, { client: s3, name: BUCKET, prefix });
  await deliverReport({
    store,
    config,
    snapshot: sampleSnapshot(),
    ...rendering,
    mailer: new OutboxMailer({ store, quarter: '2026-Q3' }),
    runId: 'online',
  });
  const mail = await readEml((await store.readText(outboxKey('2026-Q3', 'ceo@example.com'))) ?? '');
  return { store, mail };
}

describe('the view-online link', () => {
  it('opens the recipient’s own message, charts inlined, through a presigned link', async () => {
    // Act
    const { store, mail } = await deliver(true);
    // Handlebars escapes `=` and `&` in the attribute; a browser reads them back.
    const link = /href="([^"]+)"[^>]*>View online</
      .exec(String(mail.html))?.[1]
      ?.replaceAll('&#x3D;', '=')
      .replaceAll('&amp;', '&');
    const page = link === undefined ? undefined : await fetch(link);
    const body = (await page?.text()) ?? '';

    // Assert
    expect(link).toMatch(
      /\/online-\d+\/reports\/2026-Q3\/online\/ceo%40example\.com\.html\?.*X-Amz-Signature=/,
    );
    expect(mail.text).toContain(`View online: ${link}`);
    expect(page?.status).toBe(200);
    expect(body).toContain('Hello Alex,');
    expect(body.match(/src="data:image\/png;base64,/g)).toHaveLength(7);
    expect(body).not.toMatch(/src="(?!data:)/);
    expect(await store.readText(reportKeys.online('2026-Q3', 'ceo@example.com'))).toBe(body);
  });

  it("gives o'neil@ and o_neil@ pages of their own", async () => {
    // Act
    const { store } = await deliver(true, [
      { address: "o'neil@example.com", name: 'Orla' },
      { address: 'o_neil@example.com', name: 'Owen' },
    ]);

    // Assert
    const pages = await Promise.all(
      ["o'neil@example.com", 'o_neil@example.com'].map((address) =>
        store.readText(reportKeys.online('2026-Q3', recipientKey(address))),
      ),
    );
    expect(pages[0]).toContain('Hello Orla,');
    expect(pages[1]).toContain('Hello Owen,');
  });

  it('is left out, and no copy saved, unless email.viewOnline is set', async () => {
    const { store, mail } = await deliver(false);

    expect(String(mail.html)).not.toContain('View online');
    expect(await store.readText(reportKeys.online('2026-Q3', 'ceo@example.com'))).toBeUndefined();
  });
});
