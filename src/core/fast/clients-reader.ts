/**
 * Reads chunks of clients.csv on the main thread, in order: the book must give each client
 * its index in the order of the file, the first row must keep a repeated id, and segment
 * values are numbered in order of first appearance. Well-formed rows are read from bytes;
 * any other row goes through the same zod schema as the straightforward reader.
 */

import { MAX_EXAMPLES, position, type RejectionExample } from '../aggregate/partial-aggregate';
import type { Config } from '../config';
import { CsvTokenizer } from '../csv/csv-tokenizer';
import { createRowSchemas, describeRowError, type RawRow, type RowSchemas } from '../datasets/row-schemas';
import { dayInZone } from '../dates';
import type { ClientBook } from '../ingest/client-book';
import { AsciiInterner } from './ascii-interner';
import { isPlainToken, parseDateBytes } from './byte-fields';
import type { ClientTable } from './client-table';
import { RecordScanner } from './record-scanner';

export interface ClientsChunkResult {
  rows: number;
  rejected: number;
  /** Positions relative to the chunk's first line. */
  examples: RejectionExample[];
  lines: number;
}

const decoder = new TextDecoder();

export class ClientsReader {
  private readonly scanner = new RecordScanner();
  private readonly schemas: RowSchemas;
  private readonly segments: (string | undefined)[];
  private readonly interner = new AsciiInterner();

  constructor(
    private readonly book: ClientBook,
    private readonly table: ClientTable,
    config: Config,
    /** Column names read, in order: client_id, customer_since, churned_on, then the dimensions. */
    private readonly names: readonly string[],
    /** Header index of each name, or -1. */
    private readonly columns: readonly number[],
    private readonly headerLength: number,
    private readonly fileIndex: number,
  ) {
    this.schemas = createRowSchemas(config, dayInZone(config.timeZone));
    this.segments = new Array(names.length - 3).fill(undefined);
  }

  read(bytes: Uint8Array): ClientsChunkResult {
    const { scanner } = this;
    const result: ClientsChunkResult = { rows: 0, rejected: 0, examples: [], lines: 0 };
    const reject = (line: number, reason: string) => {
      result.rejected++;
      if (result.examples.length < MAX_EXAMPLES) {
        result.examples.push({ position: position(this.fileIndex, line), reason });
      }
    };
    scanner.reset(bytes, 0, bytes.length);
    while (scanner.next()) {
      result.rows++;
      const line = scanner.line;
      let reason: string | undefined;
      if (scanner.quoted) {
        reason = this.readTokenized(bytes);
      } else if (scanner.fieldCount !== this.headerLength) {
        reason = `the row has ${scanner.fieldCount} fields but the header has ${this.headerLength}; quote fields that contain commas`;
      } else if (!this.readFast(bytes)) {
        reason = this.readRow(this.rowFromScanner(bytes));
      }
      if (reason !== undefined) reject(line, reason);
    }
    result.lines = scanner.lines;
    return result;
  }

  private readFast(bytes: Uint8Array): boolean {
    const { starts, ends } = this.scanner;
    const columns = this.columns;
    const idAt = columns[0] as number;
    const idStart = starts[idAt] as number;
    const idEnd = ends[idAt] as number;
    if (!isPlainToken(bytes, idStart, idEnd)) return false;
    const sinceAt = columns[1] as number;
    const since = parseDateBytes(bytes, starts[sinceAt] as number, ends[sinceAt] as number);
    if (Number.isNaN(since)) return false;
    let churned: number | undefined;
    const churnedAt = columns[2] as number;
    if (churnedAt >= 0 && starts[churnedAt] !== ends[churnedAt]) {
      churned = parseDateBytes(bytes, starts[churnedAt] as number, ends[churnedAt] as number);
      if (!(churned > since)) return false;
    }
    const segments = this.segments;
    for (let d = 0; d < segments.length; d++) {
      const at = columns[d + 3] as number;
      const start = starts[at] as number;
      const end = ends[at] as number;
      if (start === end) segments[d] = undefined;
      else if (isPlainToken(bytes, start, end)) segments[d] = this.interner.text(bytes, start, end);
      else return false;
    }
    // Only now may the id be taken: a row the zod path would reject must not claim it.
    if (this.table.add(bytes, idStart, idEnd) < 0) return false;
    this.book.addUnique(since, churned, segments);
    return true;
  }

  /** The zod path, as the straightforward reader: returns the reason of a rejection. */
  private readRow(row: RawRow): string | undefined {
    const parsed = this.schemas.clients.safeParse(row);
    if (!parsed.success) {
      if (row.client_id !== undefined) this.book.rejectedIds.add(row.client_id);
      return describeRowError(parsed.error);
    }
    const { client_id, customer_since, churned_on } = parsed.data;
    if (this.table.addString(client_id) < 0) {
      return `client_id '${client_id}' repeats an earlier row; the first is kept`;
    }
    this.book.addUnique(
      customer_since,
      churned_on,
      this.names.slice(3).map((name) => row[name]),
    );
    return undefined;
  }

  private readTokenized(bytes: Uint8Array): string | undefined {
    const text = decoder.decode(bytes.subarray(this.scanner.recordStart, this.scanner.recordEnd));
    let fields: string[] = [];
    let error: string | undefined;
    const take = (record: { fields: string[]; error?: string }) => {
      fields = record.fields;
      error = record.error;
    };
    const tokenizer = new CsvTokenizer();
    tokenizer.push(text, take);
    tokenizer.finish(take);
    if (error !== undefined) return `malformed CSV: ${error}`;
    if (fields.length !== this.headerLength) {
      return `the row has ${fields.length} fields but the header has ${this.headerLength}; quote fields that contain commas`;
    }
    return this.readRow(this.rowFrom((index) => fields[index] as string));
  }

  private rowFromScanner(bytes: Uint8Array): RawRow {
    const { starts, ends } = this.scanner;
    return this.rowFrom((index) => decoder.decode(bytes.subarray(starts[index], ends[index])));
  }

  private rowFrom(fieldText: (index: number) => string): RawRow {
    const row: RawRow = {};
    this.names.forEach((name, c) => {
      const index = this.columns[c] as number;
      const value = index < 0 ? '' : fieldText(index).trim();
      row[name] = value === '' ? undefined : value;
    });
    return row;
  }
}
