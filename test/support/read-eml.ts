/**
 * Parses a raw RFC 5322 message the way a mail client would, for asserting on what a mailer
 * produced: headers decoded, parts split, attachments as Buffers.
 */
import { type ParsedMail, simpleParser } from 'mailparser';

/**
 * Parses `raw` with mailparser, keeping `cid:` links in the HTML as they are (by default
 * mailparser rewrites them to data URIs), so tests can check that every inline image is
 * referenced from the HTML by its Content-ID.
 */
export function readEml(raw: Buffer | string): Promise<ParsedMail> {
  return simpleParser(raw, { keepCidLinks: true });
}
