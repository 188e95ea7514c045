/**
 * The name a recipient goes by in stored keys (the delivery ledger, the outbox's `.eml`
 * files) and, as a hash, in logs and SES message tags. Keys are derived from the
 * normalised address and never lose information: two addresses that differ get different
 * keys, however alike their file-name-safe forms look (`o'neil@` and `o_neil@`).
 */
import { createHash } from 'node:crypto';
import { recipientSlug } from './recipient-slug';

/**
 * The form in which two addresses are the same recipient: trimmed, Unicode NFC and
 * lower-cased, as the configuration's duplicate check compares them (mail systems treat
 * the local part case-insensitively in practice).
 */
export function normaliseAddress(address: string): string {
  return address.trim().normalize('NFC').toLowerCase();
}

/**
 * The first 12 hex digits of the SHA-256 of the normalised address: stable, carries no
 * address, and tells 40 recipients (or 40,000) apart. What logs, metrics and SES message
 * tags name a recipient by.
 */
export function recipientHash(address: string): string {
  return createHash('sha256').update(normaliseAddress(address)).digest('hex').slice(0, 12);
}

/**
 * The recipient's key: the normalised address itself when it is already file-name safe
 * (`ceo@example.com`), else its slug, `~` and its hash (`o_neil@example.com~5b1e…`). `~` is
 * outside the slug's alphabet, so a plain key never equals a hashed one; distinct hashed
 * keys differ by their hash.
 */
export function recipientKey(address: string): string {
  const normalised = normaliseAddress(address);
  const slug = recipientSlug(normalised);
  return slug === normalised ? slug : `${slug}~${recipientHash(normalised)}`;
}

/** An address in running text: anything up to a space or bracket, `@`, then a domain. */
const ADDRESS_IN_TEXT = /[^\s<>"(),;:@]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/**
 * `text` with every email address replaced by `<recipient hash>`, for logs and execution
 * histories, which must not hold addresses: SES's own error messages name them.
 */
export function redactAddresses(text: string): string {
  return text.replace(ADDRESS_IN_TEXT, (address) => `<${recipientHash(address)}>`);
}
