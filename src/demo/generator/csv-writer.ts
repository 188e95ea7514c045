/**
 * A CSV file being written, plain or gzipped, with backpressure.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Characters buffered before a write to the stream. */
export const CHUNK_CHARS = 1 << 16;
/** Bytes a stream may hold before it asks the generator to wait. */
export const STREAM_BUFFER_BYTES = 1 << 22;
/** Fast compression: parts are for exercising the `.gz` path, not for archiving. */
export const GZIP_LEVEL = 4;

/** A CSV file being written: buffers lines into chunks and honours the stream's backpressure. */
export class CsvWriter {
  private buffer = '';
  rows = 0;

  private constructor(
    readonly absolutePath: string,
    private readonly target: Writable,
    private readonly done: Promise<void>,
  ) {}

  static open(absolutePath: string, header: readonly string[], gzip: boolean): CsvWriter {
    // A deep buffer lets generation run ahead while the disk (or zlib's thread pool) catches up.
    const file = createWriteStream(absolutePath, { highWaterMark: STREAM_BUFFER_BYTES });
    let writer: CsvWriter;
    if (gzip) {
      const compressor = createGzip({ level: GZIP_LEVEL });
      writer = new CsvWriter(absolutePath, compressor, pipeline(compressor, file));
    } else {
      writer = new CsvWriter(absolutePath, file, finished(file));
    }
    // Errors surface when the writer is flushed or closed; this only keeps them from being unhandled meanwhile.
    writer.done.catch(() => {});
    writer.buffer = `${header.join(',')}\n`;
    return writer;
  }

  /** Appends one data row; true when the caller should `await flush()`. */
  add(line: string): boolean {
    this.buffer += `${line}\n`;
    this.rows++;
    return this.buffer.length >= CHUNK_CHARS;
  }

  async flush(): Promise<void> {
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.target.write(chunk)) {
      await Promise.race([once(this.target, 'drain'), this.done]);
    }
  }

  /** Ends the file; resolves to its size on disk. */
  async close(): Promise<number> {
    await this.flush();
    this.target.end();
    await this.done;
    return (await stat(this.absolutePath)).size;
  }
}
