/**
 * Cuts a file's byte stream into chunks that each end just after a record (never inside a
 * quoted field, never between the CR and LF of a CRLF), so that worker threads can read
 * chunks independently. A leading UTF-8 byte-order mark is dropped.
 *
 * Record ends are found incrementally: each pushed byte is looked at once (by native
 * searches, from quote to quote), whatever the length of the record it belongs to, and a
 * record still open after `maxRowBytes` stops the chunker (`overflowed`) instead of growing
 * its buffer: a single record costs time linear in its bytes and memory bounded by the limit.
 */
import { DEFAULT_MAX_ROW_BYTES } from '../../export-set/row-rules';

export const DEFAULT_CHUNK_BYTES = 1 << 20;

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

export class LineAlignedChunker {
  private buffer: Uint8Array;
  private length = 0;
  private atStart = true;
  /** Bytes of the buffer already looked at. */
  private scanned = 0;
  /** Whether `scanned` is inside a quoted field. */
  private inQuotes = false;
  /** Just past the last record-ending line break found (0: none in the buffer). */
  private boundary = 0;
  private overflow = false;
  /** Stretches outside quotes found by the current scan, as [from, to) pairs (reused). */
  private stretches = new Int32Array(64);

  constructor(
    private readonly targetBytes = DEFAULT_CHUNK_BYTES,
    /** Where chunks are made: a pool of reused buffers, or a fresh one each time. */
    private readonly allocate: (size: number) => Uint8Array = (size) => new Uint8Array(size),
    /** The longest record: one still open past it stops the chunker (see `overflowed`). */
    private readonly maxRowBytes = DEFAULT_MAX_ROW_BYTES,
  ) {
    this.buffer = new Uint8Array(targetBytes * 2);
  }

  /**
   * True once the record after the last chunk is longer than `maxRowBytes`: the chunks
   * returned so far hold every record before it, and it starts on the line after them.
   * Nothing more should be pushed.
   */
  get overflowed(): boolean {
    return this.overflow;
  }

  /** Adds bytes; returns the chunks they complete (usually none or one). */
  push(data: Uint8Array): Uint8Array[] {
    this.append(data);
    if (this.atStart) {
      if (this.length < 3) return [];
      this.dropByteOrderMark();
    }
    this.scan();
    const openBytes = this.length - this.boundary - (this.pendingCarriageReturn() ? 1 : 0);
    if (openBytes > this.maxRowBytes) {
      this.overflow = true;
      return this.boundary > 0 ? [this.cut(this.boundary)] : [];
    }
    if (this.length < this.targetBytes || this.boundary === 0) return [];
    return [this.cut(this.boundary)];
  }

  /**
   * The whole records received so far (and not yet handed out), or undefined when there are
   * none: for reading what came before a stream that broke off.
   */
  takeComplete(): Uint8Array | undefined {
    return this.boundary > 0 ? this.cut(this.boundary) : undefined;
  }

  /** The rest of the stream, or undefined when nothing is left. */
  finish(): Uint8Array | undefined {
    if (this.atStart) this.dropByteOrderMark();
    if (this.length === 0) return undefined;
    return this.cut(this.length);
  }

  /** Hands out `buffer[0, end)` as a chunk and keeps the rest. */
  private cut(end: number): Uint8Array {
    const chunk = this.allocate(end);
    chunk.set(this.buffer.subarray(0, end));
    this.buffer.copyWithin(0, end, this.length);
    this.length -= end;
    this.scanned = Math.max(0, this.scanned - end);
    this.boundary = Math.max(0, this.boundary - end);
    return chunk;
  }

  /** A CR outside quotes as the very last byte: it ends a record, but an LF may follow. */
  private pendingCarriageReturn(): boolean {
    return !this.inQuotes && this.scanned === this.length - 1 && this.buffer[this.scanned] === CR;
  }

