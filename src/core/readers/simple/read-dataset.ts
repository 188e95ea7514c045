/**
 * Reads every file of one dataset, checks each header against the contract, and hands
 * each data row (as trimmed column texts) to a handler that accepts it or says why not.
 * Keeps the data-quality account: rows read, rows rejected, the first examples.
 */

import { ExportFileError } from '../../errors';
import { type DatasetContract, normaliseColumnName } from '../../export-set/contract';
import { CsvRecordFaultError } from '../../export-set/csv-tokenizer';
import { type DatasetQuality, failedDataset, provenanceOf } from '../../export-set/dataset-quality';
import type { DiscoveredFile } from '../../export-set/discover-export-set';
import {
  checkHeader,
  emptyFileProblem,
  fieldCountReason,
  INVALID_UTF8_REASON,
  invalidUtf8HeaderProblem,
  MAX_EXAMPLES,
  malformedReason,
  recordFaultProblem,
  rejectionWeight,
} from '../../export-set/row-rules';
import type { RawRow } from '../../export-set/row-schemas';
import type { ExportStore } from '../../ports';
import { PROGRESS_EVERY_ROWS, type ReadProgress } from '../export-set-reader';
import { readCsvFile } from './read-csv-file';

/** One rejected row, told as it is rejected to a reader that lists them all (`validate --rejects`). */
export interface RowRejection {
  readonly dataset: string;
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  /** The row's columns as the row rules saw them; absent for a row rejected before (malformed, not UTF-8). */
  readonly row?: RawRow;
}

const STOP_READING = Symbol('stop reading');

/** A row rejected only because its id repeats an earlier row's: it weighs one row, whatever its lines. */
export interface RepeatedId {
  readonly repeated: string;
}

/** Accepts a row (returns undefined) or rejects it with a reason. */
export type RowHandler = (row: RawRow) => string | RepeatedId | undefined;

/**
 * Returns the problems that stopped the dataset from being read (empty when all was read):
 * a bad header, a file that cannot be read in full, a row too long or a quote never closed.
 * Columns named in `columns` are handed to the handler.
 */
export async function readDataset(options: {
  store: ExportStore;
  contract: DatasetContract;
  files: readonly DiscoveredFile[];
  /** Columns handed to `onRow`, or a function choosing them from the first header. */
  columns: readonly string[] | ((header: readonly string[]) => readonly string[]);
  quality: DatasetQuality;
  onRow: RowHandler;
  maxRowBytes: number;
  onProgress?: ((progress: ReadProgress) => void) | undefined;
  onRejected?: ((rejection: RowRejection) => void) | undefined;
}): Promise<string[]> {
  const { store, contract, files, quality, onRow, onProgress, maxRowBytes } = options;
  let firstHeader: string[] | undefined;
  let columns: readonly string[] = [];
  for (const file of files) {
    let header: string[] | undefined;
    let indexes: (number | undefined)[] = [];
    let headerProblem: string | undefined;
    let fileRows = 0;
    const reject = (line: number, reason: string, weight: number, row?: RawRow) => {
      // The row was counted once already; a row spanning lines weighs one per line.
      quality.rows += weight - 1;
      fileRows += weight - 1;
      quality.rejected += weight;
      if (quality.examples.length < MAX_EXAMPLES) quality.examples.push({ file: file.name, line, reason });
      options.onRejected?.({ dataset: contract.name, file: file.name, line, reason, ...(row && { row }) });
    };
    const content = store.readExportFile(file);
    const stats = await readCsvFile(
      content.bytes,
      (record) => {
        if (header === undefined) {
          header = record.fields.map(normaliseColumnName);
          headerProblem = record.validUtf8
            ? checkHeader(header, contract, file.name, firstHeader)
            : invalidUtf8HeaderProblem(file.name);
          if (firstHeader === undefined && headerProblem === undefined) {
            firstHeader = header;
            columns = typeof options.columns === 'function' ? options.columns(header) : options.columns;
          }
          const columnIndex = new Map(header.map((name, index) => [name, index]));
          indexes = columns.map((column) => columnIndex.get(column));
          // A bad header fails the run: stop streaming instead of reading the rest for nothing.
          if (headerProblem !== undefined) throw STOP_READING;
          return;
        }
        quality.rows++;
        fileRows++;
        const weight = rejectionWeight(record.lines);
        if (!record.validUtf8) {
          reject(record.line, INVALID_UTF8_REASON, weight);
        } else if (record.error !== undefined) {
          reject(record.line, malformedReason(record.error), weight);
        } else if (record.fields.length !== header.length) {
          reject(record.line, fieldCountReason(record.fields.length, header.length), weight);
        } else {
          const row: RawRow = {};
          for (let c = 0; c < columns.length; c++) {
            const index = indexes[c];
            const text = index === undefined ? '' : (record.fields[index] as string).trim();
            row[columns[c] as string] = text === '' ? undefined : text;
          }
          const verdict = onRow(row);
          if (typeof verdict === 'string') reject(record.line, verdict, weight, row);
          else if (verdict !== undefined) reject(record.line, verdict.repeated, 1, row);
        }
        if (onProgress && quality.rows % PROGRESS_EVERY_ROWS === 0) {
          onProgress({ dataset: contract.name, file: file.name, rows: quality.rows, done: false });
        }
      },
      { maxRowBytes },
    )
      .then(() => content.stats())
      .catch((error: unknown) => {
        if (error === STOP_READING) return undefined;
        if (error instanceof ExportFileError) return error.problem;
        if (error instanceof CsvRecordFaultError) {
          return recordFaultProblem(file.name, error.line, error.fault, maxRowBytes);
        }
        throw error;
      });
    if (typeof stats === 'string') return failedDataset(quality, stats);
    if (header === undefined) headerProblem = emptyFileProblem(file.name);
    if (headerProblem !== undefined || stats === undefined) {
      return failedDataset(quality, headerProblem ?? `${file.name} could not be read`);
    }
    quality.files.push(provenanceOf(file, stats, fileRows));
  }
  onProgress?.({ dataset: contract.name, file: files.at(-1)?.name ?? '', rows: quality.rows, done: true });
  return [];
}
