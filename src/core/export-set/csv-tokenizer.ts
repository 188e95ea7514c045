/**
 * A streaming RFC 4180 tokenizer that never loses a valid row.
 *
 * Why not a library: csv-parse auto-detects one record delimiter per file (so a file
 * mixing CRLF and LF breaks), drops the valid rows that follow a malformed one, and
 * reports the line a record ends on rather than the one it starts on. Operations need
 * the exact line of every rejected row and every good row counted, so this tokenizer
 * keeps going after a malformed record and reports it with its first line.
 *
 * Rules: fields separated by `,`; records by CRLF, LF or a lone CR; a field that starts
 * with `"` is quoted (it may hold commas, line breaks and `""` for a quote); empty lines
 * are skipped. A quote inside an unquoted field, or text after a closing quote, makes the
 * record malformed: it is still emitted, with `error` set, so the caller can reject it.
 *
 * It reads bytes, not text: the structure is ASCII, so splitting before decoding is exact,
 * and it lets a record be measured in bytes and checked for UTF-8 as stored. A record longer
 * than `maxRowBytes`, or a quoted field still open at the end, throws `CsvRecordFaultError`
 * (see export-set/row-rules.ts): no more of such a record is ever held.
 */
import { isUtf8 } from 'node:buffer';

export interface CsvRecord {
  readonly fields: string[];
  /** 1-based line on which the record starts. */
  readonly line: number;
  /** Lines the record spans: 1, plus the line breaks inside its quoted fields. */
  readonly lines: number;
  /** Whether every field is valid UTF-8 as stored (invalid bytes read as U+FFFD). */
  readonly validUtf8: boolean;
  /** Set when the record breaks RFC 4180; the fields are then a best effort. */
  readonly error?: string;
}

/** A record that cannot be read on: longer than the limit, or a quote never closed. */
export class CsvRecordFaultError extends Error {
  override readonly name = 'CsvRecordFaultError';
  constructor(
    /** The line the record starts on. */
    readonly line: number,
    readonly fault: 'row-too-long' | 'unclosed-quote',
  ) {
    super(`the record that starts on line ${line}: ${fault}`);
  }
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

export class CsvTokenizer {
  /** The current record's field contents, one after another (unescaped). */
  private content = new Uint8Array(256);
  private contentLength = 0;
  /** Where each completed field of the current record ends in `content`. */
  private fieldEnds: number[] = [];
  private fieldQuoted = false;
  private inQuotes = false;
  private afterClosingQuote = false;
  private skipLineFeed = false;
  private line = 1;
  private recordLine = 1;
  private recordStarted = false;
  /** Bytes of the current record so far, as stored (quotes and separators included). */
  private recordBytes = 0;
  private highBytes = false;
  private error: string | undefined;
  private lastWasCarriageReturnInQuotes = false;

  /** @param maxRowBytes the longest record accepted, in bytes as stored */
  constructor(private readonly maxRowBytes = Number.POSITIVE_INFINITY) {}

