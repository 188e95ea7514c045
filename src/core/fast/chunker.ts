/**
 * Cuts a file's byte stream into chunks that each end just after a record (never inside a
 * quoted field, never between the CR and LF of a CRLF), so that worker threads can read
 * chunks independently. A leading UTF-8 byte-order mark is dropped.
 */
import { lastRecordBoundary } from './record-scanner';

export const DEFAULT_CHUNK_BYTES = 1 << 20;

export class LineAlignedChunker {
  private buffer: Uint8Array;
  private length = 0;
  private atStart = true;

  constructor(
    private readonly targetBytes = DEFAULT_CHUNK_BYTES,
    /** Where chunks are made: a pool of reused buffers, or a fresh one each time. */
    private readonly allocate: (size: number) => Uint8Array = (size) => new Uint8Array(size),
  ) {
    this.buffer = new Uint8Array(targetBytes * 2);
  }

  /** Adds bytes; returns the chunks they complete (usually none or one). */
  push(data: Uint8Array): Uint8Array[] {
    this.append(data);
    if (this.atStart) {
      if (this.length < 3) return [];
      this.dropByteOrderMark();
    }
    if (this.length < this.targetBytes) return [];
    const cut = lastRecordBoundary(this.buffer, this.length);
    if (cut === 0) return [];
    const chunk = this.allocate(cut);
    chunk.set(this.buffer.subarray(0, cut));
    this.buffer.copyWithin(0, cut, this.length);
    this.length -= cut;
    return [chunk];
  }

  /** The rest of the stream, or undefined when nothing is left. */
  finish(): Uint8Array | undefined {
    if (this.atStart) this.dropByteOrderMark();
    if (this.length === 0) return undefined;
    const rest = this.allocate(this.length);
    rest.set(this.buffer.subarray(0, this.length));
    this.length = 0;
    return rest;
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
