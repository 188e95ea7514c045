/**
 * What one quarter's uploads in a batch lead to: the first upload is recorded, the burst is
 * debounced (`upload-debounce.ts`), and, once the uploads have been quiet long enough, the
 * set is checked (`upload-feedback.ts`) and a valid one starts the quarter's scheduled run if
 * it waits for its exports (`await-exports.ts`). The validate-upload handler calls it once
 * per quarter of a batch of S3 notifications.
 */
import type { ExportStore, RunLauncher } from '../core/ports';
import { type ResumeOutcome, resumeWaitingRun } from './await-exports';
import { decideValidation, type UploadDecision } from './upload-debounce';
import { checkUploadedQuarter, recordFirstUpload, type UploadFeedbackDependencies } from './upload-feedback';

/** What a batch's check found, per quarter validated. */
export interface UploadCheck {
  readonly quarter: string;
  readonly ok: boolean;
  readonly notified: boolean;
  /** What a valid set did about a scheduled run waiting for it. */
  readonly waitingRun?: ResumeOutcome;
}

/** One quarter's upload outcome: the debounce decision and, when it validated, the check. */
export interface QuarterUploadOutcome {
  readonly decision: UploadDecision;
  readonly check?: UploadCheck;
}

export interface QuarterUploadDependencies extends UploadFeedbackDependencies {
  readonly store: ExportStore;
  /** Starts a quarter's run that waits for its exports; none, none is started. */
  readonly launcher?: RunLauncher | undefined;
}

/** Handles the uploads of `quarter` in one batch, the latest of them made at `latestUpload`. */
export async function handleQuarterUpload(
  deps: QuarterUploadDependencies,
  request: { readonly quarter: string; readonly latestUpload: Date; readonly now: Date },
): Promise<QuarterUploadOutcome> {
  const { quarter, now } = request;
  const firstUpload = await recordFirstUpload(deps.store, quarter, now);
  const decision = await decideValidation(deps.store, { quarter, latestInBatch: request.latestUpload, now });
  if (decision !== 'validate') return { decision };
  const check = await checkUploadedQuarter(deps, { quarter, firstUpload, now });
  const waitingRun =
    check.ok && deps.launcher !== undefined
      ? await resumeWaitingRun({ store: deps.store, launcher: deps.launcher }, { quarter, now })
      : undefined;
  return {
    decision,
    check: {
      quarter,
      ok: check.ok,
      notified: check.notified,
      ...(waitingRun !== undefined && { waitingRun }),
    },
  };
}