  /**
   * Moves `scanned` to the end of the buffer (or to a byte that needs the next one to be
   * understood), updating `inQuotes` and `boundary` by the tokenizer's quoting rules: a
   * quote opens a quoted field only at a field's start, and inside one `""` is a literal
   * quote. Quotes are found by native searches; the stretches outside quotes are noted,
   * and only the last line break among them matters, looked for from the last one back.
   */
  private scan(): void {
    const bytes = this.buffer;
    const length = this.length;
    // A Buffer view (no copy): its indexOf is a native byte search, far faster than a typed array's.
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, length);
    let at = this.scanned;
    let stretches = 0;
    while (at < length) {
      if (this.inQuotes) {
        const close = view.indexOf(QUOTE, at);
        if (close === -1) {
          at = length;
        } else if (close + 1 === length) {
          at = close; // `"` or `""`: the next byte decides
          break;
        } else if (bytes[close + 1] === QUOTE) {
          at = close + 2;
        } else {
          this.inQuotes = false;
          at = close + 1;
        }
        continue;
      }
      const quote = view.indexOf(QUOTE, at);
      this.noteStretch(stretches++, at, quote === -1 ? length : quote);
      if (quote === -1) {
        at = length;
        break;
      }
      const previous = quote === 0 ? COMMA : (bytes[quote - 1] as number);
      // A quote opens a quoted field only at a field's start; elsewhere it is a literal character.
      if (previous === COMMA || previous === LF || previous === CR) this.inQuotes = true;
      at = quote + 1;
    }
    // A CR outside quotes as the very last byte ends a record, but an LF may follow: keep it for the next push.
    const pending = !this.inQuotes && at === length && length > 0 && bytes[length - 1] === CR;
    for (let s = stretches - 1; s >= 0; s--) {
      const from = this.stretches[2 * s] as number;
      const to = this.stretches[2 * s + 1] as number;
      const lineBreak = lastLineBreak(bytes, from, pending && to === length ? length - 1 : to);
      if (lineBreak !== -1) {
        // The last break is never the CR of a CRLF: its LF would be later.
        this.boundary = lineBreak + 1;
        break;
      }
    }
    this.scanned = pending ? length - 1 : at;
  }

  /** Notes the `index`th stretch outside quotes of this scan, `[from, to)`. */
  private noteStretch(index: number, from: number, to: number): void {
    if (2 * index + 2 > this.stretches.length) {
      const grown = new Int32Array(this.stretches.length * 2);
      grown.set(this.stretches);
      this.stretches = grown;
    }
    this.stretches[2 * index] = from;
    this.stretches[2 * index + 1] = to;
  }

  private dropByteOrderMark(): void {
    this.atStart = false;
    const b = this.buffer;
    if (this.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      b.copyWithin(0, 3, this.length);
      this.length -= 3;
    }
  }

  private append(data: Uint8Array): void {
    if (this.length + data.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + data.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(data, this.length);
    this.length += data.length;
  }
}

/** The last LF or CR in `bytes[from, to)`, or -1: a native backward search of that range only. */
function lastLineBreak(bytes: Uint8Array, from: number, to: number): number {
  if (to <= from) return -1;
  const range = Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from);
  const found = Math.max(range.lastIndexOf(LF), range.lastIndexOf(CR));
  return found === -1 ? -1 : from + found;
}

/**
 * Chunk buffers to reuse: a chunk comes back from its reader and its buffer makes a later
 * chunk, so that reading a large file does not allocate (and collect) a buffer per chunk.
 */
export class ChunkBufferPool {
  private readonly free: ArrayBuffer[] = [];

  /** `capacity`: the size of pooled buffers; a larger chunk gets a buffer of its own. */
  constructor(
    private readonly capacity: number,
    private readonly maxFree = 16,
  ) {}

  take(size: number): Uint8Array {
    if (size > this.capacity) return new Uint8Array(size);
    return new Uint8Array(this.free.pop() ?? new ArrayBuffer(this.capacity), 0, size);
  }

  give(chunk: Uint8Array): void {
    const buffer = chunk.buffer;
    if (
      buffer instanceof ArrayBuffer &&
      buffer.byteLength === this.capacity &&
      this.free.length < this.maxFree
    ) {
      this.free.push(buffer);
    }
  }
}
