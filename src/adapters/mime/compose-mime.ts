/**
 * The one place that turns an `OutgoingMessage` into RFC 5322 bytes, shared by the SES
 * mailer (SendRawEmail) and the outbox (`.eml` files), so both deliver the same message.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingMessage } from '../../core/ports';

/** The header naming the reported quarter, for filtering and for support questions. */
export const QUARTER_HEADER = 'X-KPI-Report-Quarter';

/** Options for `composeMime`. */
export interface ComposeMimeOptions {
  /** The `Date` header; defaults to now. Tests pin it. */
  readonly date?: Date;
}

function toBuffer(content: string | Uint8Array): string | Buffer {
  return typeof content === 'string'
    ? content
    : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

/**
 * Headers of an automated report (RFC 3834 `Auto-Submitted`, and Exchange's
 * `X-Auto-Response-Suppress`): out-of-office and other automatic replies are not sent back
 * to the sender.
 */
const AUTOMATED_HEADERS = {
  'Auto-Submitted': 'auto-generated',
  'X-Auto-Response-Suppress': 'All',
} as const;

/**
 * Builds the raw MIME message with nodemailer's MailComposer as
 * multipart/mixed[alternative[text, related[html, inline PNGs]], attachments]: each inline
 * image carries its `Content-ID` so the HTML's `cid:` links resolve, and no file name (some
 * clients list named inline images as attachments). Non-ASCII headers (a subject naming
 * "Müller & Söhne", a recipient's name) are RFC 2047 encoded. Adds `X-KPI-Report-Quarter`,
 * the automated-message headers, and `List-Unsubscribe` when the message has an address
 * for it. MailComposer generates the `Message-ID` (SES replaces it anyway). File and URL
 * access are disabled: every part's content is already in memory.
 */
export async function composeMime(
  message: OutgoingMessage,
  options: ComposeMimeOptions = {},
): Promise<Buffer> {
  const composer = new MailComposer({
    from: message.from,
    to: message.toName === undefined ? message.to : { name: message.toName, address: message.to },
    ...(message.replyTo !== undefined && { replyTo: message.replyTo }),
    subject: message.subject,
    ...(options.date !== undefined && { date: options.date }),
    headers: {
      [QUARTER_HEADER]: message.quarter,
      ...AUTOMATED_HEADERS,
      ...(message.unsubscribeAddress !== undefined && {
        'List-Unsubscribe': `<mailto:${message.unsubscribeAddress}?subject=${encodeURIComponent('Unsubscribe from the KPI report')}>`,
      }),
    },
    text: message.text,
    html: message.html,
    attachments: [
      ...message.inlineImages.map((image) => ({
        cid: image.cid,
        // false, not omitted: MailComposer would otherwise name it attachment-1.png.
        filename: false as const,
        contentType: image.contentType,
        contentDisposition: 'inline' as const,
        content: toBuffer(image.content),
      })),
      ...message.attachments.map((attachment) => ({
        filename: attachment.filename,
        contentType: attachment.contentType,
        content: toBuffer(attachment.content),
      })),
    ],
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}
