/**
 * The rules both readers (the reference `readExportSet` and the fast byte reader) apply to
 * a file's records before any column is looked at, with the words they report them in:
 * one place, so that the two cannot drift apart.
 *
 * - A row (record) is at most `maxRowBytes` long (default 1 MiB), line breaks inside its
 *   quotes included. A longer one is almost always a double quote that opened a field by
 *   mistake and swallowed the lines after it, or a file that is not CSV: the dataset fails
 *   at the line where that row starts, and neither reader ever holds more of it.
 * - A quoted field still open at the end of the file fails the dataset the same way.
 * - A rejected row counts once per line it spans toward the reject limit (and the rows
 *   read), so a quote that swallows 500 lines weighs 500 rows, not one. A repeated id counts
 *   once: its row is valid on its own.
 * - A row whose bytes are not valid UTF-8 is rejected with its line.
 * - Text from the data is quoted in a reason as an excerpt (excerpt.ts).
 */

import { excerpt } from '../excerpt';

/** The longest row read, in bytes, unless the configuration says otherwise. */
export const DEFAULT_MAX_ROW_BYTES = 1 << 20;

/** Why a file's records cannot be read on at all. */
export type RecordFault = 'row-too-long' | 'unclosed-quote';

/** The problem that stops a dataset at `line` of `file`. */
export function recordFaultProblem(
  file: string,
  line: number,
  fault: RecordFault,
  maxRowBytes: number,
): string {
  if (fault === 'unclosed-quote') {
    return `${file}: the row that starts on line ${line} opens a quoted field that is never closed, so every line after it would be lost; close the quote, or write a quote inside a field as ""`;
  }
  return `${file}: the row that starts on line ${line} is longer than ${describeBytes(maxRowBytes)} (maxRowBytes), usually a double quote that opens a field by mistake and runs on over the lines after it; fix that line (a quote inside a field is written "") or check that the file is CSV`;
}

/** `1 MiB`, `64 KiB`, `100 bytes`. */
function describeBytes(bytes: number): string {
  if (bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** How many rows a rejected record weighs toward the reject limit: the lines it spans. */
export function rejectionWeight(lines: number): number {
  return lines;
}

/** A row whose tokenizer found broken quoting (the tokenizer words `error`). */
export function malformedReason(error: string): string {
  return `malformed CSV: ${error}`;
}

/** Why a row with the wrong number of fields is rejected. */
export function fieldCountReason(fields: number, headerLength: number): string {
  return `the row has ${fields} fields but the header has ${headerLength}; quote fields that contain commas`;
}

export const INVALID_UTF8_REASON =
  'the row is not valid UTF-8 (was the file saved in another encoding?); export it as UTF-8';

export function invalidUtf8HeaderProblem(file: string): string {
  return `${file}: its header is not valid UTF-8 (was the file saved in another encoding?); export it as UTF-8`;
}

/** A row that names a client clients.csv does not have, or whose row there was rejected. */
export function clientReferenceReason(id: string, rejectedInClients: boolean): string {
  return rejectedInClients
    ? `client_id '${excerpt(id)}' is in clients.csv but its row there was rejected`
    : `unknown client_id '${excerpt(id)}': it is not in clients.csv`;
}

/** A row whose unique id (`column`) an earlier row already has. */
export function repeatedIdReason(column: string, id: string): string {
  return `${column} '${excerpt(id)}' repeats an earlier row; the first is kept`;
}
