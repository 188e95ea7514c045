/**
 * Key rules shared by every `ExportStore` adapter, so a directory and a bucket accept and
 * refuse exactly the same keys. A key is relative to the data root and `/`-separated
 * (`exports/2026-Q3/clients.csv`); the job only ever writes under `reports/`.
 */
import path from 'node:path';
import { REPORTS_FOLDER } from '../core/data-root';

/** The only part of the data root the job writes to; `exports/` is never modified. */
export const WRITABLE_PREFIX = REPORTS_FOLDER;

function unsafeReason(value: string, allowTrailingSlash: boolean): string | undefined {
  if (value.includes('\0')) return 'contains a NUL character';
  if (value.includes('\\')) return "contains '\\'; keys are '/'-separated";
  if (path.posix.isAbsolute(value) || path.win32.isAbsolute(value)) return 'is absolute';
  const segments = value.split('/');
  if (allowTrailingSlash && segments.length > 1 && segments.at(-1) === '') segments.pop();
  for (const segment of segments) {
    if (segment === '..' || segment === '.') return `has a '${segment}' segment`;
    if (segment === '') return 'has an empty segment';
  }
  return undefined;
}

/**
 * Checks an object key before it is read or written: non-empty, relative, `/`-separated,
 * with no empty, `.` or `..` segment. Throws an `Error` naming the key and the problem, so a
 * crafted key can never reach outside the data root.
 */
export function assertObjectKey(key: string): void {
  const reason = key === '' ? 'is empty' : unsafeReason(key, false);
  if (reason !== undefined) throw new Error(`invalid object key '${key}': it ${reason}`);
}

/**
 * Checks a listing prefix: like a key, but it may be empty (the whole root) or end with
 * `/`. A prefix matches keys by plain string prefix, as in S3.
 */
export function assertListPrefix(prefix: string): void {
  const reason = prefix === '' ? undefined : unsafeReason(prefix, true);
  if (reason !== undefined) throw new Error(`invalid list prefix '${prefix}': it ${reason}`);
}

/**
 * Checks a key about to be written: a valid key under `reports/`. The exports are the
 * source of truth and are never touched, whatever the caller asks.
 */
export function assertWritableKey(key: string): void {
  assertObjectKey(key);
  if (!key.startsWith(WRITABLE_PREFIX)) {
    throw new Error(
      `refusing to write '${key}': the job never writes outside ${WRITABLE_PREFIX} (exports are read only)`,
    );
  }
}

/**
 * Orders keys as S3 general-purpose buckets list them: by UTF-8 bytes, so `a-b` < `a.csv`
 * < `a/x` (JavaScript's default `<` compares UTF-16 units, which differs above U+FFFF).
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
