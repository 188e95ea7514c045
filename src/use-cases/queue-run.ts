/**
 * A run asked for on demand (`POST /reports`): refused when the quarter has no export set,
 * else its status written as queued (in a dry run's own folder for a dry run) before the
 * run is started in the background, so that a status asked for at once finds it.
 */
import { exportKeys, holdsAnythingUnder } from '../core/data-root';
import type { ExportStore, RunLauncher, RunRequest } from '../core/ports';
import { dryRunView } from './dry-run-view';
import { writeRunStatus } from './report-run';

export type QueueOutcome = { readonly queued: true } | { readonly queued: false; readonly reason: string };

export async function queueRun(
  deps: { readonly store: ExportStore; readonly launcher: RunLauncher; readonly now: () => Date },
  request: RunRequest,
): Promise<QueueOutcome> {
  const { quarter, runId, dryRun } = request;
  const exports = exportKeys.set(quarter);
  if (!(await holdsAnythingUnder(deps.store, exports))) {
    return { queued: false, reason: `there is no export set for ${quarter} (${exports} is empty)` };
  }
  const store = dryRun ? dryRunView(deps.store, quarter, runId) : deps.store;
  await writeRunStatus(store, {
    quarter,
    runId,
    status: 'queued',
    requestedBy: 'api',
    dryRun,
    updatedAt: deps.now().toISOString(),
  });
  await deps.launcher.start(request);
  return { queued: true };
}
