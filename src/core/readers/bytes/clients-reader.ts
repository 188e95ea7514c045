/**
 * Reads clients.csv in two steps, so that a reader thread does the parsing while the main
 * thread takes ids in file order:
 * - `ClientsChunkParser` (any thread) parses and validates a chunk's rows into typed arrays.
 *   Well-formed rows are read from bytes; any other row goes through the same zod schema
 *   as the simple reader, which decides and words the reason.
 * - `ClientsFold` (the main thread, chunks in file order) gives each valid row's id its
 *   client index: the book numbers clients in file order, the first row keeps a repeated
 *   id, and segment values are numbered in order of first appearance.
 */

import { isUtf8 } from 'node:buffer';
import { NEVER } from '../../client-state/client-book';
import { AsciiCodes } from '../../collections/ascii-interner';
import { hashOut, hashPlainToken } from '../../collections/byte-hash';
import { dayInZone } from '../../dates';
import { CsvTokenizer } from '../../export-set/csv-tokenizer';
import {
  fieldCountReason,
  INVALID_UTF8_REASON,
  malformedReason,
  rejectionWeight,
} from '../../export-set/row-rules';
import {
  createRowSchemas,
  describeRowError,
  type RawRow,
  type RowSchemas,
} from '../../export-set/row-schemas';
import { isPlainToken, parseDateBytes } from './byte-fields';
import type { ChunkFault } from './chunk-plan';
import {
  CHURNED,
  type ClientsPlan,
  ID_END,
  ID_HASH,
  ID_IN_NOTES,
  ID_START,
  LINE,
  type ParsedClients,
  REJECTED,
  SEGMENTS,
  SINCE,
} from './clients-rows';
import { RecordScanner } from './record-scanner';

const decoder = new TextDecoder();

export class ClientsChunkParser {
  private readonly scanner = new RecordScanner();
  private readonly schemas: RowSchemas;
  private readonly dimensions: number;
  private readonly width: number;
  private rows = new Int32Array(0);
  private rowCount = 0;
  /** Per dimension, this chunk's values numbered in order of first appearance. */
  private valueCodes: AsciiCodes[] = [];
  private notes = new Map<number, string>();
  private rejectedIds: string[] = [];

  constructor(private readonly plan: ClientsPlan) {
    this.schemas = createRowSchemas(plan.config, dayInZone(plan.config.timeZone));
    this.dimensions = plan.names.length - 3;
    this.width = SEGMENTS + this.dimensions;
  }

  /** `spareRows`: the `rows` buffer of an earlier chunk, folded and done with, to reuse. */
  read(bytes: Uint8Array, spareRows?: ArrayBuffer): ParsedClients {
    const { scanner, plan } = this;
    // Reused, not made per chunk: garbage buffers of this size made the reader thread's
    // allocator keep about 30 MiB more for the rest of a 20M-row run.
    const length = this.width * Math.max(64, Math.ceil(bytes.length / 32));
    this.rows =
      spareRows && spareRows.byteLength >= length * 4 ? new Int32Array(spareRows) : new Int32Array(length);
    this.rowCount = 0;
    this.valueCodes = Array.from({ length: this.dimensions }, () => new AsciiCodes());
    this.notes = new Map();
    this.rejectedIds = [];
    const weights = new Map<number, number>();
    let fault: ChunkFault | undefined;
    scanner.reset(bytes, 0, bytes.length);
    const validUtf8 = isUtf8(bytes);
    while (scanner.next()) {
      const recordFault = scanner.fault(plan.config.maxRowBytes);
      if (recordFault !== undefined) {
        fault = { line: scanner.line, fault: recordFault };
        break;
      }
      const row = this.nextRow(scanner.line);
      let reason: string | undefined;
      if (!validUtf8 && !isUtf8(bytes.subarray(scanner.recordStart, scanner.recordEnd))) {
        reason = INVALID_UTF8_REASON;
      } else if (scanner.quoted) {
        reason = this.readTokenized(bytes, row);
      } else if (scanner.fieldCount !== plan.headerLength) {
        reason = fieldCountReason(scanner.fieldCount, plan.headerLength);
      } else if (!this.readFast(bytes, row)) {
        reason = this.readRow(this.rowFromScanner(bytes), row);
      }
      if (reason !== undefined) {
        (this.rows as Int32Array)[row * this.width + ID_START] = REJECTED;
        this.notes.set(row, reason);
        const weight = rejectionWeight(scanner.span);
        if (weight > 1) weights.set(row, weight);
      }
    }
    return {
      rowCount: this.rowCount,
      lines: scanner.lines,
      rows: this.rows,
      values: this.valueCodes.map((codes) => codes.texts),
      notes: this.notes,
      rejectedIds: this.rejectedIds,
      weights,
      ...(fault !== undefined && { fault }),
    };
  }

