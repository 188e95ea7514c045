/**
 * Output to a reader that has gone away: `kpi-report backfill | head -1` closes the pipe
 * after one line, and the next write fails with EPIPE. That is the reader's choice, not a
 * failure: further output is dropped and the command finishes its work (a half-written
 * quarter helps no one) and exits with its own code. Any other write error is still thrown.
 */
export function dropOutputOnceClosed(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // Each later write fails the same way, and is dropped the same way.
    if (error.code !== 'EPIPE') throw error;
  });
}
