/**
 * `validate --rejects FILE`: every rejected row as one CSV line, `dataset,file,line,reason,
 * field,value`, in the order the rows were read. Written as the rows are rejected, in
 * batches, so that millions of rejections never sit in memory. The value is an excerpt
 * (about 80 characters, control characters escaped), as in every other message.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { RowRejection } from '../core/ingest/read-dataset';
import { rejectedField } from './rejection-tally';

export const REJECTS_HEADER = ['dataset', 'file', 'line', 'reason', 'field', 'value'] as const;
const BATCH_CHARACTERS = 1 << 16;

/** A CSV cell: quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The rejects file cannot be written: the path is the user's to fix (exit 2). */
export class RejectsFileError extends Error {
  override readonly name = 'RejectsFileError';
}

export class RejectsFile {
  readonly path: string;
  readonly #fd: number;
  #batch = '';
  rows = 0;

  /** Creates (or empties) `path`. */
  constructor(path: string) {
    this.path = path;
    try {
      this.#fd = openSync(path, 'w');
    } catch (error) {
      throw new RejectsFileError(
        `cannot write the rejects file ${path} (--rejects): ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    this.#batch = `${REJECTS_HEADER.join(',')}\n`;
  }

  add(rejection: RowRejection): void {
    const about = rejectedField(rejection);
    const cells = [
      rejection.dataset,
      rejection.file,
      String(rejection.line),
      rejection.reason,
      about?.field ?? '',
      about?.value ?? '',
    ];
    this.#batch += `${cells.map(csvCell).join(',')}\n`;
    this.rows++;
    if (this.#batch.length >= BATCH_CHARACTERS) this.#flush();
  }

  close(): void {
    this.#flush();
    closeSync(this.#fd);
  }

  #flush(): void {
    writeSync(this.#fd, this.#batch);
    this.#batch = '';
  }
}
