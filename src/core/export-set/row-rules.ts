/**
 * The rules both readers (the reference `readExportSet` and the bytes reader) apply to
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
import { DATASET_NAMES, DATASETS, type DatasetContract, type DatasetName, SEGMENT_COLUMNS } from './contract';
import type { DatasetQuality } from './dataset-quality';
import type { DiscoveredExportSet } from './discover-export-set';

/** How many rejected rows a dataset's data-quality account quotes, the first by position. */
export const MAX_EXAMPLES = 10;

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

/** A file with not even a header row. */
export function emptyFileProblem(file: string): string {
  return `${file} is empty; it needs at least a header row`;
}

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

/** Why a file's header cannot be read as the dataset's, or undefined when it can. */
export function checkHeader(
  header: string[],
  contract: DatasetContract,
  fileName: string,
  firstHeader: string[] | undefined,
): string | undefined {
  const missing = contract.requiredColumns.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    return `${fileName} has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}; its header must include ${contract.requiredColumns.join(', ')} (found: ${excerpt(header.join(', ')) || 'nothing'})`;
  }
  const repeated = header.filter((name, index) => name !== '' && header.indexOf(name) !== index);
  if (repeated.length > 0) {
    return `${fileName} names the column ${excerpt([...new Set(repeated)].join(', '))} more than once; keep one`;
  }
  if (firstHeader !== undefined && [...header].sort().join(',') !== [...firstHeader].sort().join(',')) {
    return `${fileName} has a different header from the dataset's first part; every part needs the same columns`;
  }
  return undefined;
}

/** The segment dimensions clients.csv offers, warning about configured ones it lacks. */
export function segmentDimensions(
  header: readonly string[],
  configured: readonly string[],
  warnings: string[],
): string[] {
  const dimensions = [...new Set([...SEGMENT_COLUMNS, ...configured])].filter((column) =>
    header.includes(column),
  );
  for (const column of configured) {
    if (!header.includes(column)) {
      warnings.push(`the configured segment column '${column}' is not in clients.csv; it is skipped`);
    }
  }
  return dimensions;
}

/** Warnings about the set as a whole, once it has been read. */
export function setWarnings(
  discovered: DiscoveredExportSet,
  dataQuality: Record<DatasetName, DatasetQuality>,
): string[] {
  const warnings: string[] = [];
  for (const name of DATASET_NAMES) {
    const contract = DATASETS[name];
    if (!dataQuality[name].present && contract.neededFor) {
      warnings.push(`${name} is not in the export set, so ${contract.neededFor} cannot be computed (n/a)`);
    }
  }
  if (discovered.unrecognised.length > 0) {
    warnings.push(`ignored files that match no dataset: ${excerpt(discovered.unrecognised.join(', '), 200)}`);
  }
  return warnings;
}

export function missingDatasets(discovered: DiscoveredExportSet, location: string): string[] {
  if (discovered.empty) {
    return [`there is no export set at ${location}/${discovered.prefix}; upload the quarter's exports there`];
  }
  const hint =
    discovered.unrecognised.length > 0 ? ` (found ${excerpt(discovered.unrecognised.join(', '), 200)})` : '';
  return DATASET_NAMES.filter((name) => DATASETS[name].required && discovered.files[name] === undefined).map(
    (name) =>
      `the required dataset ${name} is missing: upload ${discovered.prefix}${name}.csv (or .csv.gz, or a ${name}/ folder of parts)${hint}`,
  );
}

export function rejectLimitProblems(
  dataQuality: Record<DatasetName, DatasetQuality>,
  limitPercent: number,
): string[] {
  return DATASET_NAMES.flatMap((name) => {
    const { rows, rejected } = dataQuality[name];
    if (rows === 0 || (rejected / rows) * 100 <= limitPercent) return [];
    const share = ((rejected / rows) * 100).toFixed(1);
    return [
      `${name}: ${rejected} of ${rows} rows (${share}%) were rejected, over the ${limitPercent}% limit; fix the rows listed in the data-quality report (or raise rejectLimitPercent) and run again`,
    ];
  });
}
