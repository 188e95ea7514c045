/**
 * What the report function and the distributed reducer share: a run of a quarter from the
 * template check to the recorded outcome. The templates are proven and the data root's
 * report settings read before anything is read or written (the run's record included);
 * the run's attempt is begun, or the handler's
 * answer given when the run needs nothing more; the quarter is run (`reportRun`) and its
 * outcome counted and logged. Failures are logged and rethrown for the retries and alarms,
 * unless `onFailure` answers them. Each handler only says how it reads and what it adds.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Config } from '../core/config';
import type { ExportStore } from '../core/ports';
import type { ExportSetReader } from '../core/readers/export-set-reader';
import { dryRunView } from '../use-cases/dry-run-view';
import { type ReportRunOptions, reportRun } from '../use-cases/report-run';
import type { RunAttempt, RunRecords } from '../use-cases/run-record';
import type { EmailDelivery, EmailRendering } from './email-delivery';
import { renderingBeforeAnyWork } from './rendering-before-work';
import { reportSettingsBeforeAnyWork } from './report-settings';
import { beginRunAttempt, type InvocationContext, type RunAnswer } from './run-attempt';
import { recordRunOutcome, runLogLines } from './run-outcome';

/** What both run handlers are built with. */
export interface RunHandlerDependencies {
  readonly store: ExportStore;
  readonly config: Config;
  readonly rendering: () => Promise<EmailRendering>;
  /** The outbox or SES (with its ledger) in `store`: the data root, or a dry run's view of it. */
  readonly delivery: (
    quarter: string,
    send: boolean,
    store: ExportStore,
  ) => EmailDelivery | Promise<EmailDelivery>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
}

/** The run as `reportRun` takes it, and what the run's record and log add. */
export interface RecordedRun
  extends Pick<ReportRunOptions, 'quarter' | 'quarterLabel' | 'runId' | 'requestedBy' | 'dryRun' | 'resend'> {
  /** Which step of the run this invocation is (the run's record tells them apart). */
  readonly stage: 'run' | 'reduce';
  /** The attempt's owner when not the invocation (the state machine's execution). */
  readonly owner?: string | undefined;
  /** How the run is named in the log: `report run`, `distributed report run`. */
  readonly logName: string;
}

export async function runAndRecord(
  deps: RunHandlerDependencies & { readonly records: RunRecords },
  run: RecordedRun,
  how: {
    readonly reader: ExportSetReader;
    readonly context?: InvocationContext | undefined;
    /** Once the attempt is begun, before anything is read: an answer here ends the run (handed over). */
    readonly beforeReading?: (attempt: RunAttempt, store: ExportStore) => Promise<RunAnswer | undefined>;
    /** A failure the handler answers instead of rethrowing. */
    readonly onFailure?: (error: unknown) => Promise<RunAnswer | undefined>;
  },
): Promise<RunAnswer> {
  const { quarterLabel: quarter, runId, requestedBy, dryRun } = run;
  // A dry run reads and writes the quarter's report folder in its own folder instead.
  const store = dryRun ? dryRunView(deps.store, quarter, runId) : deps.store;
  const rendering = await renderingBeforeAnyWork({
    rendering: deps.rendering,
    store,
    run: { quarter, runId, requestedBy, dryRun },
    now: deps.now,
    logger: deps.logger,
  });
  // The data root's report settings (recipients, targets, bands) over the deployed configuration.
  const config = await reportSettingsBeforeAnyWork({
    root: deps.store,
    store,
    config: deps.config,
    run: { quarter, runId, requestedBy, dryRun },
    now: deps.now,
    logger: deps.logger,
  });
  const begun = await beginRunAttempt({
    records: deps.records,
    request: { quarter, runId, requestedBy, dryRun, now: deps.now(), stage: run.stage },
    context: how.context,
    owner: run.owner,
    logger: deps.logger,
  });
  if ('answer' in begun) return begun.answer;
  const handedOver = await how.beforeReading?.(begun.attempt, store);
  if (handedOver !== undefined) return handedOver;
  try {
    rendering.warmUp(); // the chart wasm compiles while the exports are read
    const result = await reportRun({
      store,
      config,
      quarter: run.quarter,
      quarterLabel: quarter,
      runId,
      requestedBy,
      dryRun,
      resend: run.resend,
      reader: how.reader,
      rendering,
      delivery: await deps.delivery(quarter, !dryRun, store),
      now: deps.now,
      onEvent: runLogLines(deps.logger),
      outcome: begun.attempt,
    });
    recordRunOutcome(result, {
      logger: deps.logger,
      metrics: deps.metrics,
      message: `${run.logName} finished`,
    });
    return { quarter, runId, status: result.status.status };
  } catch (error) {
    const answer = await how.onFailure?.(error);
    if (answer !== undefined) return answer;
    deps.logger.error(`${run.logName} failed`, error as Error);
    throw error;
  } finally {
    deps.metrics.publishStoredMetrics();
  }
}
