/**
 * How large a report message may be: Gmail clips an HTML part above about 102 KB (hiding
 * the rest behind "View entire message"), and some gateways refuse or delay messages over a
 * few MB. The built-in templates stay within this budget whatever the configuration (the
 * tests render the worst cases); a custom template that does not is reported at delivery.
 */

/** The HTML part's limit: below Gmail's clipping, with room for a client's own additions. */
export const HTML_BUDGET_BYTES = 90 * 1024;

/** The whole MIME message's limit, images and attachment included. */
export const MESSAGE_BUDGET_BYTES = 1024 * 1024;

/** Room for headers, boundaries and part headers. */
const MIME_OVERHEAD_BYTES = 4 * 1024;

export interface MessageParts {
  readonly html: string;
  readonly text: string;
  readonly images: readonly Uint8Array[];
  readonly attachments: readonly (string | Uint8Array)[];
}

const encoder = new TextEncoder();

function byteLength(content: string | Uint8Array): number {
  return typeof content === 'string' ? encoder.encode(content).byteLength : content.byteLength;
}

/** Base64 with a line break every 76 characters, the worst transfer encoding a part gets. */
function base64Length(bytes: number): number {
  const encoded = Math.ceil(bytes / 3) * 4;
  return encoded + Math.ceil(encoded / 76) * 2;
}

/**
 * Quoted-printable: a byte outside printable ASCII (or `=`) takes three characters, and a
 * soft line break (`=` CRLF) ends every 73 or so. Text with many accents grows more than
 * it would in base64.
 */
function quotedPrintableLength(content: Uint8Array): number {
  let length = 0;
  for (const byte of content) length += byte >= 0x80 || byte === 0x3d ? 3 : 1;
  return length + Math.ceil(length / 73) * 3;
}

/** The larger of a part's two possible transfer encodings: the composer picks one. */
function encodedLength(content: string | Uint8Array): number {
  const bytes = typeof content === 'string' ? encoder.encode(content) : content;
  const base64 = base64Length(bytes.byteLength);
  return typeof content === 'string' ? Math.max(base64, quotedPrintableLength(bytes)) : base64;
}

/** The message's size once MIME-encoded, from above. */
export function estimateMessageBytes(parts: MessageParts): number {
  const contents = [parts.html, parts.text, ...parts.images, ...parts.attachments];
  return contents.reduce((sum, content) => sum + encodedLength(content), MIME_OVERHEAD_BYTES);
}

export function htmlBytes(html: string): number {
  return byteLength(html);
}

/** What is over the budget, in sentences an operator can act on; empty when nothing is. */
export function budgetProblems(recipient: string, parts: MessageParts): string[] {
  const problems: string[] = [];
  const html = htmlBytes(parts.html);
  if (html > HTML_BUDGET_BYTES) {
    problems.push(
      `the message for ${recipient} has ${kilobytes(html)} of HTML, over the ${kilobytes(HTML_BUDGET_BYTES)} budget: Gmail clips above about 102 KB. Check templates in email.templateDir for repeated content.`,
    );
  }
  const total = estimateMessageBytes(parts);
  if (total > MESSAGE_BUDGET_BYTES) {
    problems.push(
      `the message for ${recipient} is about ${kilobytes(total)}, over the ${kilobytes(MESSAGE_BUDGET_BYTES)} budget.`,
    );
  }
  return problems;
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
