/**
 * Splits a line-aligned byte range of a CSV file into records and fields without making a
 * string: each record's field boundaries land in typed arrays. A record holding a double
 * quote is not split here; it is marked `quoted`, its extent found by the same rules as
 * `CsvTokenizer` (a quote opens a field only at its start, `""` is a literal quote, line
 * breaks inside quotes belong to the field), and the caller hands its text to the tokenizer.
 * Line numbers follow the tokenizer: LF, CR and CRLF each end one line.
 */
import type { RecordFault } from '../../export-set/row-rules';

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

export class RecordScanner {
  starts = new Int32Array(32);
  ends = new Int32Array(32);
  fieldCount = 0;
  recordStart = 0;
  recordEnd = 0;
  /** Line of the record's first byte, counted from the range's first line (0). */
  line = 0;
  /** The record holds a double quote: fields are not split; use the tokenizer. */
  quoted = false;
  /** Lines the record spans: 1, plus the line breaks inside its quotes. */
  span = 1;
  /** The record ends inside a quoted field: the range ran out before the quote closed. */
  unclosed = false;
  private bytes: Uint8Array = new Uint8Array(0);
  private position = 0;
  private end = 0;
  private nextLine = 0;

  /** No quote and no CR in the range: records end at LF and split at commas, nothing else. */
  private plain = false;

  reset(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.position = start;
    this.end = end;
    this.nextLine = 0;
    // Two native byte searches per chunk decide whether the per-byte loop may ignore quotes and CRs.
    const range = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start);
    this.plain = range.indexOf(QUOTE) === -1 && range.indexOf(CR) === -1;
    const view = this.view;
    if (
      view.buffer !== bytes.buffer ||
      view.byteOffset !== bytes.byteOffset ||
      view.byteLength !== bytes.byteLength
    ) {
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  }

  private view: DataView = new DataView(new ArrayBuffer(0));
  /** The record's last field was quoted whole: `i` stopped on its closing quote. */
  private quotedLastField = false;

  /** A view of the bytes last passed to `reset`, for word reads. */
  get dataView(): DataView {
    return this.view;
  }

  /** Where the next record starts. */
  get offset(): number {
    return this.position;
  }

  /** Lines consumed so far (all of them once `next` has returned false). */
  get lines(): number {
    return this.nextLine;
  }

  /** Moves to the next non-empty record; false at the end of the range. */
  next(): boolean {
    const bytes = this.bytes;
    const end = this.end;
    for (;;) {
      const start = this.position;
      if (start >= end) return false;
      this.recordStart = start;
      this.line = this.nextLine;
      this.quoted = false;
      this.unclosed = false;
      let count = 0;
      let fieldStart = start;
      let i = start;
      // Two copies of the field loop, on purpose: the plain one (no quotes, no CR in the
      // chunk) looks for two bytes instead of four, a word at a time, on the hottest path there is.
      if (this.plain) {
        const view = this.view;
        const lastWord = end - 4;
        for (;;) {
          const at = nextDelimiter(view, bytes, i, end, lastWord);
          if (at < end && bytes[at] === COMMA) {
            if (count === this.starts.length) this.growFields();
            this.starts[count] = fieldStart;
            this.ends[count] = at;
            count++;
            fieldStart = at + 1;
            i = at + 1;
            continue;
          }
          i = at;
          break;
        }
      } else
        for (; i < end; i++) {
          const byte = bytes[i] as number;
          if (byte === COMMA) {
            if (count === this.starts.length) this.growFields();
            this.starts[count] = fieldStart;
            this.ends[count] = i;
            count++;
            fieldStart = i + 1;
          } else if (byte === LF || byte === CR) {
            break;
          } else if (byte === QUOTE) {
            // A field quoted whole, with no quote or line break inside (`"Public Sector, Federal"`),
            // is split here like any other; anything else goes to the tokenizer's rules.
            const close = i === fieldStart ? this.simpleQuoteEnd(i + 1) : -1;
            if (close < 0) {
              this.quoted = true;
              break;
            }
            const after = close + 1 < end ? (bytes[close + 1] as number) : LF;
            // A record that is only `""` is one empty field to the tokenizer, not an empty line.
            const onlyEmptyQuotes = count === 0 && close === i + 1 && after !== COMMA;
            if ((after !== COMMA && after !== LF && after !== CR) || onlyEmptyQuotes) {
              this.quoted = true;
              break;
            }
            if (after === COMMA) {
              if (count === this.starts.length) this.growFields();
              this.starts[count] = i + 1;
              this.ends[count] = close;
              count++;
              fieldStart = close + 2;
              i = close + 1;
            } else {
              // The record's last field: the code after the loop takes [fieldStart, i).
              fieldStart = i + 1;
              i = close;
              this.quotedLastField = true;
              break;
            }
          }
        }
      if (this.quoted) {
        i = this.quotedRecordEnd(start);
        this.span = this.nextLine - this.line + 1;
      } else {
        this.span = 1;
        if (count === this.starts.length) this.growFields();
        this.starts[count] = fieldStart;
        this.ends[count] = i;
        count++;
        if (this.quotedLastField) {
          // Past the closing quote, onto the line break (or the end).
          this.quotedLastField = false;
          i++;
        }
      }
      this.fieldCount = count;
      this.recordEnd = i;
      if (i < end) {
        this.position = bytes[i] === CR && i + 1 < end && bytes[i + 1] === LF ? i + 2 : i + 1;
        this.nextLine++;
      } else {
        this.position = end;
      }
      const emptyLine = !this.quoted && count === 1 && this.ends[0] === this.starts[0];
      if (!emptyLine) return true;
    }
  }

