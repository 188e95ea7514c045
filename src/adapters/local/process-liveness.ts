/**
 * Whether a process that left its mark in the data root (a delivery claim, a lock file) has
 * stopped: on one machine a process that no longer exists is known at once, so a run started
 * right after another was killed need not wait for the dead run's lease to run out.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

/** Who a process is: its id, and the machine (and pid namespace) in which that id means it. */
export interface ProcessIdentity {
  /** Host name, kernel boot id and pid namespace: equal only where `pid` names the same process. */
  readonly host: string;
  readonly pid: number;
}

function readOrEmpty(read: () => string): string {
  try {
    return read().trim();
  } catch {
    return '';
  }
}

/**
 * The host part: the host name, the kernel's boot id (a reboot, or another virtual machine,
 * makes old pids meaningless) and the pid namespace (a container sharing the kernel numbers
 * its processes apart). Where `/proc` does not exist (macOS) only the host name.
 */
function hostIdentity(): string {
  const bootId = readOrEmpty(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
  const pidNamespace = readOrEmpty(() => readlinkSync('/proc/self/ns/pid'));
  return [os.hostname(), bootId, pidNamespace].filter((part) => part !== '').join('/');
}

/** This process. */
export const thisProcess: ProcessIdentity = { host: hostIdentity(), pid: process.pid };

/**
 * True only when `holder` is known to have stopped: a process of this host (same boot, same
 * pid namespace) whose pid no longer exists. A process elsewhere, or a pid now used by
 * another process, counts as running: the caller then waits for its lease instead.
 */
export function hasStopped(holder: Partial<ProcessIdentity> | undefined): boolean {
  if (holder?.host !== thisProcess.host || typeof holder.pid !== 'number') return false;
  if (holder.pid === thisProcess.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the pid exists but belongs to another user, so the process is running.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
