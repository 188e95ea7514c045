import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalExportStore } from '../../../src/adapters/local/local-export-store';
import { OutboxMailer } from '../../../src/adapters/outbox/outbox-mailer';
import { MailDeliveryError } from '../../../src/core/ports';
import { recipientSlug } from '../../../src/use-cases/recipient-slug';
import { createDataRoot, removeDataRoots } from '../../support/export-fixtures';
import { readEml } from '../../support/read-eml';
import { BLUE_PNG, SAMPLE_CSV, sampleOutgoingMessage } from '../../support/sample-outgoing-message';

afterEach(async () => {
  vi.restoreAllMocks();
  await removeDataRoots();
});

describe('recipientSlug', () => {
  it.each([
    ['ceo@example.com', 'ceo@example.com'],
    ['CEO@Example.COM', 'ceo@example.com'],
    ['first.last+kpi@mueller-soehne.example', 'first.last+kpi@mueller-soehne.example'],
    ['zoë müller@example.com', 'zo__m_ller@example.com'],
    ['a/b\\c d@example.com', 'a_b_c_d@example.com'],
    ['📈@example.com', '_@example.com'],
    ['../../etc/passwd', '.._.._etc_passwd'],
  ])('turns %j into %j', (address, slug) => {
    // Arrange: the address and its expected slug.

    // Act
    const result = recipientSlug(address);

    // Assert
    expect(result).toBe(slug);
  });
});

describe('OutboxMailer', () => {
  it('describes itself by the folder it writes to', async () => {
    // Arrange
    const store = new LocalExportStore('./data/');

    // Act
    const withQuarter = new OutboxMailer({ store, quarter: '2026-Q3' });
    const withoutQuarter = new OutboxMailer({ store });

    // Assert
    expect(withQuarter.description).toBe('outbox ./data/reports/2026-Q3/');
    expect(withoutQuarter.description).toBe('outbox ./data/reports/');
  });

  it('writes the whole message to reports/<quarter>/report-<slug>.eml and returns that key', async () => {
    // Arrange
    const root = await createDataRoot();
    const mailer = new OutboxMailer({ store: new LocalExportStore(root), quarter: '2026-Q3' });
    const message = sampleOutgoingMessage({ to: 'CEO@Mueller-Soehne.example' });

    // Act
    const sent = await mailer.send(message);

    // Assert
    expect(sent).toEqual({ messageId: 'reports/2026-Q3/report-ceo@mueller-soehne.example.eml' });
    const parsed = await readEml(await readFile(path.join(root, ...sent.messageId.split('/'))));
    expect(parsed.subject).toBe('Müller & Söhne: client KPIs for 2026-Q3');
    // MailComposer normalises the domain to lower case (it punycode-encodes it); the local part stays.
    expect(parsed.to).toMatchObject({ value: [{ address: 'CEO@mueller-soehne.example' }] });
    expect(parsed.headers.get('x-kpi-report-quarter')).toBe('2026-Q3');
    expect(parsed.html).toContain('src="cid:revenue-trend@kpi-report"');
    const byCid = new Map(parsed.attachments.map((attachment) => [attachment.cid, attachment]));
    expect(byCid.get('revenue-trend@kpi-report')?.content.equals(BLUE_PNG)).toBe(true);
    const csv = parsed.attachments.find((attachment) => attachment.filename === 'kpis-2026-Q3.csv');
    expect(csv?.content.toString('utf8')).toBe(SAMPLE_CSV);
  });

  it('stores the message with the content type message/rfc822', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());
    const write = vi.spyOn(store, 'write');
    const mailer = new OutboxMailer({ store });

    // Act
    await mailer.send(sampleOutgoingMessage());

    // Assert
    expect(write).toHaveBeenCalledExactlyOnceWith(
      'reports/2026-Q3/report-ceo@mueller-soehne.example.eml',
      expect.any(Buffer),
      'message/rfc822',
    );
  });

  it('writes one file per recipient, and replaces a recipient’s earlier file when sent again', async () => {
    // Arrange
    const root = await createDataRoot();
    const mailer = new OutboxMailer({ store: new LocalExportStore(root) });

    // Act
    await mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com', subject: 'first' }));
    await mailer.send(sampleOutgoingMessage({ to: 'coo@example.com' }));
    await mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com', subject: 'second' }));

    // Assert
    const folder = path.join(root, 'reports', '2026-Q3');
    expect(await readdir(folder)).toEqual(['report-cfo@example.com.eml', 'report-coo@example.com.eml']);
    const parsed = await readEml(await readFile(path.join(folder, 'report-cfo@example.com.eml')));
    expect(parsed.subject).toBe('second');
  });

  it("writes o'neil@ and o_neil@ to two files, so neither message replaces the other", async () => {
    // Arrange
    const root = await createDataRoot();
    const mailer = new OutboxMailer({ store: new LocalExportStore(root) });

    // Act
    const apostrophe = await mailer.send(sampleOutgoingMessage({ to: "o'neil@example.com", subject: 'one' }));
    const underscore = await mailer.send(sampleOutgoingMessage({ to: 'o_neil@example.com', subject: 'two' }));

    // Assert
    expect(apostrophe.messageId).toMatch(/^reports\/2026-Q3\/report-o_neil@example\.com~[0-9a-f]{12}\.eml$/);
    expect(underscore.messageId).toBe('reports/2026-Q3/report-o_neil@example.com.eml');
    const subjects = await Promise.all(
      [apostrophe, underscore].map(
        async (sent) => (await readEml(await readFile(path.join(root, sent.messageId)))).subject,
      ),
    );
    expect(subjects).toEqual(['one', 'two']);
  });

  it('turns a failed write into a transient MailDeliveryError naming the recipient, keeping the cause', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());
    const diskFull = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    vi.spyOn(store, 'write').mockRejectedValue(diskFull);
    const mailer = new OutboxMailer({ store });

    // Act
    const sending = mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com' }));

    // Assert
    await expect(sending).rejects.toBeInstanceOf(MailDeliveryError);
    await expect(sending).rejects.toMatchObject({
      permanent: false,
      message: expect.stringMatching(/cfo@example\.com.*ENOSPC/),
      cause: diskFull,
    });
  });
});