  /** Feeds bytes; calls `emit` for every record completed by them. */
  push(bytes: Uint8Array, emit: (record: CsvRecord) => void): void {
    let segmentStart = 0;
    const length = bytes.length;
    for (let i = 0; i < length; i++) {
      const code = bytes[i] as number;
      if (this.skipLineFeed) {
        this.skipLineFeed = false;
        if (code === LF) {
          segmentStart = i + 1;
          continue;
        }
      }
      if (!this.recordStarted) {
        this.recordStarted = true;
        this.recordLine = this.line;
        this.recordBytes = 0;
      }
      if (code >= 0x80) this.highBytes = true;
      if (this.inQuotes) {
        this.recordBytes++;
        if (code === QUOTE) {
          this.append(bytes, segmentStart, i);
          segmentStart = i + 1;
          this.inQuotes = false;
          this.afterClosingQuote = true;
        } else if (code === LF) {
          if (!this.lastWasCarriageReturnInQuotes) this.line++;
          this.lastWasCarriageReturnInQuotes = false;
        } else if (code === CR) {
          this.line++;
          this.lastWasCarriageReturnInQuotes = true;
        } else {
          this.lastWasCarriageReturnInQuotes = false;
        }
        continue;
      }
      if (this.afterClosingQuote) {
        this.afterClosingQuote = false;
        if (code === QUOTE) {
          // `""` inside a quoted field: one literal quote, and the field goes on.
          this.recordBytes++;
          this.append(bytes, i, i + 1);
          segmentStart = i + 1;
          this.inQuotes = true;
          this.lastWasCarriageReturnInQuotes = false;
          continue;
        }
        if (code !== COMMA && code !== CR && code !== LF) {
          this.error ??= `text after the closing quote of field ${this.fieldEnds.length + 1}; a quoted field must end at a comma or line end`;
        }
      }
      if (code === COMMA) {
        this.recordBytes++;
        this.append(bytes, segmentStart, i);
        this.fieldEnds.push(this.contentLength);
        this.fieldQuoted = false;
        segmentStart = i + 1;
      } else if (code === LF || code === CR) {
        this.append(bytes, segmentStart, i);
        segmentStart = i + 1;
        this.endRecord(emit);
        this.line++;
        if (code === CR) this.skipLineFeed = true;
      } else {
        this.recordBytes++;
        if (code === QUOTE) {
          const fieldStart = this.fieldEnds.at(-1) ?? 0;
          const fieldIsEmpty = this.contentLength === fieldStart && segmentStart === i;
          if (fieldIsEmpty && !this.fieldQuoted) {
            this.fieldQuoted = true;
            this.inQuotes = true;
            this.lastWasCarriageReturnInQuotes = false;
            segmentStart = i + 1;
          } else {
            this.error ??= `a double quote inside unquoted field ${this.fieldEnds.length + 1}; quote the whole field and write the quote as ""`;
          }
        }
      }
    }
    this.append(bytes, segmentStart, length);
    if (this.recordStarted && this.recordBytes > this.maxRowBytes) {
      throw new CsvRecordFaultError(this.recordLine, 'row-too-long');
    }
  }

  /** Ends the input: emits the last record (one without a final line break). */
  finish(emit: (record: CsvRecord) => void): void {
    if (this.inQuotes) throw new CsvRecordFaultError(this.recordLine, 'unclosed-quote');
    if (this.recordStarted) this.endRecord(emit);
  }

  /** Adds `bytes[from, to)` to the current field, growing the buffer as needed. */
  private append(bytes: Uint8Array, from: number, to: number): void {
    const count = to - from;
    if (count <= 0) return;
    if (this.contentLength + count > this.content.length) {
      const grown = new Uint8Array(Math.max(this.content.length * 2, this.contentLength + count));
      grown.set(this.content.subarray(0, this.contentLength));
      this.content = grown;
    }
    this.content.set(bytes.subarray(from, to), this.contentLength);
    this.contentLength += count;
  }

  private endRecord(emit: (record: CsvRecord) => void): void {
    if (this.recordBytes > this.maxRowBytes) throw new CsvRecordFaultError(this.recordLine, 'row-too-long');
    const isEmptyLine = this.fieldEnds.length === 0 && this.contentLength === 0 && !this.fieldQuoted;
    if (!isEmptyLine) {
      this.fieldEnds.push(this.contentLength);
      const fields: string[] = [];
      const content = Buffer.from(this.content.buffer, this.content.byteOffset, this.contentLength);
      // ASCII needs no decoding; otherwise check each field on its own (bytes joined across a
      // comma could make one valid character of two invalid halves).
      const encoding = this.highBytes ? 'utf8' : 'latin1';
      let validUtf8 = true;
      let start = 0;
      for (const end of this.fieldEnds) {
        if (this.highBytes && validUtf8 && !isUtf8(content.subarray(start, end))) validUtf8 = false;
        fields.push(content.toString(encoding, start, end));
        start = end;
      }
      const lines = this.line - this.recordLine + 1;
      const record = { fields, line: this.recordLine, lines, validUtf8 };
      emit(this.error === undefined ? record : { ...record, error: this.error });
    }
    this.fieldEnds = [];
    this.contentLength = 0;
    this.fieldQuoted = false;
    this.afterClosingQuote = false;
    this.recordStarted = false;
    this.highBytes = false;
    this.error = undefined;
  }
}
