/**
 * A file-name-safe form of an email address: lower-cased, and every character outside
 * `[a-z0-9@._+-]` (a space, a non-ASCII letter, `/`) replaced by `_` (one `_` per code
 * point). `CEO@Example.com` → `ceo@example.com`. Distinct addresses that differ only in
 * such characters share a slug, so stored keys use `recipientKey`, which adds a hash then.
 */
export function recipientSlug(address: string): string {
  return address.toLowerCase().replace(/[^a-z0-9@._+-]/gu, '_');
}
