/**
 * Run launchers whose AWS SDK client is loaded when the first run is started, not at cold
 * start. The reports API answers GETs far more often than it starts runs (the Lambda client
 * was about 70 KiB of the 526 KiB its every cold start loaded), and the report function
 * starts a Step Functions execution only for the rare quarter too big for one function.
 * The two factories (lambda/lazy-lambda-run-launcher.ts, sfn/lazy-sfn-run-launcher.ts) are
 * modules of their own, so that a bundle carries only the client it uses.
 */
import type { RunLauncher, RunRequest } from '../core/ports';

/** A launcher opened by `open` on its first `start`; a failed opening is retried by the next. */
export function lazyRunLauncher(open: () => Promise<RunLauncher>): RunLauncher {
  let launcher: Promise<RunLauncher> | undefined;
  return {
    async start(request: RunRequest): Promise<void> {
      launcher ??= open().catch((error: unknown) => {
        launcher = undefined;
        throw error;
      });
      await (await launcher).start(request);
    },
  };
}
