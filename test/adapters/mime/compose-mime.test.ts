import { describe, expect, it } from 'vitest';
import { composeMime } from '../../../src/adapters/mime/compose-mime';
import { readEml } from '../../support/read-eml';
import {
  BLUE_PNG,
  ORANGE_PNG,
  SAMPLE_CSV,
  sampleOutgoingMessage,
} from '../../support/sample-outgoing-message';

describe('composeMime', () => {
  it('keeps a non-ASCII subject intact through RFC 2047 encoding, with from, to and date', async () => {
    // Arrange
    const message = sampleOutgoingMessage();
    const date = new Date('2026-10-01T06:00:00Z');

    // Act
    const raw = await composeMime(message, { date });
    const parsed = await readEml(raw);

    // Assert
    expect(raw.toString('latin1')).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(parsed.subject).toBe('Müller & Söhne: client KPIs for 2026-Q3');
    expect(parsed.from?.value).toEqual([{ name: 'KPI Reports', address: 'reports@kpi.example.com' }]);
    expect(parsed.to).toMatchObject({ value: [{ address: 'ceo@mueller-soehne.example' }] });
    expect(parsed.date).toEqual(date);
    expect(parsed.messageId).toMatch(/^<.+@.+>$/);
  });

  it('names the quarter in an X-KPI-Report-Quarter header', async () => {
    // Arrange
    const message = sampleOutgoingMessage({ quarter: '2027-Q1' });

    // Act
    const parsed = await readEml(await composeMime(message));

    // Assert
    expect(parsed.headers.get('x-kpi-report-quarter')).toBe('2027-Q1');
  });

  it('nests text and HTML alternatives and the related images inside multipart/mixed', async () => {
    // Arrange
    const message = sampleOutgoingMessage();

    // Act
    const raw = await composeMime(message);
    const parsed = await readEml(raw);

    // Assert
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/mixed' });
    expect(raw.toString('latin1')).toMatch(/Content-Type: multipart\/alternative;[\s\S]*multipart\/related/);
    expect(parsed.text).toBe(message.text);
    expect(parsed.html).toBe(message.html);
  });

  it('embeds every inline image with its Content-ID and no file name, each referenced from the HTML as cid:', async () => {
    // Arrange
    const message = sampleOutgoingMessage();

    // Act
    const raw = await composeMime(message);
    const parsed = await readEml(raw);

    // Assert
    const images = parsed.attachments.filter((attachment) => attachment.contentType === 'image/png');
    expect(images.map((image) => image.cid)).toEqual(['revenue-trend@kpi-report', 'churn-trend@kpi-report']);
    // A named inline image is listed as an attachment by some clients.
    expect(images.map((image) => image.filename)).toEqual([undefined, undefined]);
    expect(raw.toString('latin1')).not.toMatch(/name="?[^"\r\n]*\.png/);
    expect(images.map((image) => image.contentDisposition)).toEqual(['inline', 'inline']);
    expect(images.map((image) => image.related)).toEqual([true, true]);
    expect(images[0]?.content.equals(BLUE_PNG)).toBe(true);
    expect(images[1]?.content.equals(ORANGE_PNG)).toBe(true);
    for (const image of message.inlineImages) expect(parsed.html).toContain(`src="cid:${image.cid}"`);
  });

  it('attaches the CSV with its filename, content type and exact bytes', async () => {
    // Arrange
    const message = sampleOutgoingMessage();

    // Act
    const parsed = await readEml(await composeMime(message));

    // Assert
    const csv = parsed.attachments.filter((attachment) => attachment.filename === 'kpis-2026-Q3.csv');
    expect(csv).toHaveLength(1);
    expect(csv[0]?.contentType).toBe('text/csv');
    expect(csv[0]?.contentDisposition).toBe('attachment');
    expect(csv[0]?.content.toString('utf8')).toBe(SAMPLE_CSV);
  });

  it('encodes only the viewed bytes of an image given as a slice of a larger buffer', async () => {
    // Arrange
    const larger = Buffer.concat([Buffer.from('garbage before'), BLUE_PNG, Buffer.from('garbage after')]);
    const slice = new Uint8Array(larger.buffer, larger.byteOffset + 14, BLUE_PNG.byteLength);
    const message = sampleOutgoingMessage({
      inlineImages: [{ cid: 'slice@kpi-report', contentType: 'image/png', content: slice }],
    });

    // Act
    const parsed = await readEml(await composeMime(message));

    // Assert
    expect(parsed.attachments.find((attachment) => attachment.cid === 'slice@kpi-report')?.content).toEqual(
      BLUE_PNG,
    );
  });

  it('sets Reply-To only when the message has one', async () => {
    // Arrange
    const withReplyTo = sampleOutgoingMessage({ replyTo: 'finance@kpi.example.com' });
    const without = sampleOutgoingMessage();

    // Act
    const [parsedWith, parsedWithout] = await Promise.all([
      readEml(await composeMime(withReplyTo)),
      readEml(await composeMime(without)),
    ]);

    // Assert
    expect(parsedWith.replyTo?.value).toEqual([{ name: '', address: 'finance@kpi.example.com' }]);
    expect(parsedWithout.replyTo).toBeUndefined();
  });

  it('marks the message as automatic, so that out-of-office replies are not sent back', async () => {
    // Act
    const parsed = await readEml(await composeMime(sampleOutgoingMessage()));

    // Assert
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.headers.get('x-auto-response-suppress')).toBe('All');
  });

  it('names the recipient in To, RFC 2047 encoded when not ASCII', async () => {
    // Arrange
    const message = sampleOutgoingMessage({ toName: 'Zoë Müller' });

    // Act
    const raw = await composeMime(message);
    const parsed = await readEml(raw);

    // Assert
    expect(parsed.to).toMatchObject({
      value: [{ name: 'Zoë Müller', address: 'ceo@mueller-soehne.example' }],
    });
    expect(raw.toString('latin1')).toMatch(/^To: =\?UTF-8\?/m);
  });

  it('adds List-Unsubscribe to the owner only when the message has one', async () => {
    // Act
    const [withOwner, without] = await Promise.all([
      readEml(await composeMime(sampleOutgoingMessage({ unsubscribeAddress: 'kpi-owner@example.com' }))),
      readEml(await composeMime(sampleOutgoingMessage())),
    ]);

    // Assert
    expect(withOwner.headers.get('list')).toMatchObject({
      unsubscribe: { mail: 'kpi-owner@example.com?subject=Unsubscribe%20from%20the%20KPI%20report' },
    });
    expect(without.headers.has('list')).toBe(false);
  });
});