  /** The closing quote of a field whose content starts at `from`, or -1 if the content holds a line break or runs to the end. */
  private simpleQuoteEnd(from: number): number {
    const bytes = this.bytes;
    for (let i = from; i < this.end; i++) {
      const byte = bytes[i] as number;
      if (byte === QUOTE) return i;
      if (byte === LF || byte === CR) return -1;
    }
    return -1;
  }

  /** Finds where a record with quotes ends, counting the line breaks inside its quotes. */
  private quotedRecordEnd(start: number): number {
    const bytes = this.bytes;
    const end = this.end;
    // 0: at a field's start, 1: in an unquoted field, 2: inside quotes, 3: just after a closing quote
    let state = 0;
    let afterCarriageReturn = false;
    for (let i = start; i < end; i++) {
      const byte = bytes[i] as number;
      if (state === 2) {
        if (byte === QUOTE) state = 3;
        else if (byte === LF) {
          if (!afterCarriageReturn) this.nextLine++;
          afterCarriageReturn = false;
        } else if (byte === CR) {
          this.nextLine++;
          afterCarriageReturn = true;
        } else afterCarriageReturn = false;
        continue;
      }
      if (state === 3) {
        if (byte === QUOTE) {
          state = 2;
          afterCarriageReturn = false;
          continue;
        }
        state = 1;
      }
      if (byte === COMMA) state = 0;
      else if (byte === LF || byte === CR) return i;
      else if (byte === QUOTE) {
        if (state === 0) {
          state = 2;
          afterCarriageReturn = false;
        }
      } else state = 1;
    }
    this.unclosed = state === 2;
    return end;
  }

  /** Why the record cannot be read on (export-set/row-rules.ts), or undefined when it can. */
  fault(maxRowBytes: number): RecordFault | undefined {
    if (this.recordEnd - this.recordStart > maxRowBytes) return 'row-too-long';
    return this.unclosed ? 'unclosed-quote' : undefined;
  }

  private growFields(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}

/**
 * Flags (bit 7 of a byte) where a little-endian word holds a comma or a line feed. The
 * zero-byte test can also flag a byte above a real hit (a borrow), never one below it, so
 * the lowest flag is exact, and that is the only one used.
 */
function delimiterBytes(word: number): number {
  const commas = word ^ 0x2c2c2c2c;
  const feeds = word ^ 0x0a0a0a0a;
  return (((commas - 0x01010101) & ~commas) | ((feeds - 0x01010101) & ~feeds)) & 0x80808080;
}

/** The index (0-3) of the lowest flagged byte of a non-zero `delimiterBytes` result. */
function firstFlaggedByte(hits: number): number {
  return (31 - Math.clz32(hits & -hits)) >> 3;
}

/**
 * The first comma or line feed at or after `from` in a range without quotes or CRs, or
 * `end`: four bytes at a time (unaligned word reads through `view`, a view of `bytes`)
 * while a whole word fits before `end` (`lastWord` is `end - 4`), then byte by byte.
 */
function nextDelimiter(
  view: DataView,
  bytes: Uint8Array,
  from: number,
  end: number,
  lastWord: number,
): number {
  let at = from;
  while (at <= lastWord) {
    const hits = delimiterBytes(view.getInt32(at, true));
    if (hits !== 0) return at + firstFlaggedByte(hits);
    at += 4;
  }
  while (at < end && bytes[at] !== COMMA && bytes[at] !== LF) at++;
  return at;
}
