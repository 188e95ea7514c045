/** Records what the CLI writes to stdout and stderr, for tests of `main(argv, env)`. */
import { afterEach, beforeEach, vi } from 'vitest';

export interface Captured {
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** Replaces process.stdout.write and process.stderr.write with recorders until `vi.restoreAllMocks()`. */
export function captureOutput(): Captured {
  const record = (stream: NodeJS.WriteStream) => {
    const chunks: string[] = [];
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof stream.write);
    return () => chunks.join('');
  };
  return { stdout: record(process.stdout), stderr: record(process.stderr) };
}

/**
 * Records the output of every test of the file (the recorders set before each test and
 * restored after it), read through the object returned.
 */
export function captureOutputInEachTest(): Captured {
  let current: Captured | undefined;
  beforeEach(() => {
    current = captureOutput();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return { stdout: () => current?.stdout() ?? '', stderr: () => current?.stderr() ?? '' };
}
