/**
 * A file-name-safe form of an email address, shared by the outbox's file names and the
 * delivery ledger's keys so both name a recipient the same way: lower-cased, and every
 * character outside `[a-z0-9@._+-]` (a space, a non-ASCII letter, `/`) replaced by `_`
 * (one `_` per code point). `CEO@Example.com` → `ceo@example.com`. Distinct addresses
 * that differ only in such characters share a slug.
 */
export function recipientSlug(address: string): string {
  return address.toLowerCase().replace(/[^a-z0-9@._+-]/gu, '_');
}
