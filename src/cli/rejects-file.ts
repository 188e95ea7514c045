/**
 * `validate --rejects FILE`: every rejected row as one CSV line, `dataset,file,line,reason,
 * field,value`, in the order the rows were read. Written as the rows are rejected, in
 * batches, so that millions of rejections never sit in memory. The value is an excerpt
 * (about 80 characters, control characters escaped), as in every other message. The list
 * is written under a temporary name and renamed when complete, so a validation stopped
 * half-way leaves no half list under the name asked for.
 */
import { closeSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { RowRejection } from '../core/readers/simple/read-dataset';
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
  /** Written here, and renamed to `path` once complete: never a half list under the name asked for. */
  readonly #partial: string;
  readonly #fd: number;
  #batch = '';
  rows = 0;

  /**
   * Starts the file. `exportsFolder` is the data root's `exports/` on disk, if local: the
   * file may not be written there, since nothing under it is ever written.
   */
  constructor(file: string, exportsFolder?: string) {
    this.path = file;
    const target = path.resolve(file);
    if (exportsFolder !== undefined && isInside(target, exportsFolder)) {
      throw new RejectsFileError(
        `--rejects ${file} is inside the exports folder ${exportsFolder}, where kpi-report never writes; write it elsewhere`,
      );
    }
    this.#partial = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
    this.#fd = this.#attempt(() => openSync(this.#partial, 'w'));
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

  /** Writes what is left and gives the file its name. */
  complete(): void {
    this.#flush();
    this.#attempt(() => closeSync(this.#fd));
    this.#attempt(() => renameSync(this.#partial, this.path));
  }

  /** Removes the partial file: the validation stopped before its end. */
  abandon(): void {
    closeSync(this.#fd);
    rmSync(this.#partial, { force: true });
  }

  #flush(): void {
    const batch = this.#batch;
    this.#batch = '';
    this.#attempt(() => writeSync(this.#fd, batch));
  }

  #attempt<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      throw new RejectsFileError(
        `cannot write the rejects file ${this.path} (--rejects): ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
}

/** Whether `file` is `folder` or below it, links in the folders taken into account. */
function isInside(file: string, folder: string): boolean {
  const real = (location: string) => {
    try {
      return realpathSync(location);
    } catch {
      return location;
    }
  };
  const resolvedFolder = real(folder);
  const resolvedFile = path.join(real(path.dirname(file)), path.basename(file));
  return resolvedFile === resolvedFolder || resolvedFile.startsWith(`${resolvedFolder}${path.sep}`);
}