  /** Makes room for one more row and returns its number. */
  private nextRow(line: number): number {
    const row = this.rowCount++;
    if (this.rowCount * this.width > this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[row * this.width + LINE] = line;
    return row;
  }

  /** The byte path: true when the row was read, false to send it to the zod path. */
  private readFast(bytes: Uint8Array, row: number): boolean {
    const { starts, ends } = this.scanner;
    const columns = this.plan.columns;
    const idAt = columns[0] as number;
    const idStart = starts[idAt] as number;
    const idEnd = ends[idAt] as number;
    // The plain test and the id's hash in one pass: the fold looks the hash up ahead.
    if (!hashPlainToken(this.scanner.dataView, bytes, idStart, idEnd)) return false;
    const idHash = hashOut[1] as number;
    const sinceAt = columns[1] as number;
    const since = parseDateBytes(bytes, starts[sinceAt] as number, ends[sinceAt] as number);
    if (Number.isNaN(since)) return false;
    let churned = NEVER;
    const churnedAt = columns[2] as number;
    if (churnedAt >= 0 && starts[churnedAt] !== ends[churnedAt]) {
      churned = parseDateBytes(bytes, starts[churnedAt] as number, ends[churnedAt] as number);
      if (!(churned > since)) return false;
    }
    const rows = this.rows;
    const at = row * this.width;
    for (let d = 0; d < this.dimensions; d++) {
      const column = columns[d + 3] as number;
      const start = starts[column] as number;
      const end = ends[column] as number;
      if (start === end) {
        rows[at + SEGMENTS + d] = -1;
        continue;
      }
      const codes = this.valueCodes[d] as AsciiCodes;
      let code = codes.recentCode(bytes, start, end);
      if (code < 0) {
        if (!isPlainToken(bytes, start, end)) return false;
        code = codes.codeOfBytes(bytes, start, end);
      }
      rows[at + SEGMENTS + d] = code;
    }
    rows[at + ID_START] = idStart;
    rows[at + ID_END] = idEnd;
    rows[at + ID_HASH] = idHash;
    rows[at + SINCE] = since;
    rows[at + CHURNED] = churned;
    return true;
  }

  /** The zod path, as the simple reader: returns the reason of a rejection. */
  private readRow(raw: RawRow, row: number): string | undefined {
    const parsed = this.schemas.clients.safeParse(raw);
    if (!parsed.success) {
      if (raw.client_id !== undefined) this.rejectedIds.push(raw.client_id);
      return describeRowError(parsed.error);
    }
    const { client_id, customer_since, churned_on } = parsed.data;
    const rows = this.rows;
    const at = row * this.width;
    rows[at + ID_START] = ID_IN_NOTES;
    rows[at + SINCE] = customer_since;
    rows[at + CHURNED] = churned_on ?? NEVER;
    for (let d = 0; d < this.dimensions; d++) {
      const value = raw[this.plan.names[d + 3] as string];
      rows[at + SEGMENTS + d] = value === undefined ? -1 : (this.valueCodes[d] as AsciiCodes).codeOf(value);
    }
    this.notes.set(row, client_id);
    return undefined;
  }

  private readTokenized(bytes: Uint8Array, row: number): string | undefined {
    let fields: string[] = [];
    let error: string | undefined;
    const take = (record: { fields: string[]; error?: string }) => {
      fields = record.fields;
      error = record.error;
    };
    const tokenizer = new CsvTokenizer();
    tokenizer.push(bytes.subarray(this.scanner.recordStart, this.scanner.recordEnd), take);
    tokenizer.finish(take);
    if (error !== undefined) return malformedReason(error);
    if (fields.length !== this.plan.headerLength) {
      return fieldCountReason(fields.length, this.plan.headerLength);
    }
    return this.readRow(
      this.rowFrom((index) => fields[index] as string),
      row,
    );
  }

  private rowFromScanner(bytes: Uint8Array): RawRow {
    const { starts, ends } = this.scanner;
    return this.rowFrom((index) => decoder.decode(bytes.subarray(starts[index], ends[index])));
  }

  private rowFrom(fieldText: (index: number) => string): RawRow {
    const row: RawRow = {};
    this.plan.names.forEach((name, c) => {
      const index = this.plan.columns[c] as number;
      const value = index < 0 ? '' : fieldText(index).trim();
      row[name] = value === '' ? undefined : value;
    });
    return row;
  }
}
