/**
 * Writes that another process never sees half done, on a local file system: a complete
 * temporary file beside the target, then a rename (replace) or a hard link (create only if
 * absent); and the lock that lets one process at a time replace a given version of a file.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMissing } from './file-errors';
import { hasStopped, thisProcess } from './process-liveness';

/**
 * Writes `body` to a new, uniquely named hidden file in the directory of `target` (created
 * if needed) and flushes it to disk, so that renaming or linking it to `target` publishes a
 * complete file. Returns the temporary file's path; removes it again if writing fails.
 */
export async function writeTemporaryBeside(target: string, body: string | Uint8Array): Promise<string> {
  const directory = path.dirname(target);
  await mkdir(directory, { recursive: true });
  const temporary = path.join(directory, `.${path.basename(target)}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temporary;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Links a complete temporary copy of `body` to `target`: false, writing nothing, if `target` exists. */
export async function linkIfAbsent(target: string, body: string | Uint8Array): Promise<boolean> {
  const temporary = await writeTemporaryBeside(target, body);
  try {
    // link(2) never replaces an existing name: of concurrent callers exactly one succeeds.
    await link(temporary, target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * A file's version: device, inode and modification time in nanoseconds. Every write puts a
 * new file (a new inode, a new time) in place, so a version is never seen twice.
 */
export function versionOf(stats: { dev: bigint; ino: bigint; mtimeNs: bigint }): string {
  return `${stats.dev}-${stats.ino}-${stats.mtimeNs}`;
}

/**
 * A replace lock older than this is taken to be a process that stopped on another machine
 * (one on this machine is detected at once). A replace holds its lock for milliseconds.
 */
export const STALE_REPLACE_LOCK_MS = 10 * 60_000;

/**
 * The right to replace the version `version` of `target`, or `undefined` when a running
 * process holds it (it is replacing that version now: whatever it finds, this caller would
 * find the version gone or find the same). The lock is a file named after the version,
 * created exclusively; if its holder has stopped, the next number is taken instead, so
 * exactly one process at a time proceeds, and a crash never blocks a version for good.
 */
export async function lockVersion(
  target: string,
  version: string,
): Promise<(() => Promise<void>) | undefined> {
  const owner = `${JSON.stringify({ ...thisProcess, at: new Date().toISOString() })}\n`;
  const taken: string[] = [];
  for (let turn = 1; ; turn += 1) {
    const lock = path.join(path.dirname(target), `.${path.basename(target)}.v${version}.lock-${turn}`);
    if (await linkIfAbsent(lock, owner)) {
      taken.push(lock);
      return async () => {
        await Promise.all(taken.map((file) => rm(file, { force: true })));
      };
    }
    const holder = await readLockHolder(lock);
    if (holder === 'gone') return undefined; // released meanwhile: the version was dealt with
    if (!holder.stopped) return undefined;
    taken.push(lock); // a stopped holder's turn: removed with this caller's own lock
  }
}

export async function readLockHolder(lock: string): Promise<'gone' | { stopped: boolean }> {
  try {
    const [text, stats] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
    const holder = JSON.parse(text) as { host?: string; pid?: number };
    return { stopped: hasStopped(holder) || Date.now() - stats.mtimeMs > STALE_REPLACE_LOCK_MS };
  } catch (error) {
    if (isMissing(error)) return 'gone';
    throw error;
  }
}
