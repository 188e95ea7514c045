/** What a failed file operation on the data root means: missing, or a reason an operator can act on. */
import { DataLocationError } from '../../core/errors';

/** Errors meaning "there is no file at this path" (a parent may be missing or be a file). */
export const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

export function isMissing(error: unknown): boolean {
  return error instanceof Error && MISSING_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

export function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? '';
}

/** What a failed write of the data root means, in words an operator can act on. */
export function writeFailure(error: unknown, where: string): unknown {
  const code = codeOf(error);
  const reason: Record<string, string> = {
    ENOTDIR: 'a file stands where a folder is needed; move it out of the way',
    EEXIST: 'a file stands where a folder is needed; move it out of the way',
    EISDIR: 'a folder stands where the file goes; move it out of the way',
    EACCES: 'permission denied; make the folder writable, or use another --data',
    EPERM: 'permission denied; make the folder writable, or use another --data',
    EROFS: 'the file system is read-only; use another --data',
    ENOSPC: 'the disk is full; free some space and run again',
    EDQUOT: 'the disk quota is used up; free some space and run again',
  };
  const words = reason[code];
  return words === undefined
    ? error
    : new DataLocationError(`cannot write ${where}: ${words}`, { cause: error });
}
