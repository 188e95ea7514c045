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
 */

export interface CsvRecord {
  readonly fields: string[];
  /** 1-based line on which the record starts. */
  readonly line: number;
  /** Set when the record breaks RFC 4180; the fields are then a best effort. */
  readonly error?: string;
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

export class CsvTokenizer {
  private fields: string[] = [];
  private field = '';
  private fieldQuoted = false;
  private inQuotes = false;
  private afterClosingQuote = false;
  private skipLineFeed = false;
  private line = 1;
  private recordLine = 1;
  private recordStarted = false;
  private error: string | undefined;
  private lastWasCarriageReturnInQuotes = false;

  /** Feeds decoded text; calls `emit` for every record completed by it. */
  push(text: string, emit: (record: CsvRecord) => void): void {
    let segmentStart = 0;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
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
      }
      if (this.inQuotes) {
        if (code === QUOTE) {
          this.field += text.slice(segmentStart, i);
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
          this.field += '"';
          segmentStart = i + 1;
          this.inQuotes = true;
          this.lastWasCarriageReturnInQuotes = false;
          continue;
        }
        if (code !== COMMA && code !== CR && code !== LF) {
          this.error ??= `text after the closing quote of field ${this.fields.length + 1}; a quoted field must end at a comma or line end`;
        }
      }
      if (code === COMMA) {
        this.fields.push(this.field + text.slice(segmentStart, i));
        this.field = '';
        this.fieldQuoted = false;
        segmentStart = i + 1;
      } else if (code === LF || code === CR) {
        this.field += text.slice(segmentStart, i);
        segmentStart = i + 1;
        this.endRecord(emit);
        this.line++;
        if (code === CR) this.skipLineFeed = true;
      } else if (code === QUOTE) {
        const fieldSoFar = this.field + text.slice(segmentStart, i);
        if (fieldSoFar === '' && !this.fieldQuoted) {
          this.fieldQuoted = true;
          this.inQuotes = true;
          this.lastWasCarriageReturnInQuotes = false;
          segmentStart = i + 1;
        } else {
          this.error ??= `a double quote inside unquoted field ${this.fields.length + 1}; quote the whole field and write the quote as ""`;
        }
      }
    }
    this.field += text.slice(segmentStart);
  }

  /** Ends the input: emits the last record (one without a final line break). */
  finish(emit: (record: CsvRecord) => void): void {
    if (this.inQuotes) {
      // The row's line is reported with it; the message need not repeat it.
      this.error ??=
        'a quoted field is never closed, so the row runs to the end of the file; close the quote';
      this.inQuotes = false;
    }
    if (this.recordStarted) this.endRecord(emit);
  }

  private endRecord(emit: (record: CsvRecord) => void): void {
    const isEmptyLine = this.fields.length === 0 && this.field === '' && !this.fieldQuoted;
    if (!isEmptyLine) {
      this.fields.push(this.field);
      emit(
        this.error === undefined
          ? { fields: this.fields, line: this.recordLine }
          : { fields: this.fields, line: this.recordLine, error: this.error },
      );
    }
    this.fields = [];
    this.field = '';
    this.fieldQuoted = false;
    this.afterClosingQuote = false;
    this.recordStarted = false;
    this.error = undefined;
  }
}
