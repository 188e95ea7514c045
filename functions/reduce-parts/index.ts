/**
 * The reduce step of the distributed mode: once the Distributed Map has written a partial
 * aggregate for every interactions part, the state machine calls this function to run the
 * quarter as the report function does (KPIs, report, mail, `status.json`), except that
 * interactions are merged from the partials instead of read again. A thin shell: parse the
 * execution input with zod, call the use case, log and count. Failures are rethrown so that
 * the state machine's retries, its failure path and the failed-execution alarm see them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import type { Config } from '../../src/core/config';
import type { ExportStore } from '../../src/core/ports';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import { quarterLabelSchema } from '../../src/core/quarter-label';
import { readerFromPartials } from '../../src/use-cases/distributed-run';
import { dryRunView } from '../../src/use-cases/dry-run-view';
import { reportRun, runStatusSchema } from '../../src/use-cases/report-run';
import { RunRecords } from '../../src/use-cases/run-record';
import type { EmailDelivery, EmailRendering } from '../../src/wiring/email-delivery';
import { lambdaSettings } from '../../src/wiring/lambda-environment';
import { lazyEmailWiring } from '../../src/wiring/lazy-email-wiring';
import { renderingBeforeAnyWork } from '../../src/wiring/rendering-before-work';
import { reportSettingsBeforeAnyWork } from '../../src/wiring/report-settings';
import { beginRunAttempt, type InvocationContext, type RunAnswer } from '../../src/wiring/run-attempt';
import { recordRunOutcome, runLogLines } from '../../src/wiring/run-outcome';

/** The state machine's execution input, as `SfnRunLauncher` starts it. */
export const reduceEventSchema = z.object({
  quarter: quarterLabelSchema,
  runId: z.string().min(1),
  requestedBy: runStatusSchema.shape.requestedBy.default('api'),
  dryRun: z.boolean().default(false),
  resend: z.boolean().default(false),
  /** The execution: owns the run's attempt, so the state machine's retries take it over. */
  executionId: z.string().min(1).optional(),
});

export { DeliveryIncompleteError } from '../../src/wiring/run-outcome';

export interface ReducePartsDependencies {
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

export function createReduceHandler(deps: ReducePartsDependencies) {
  const records = new RunRecords(deps.store);
  return async (event: unknown, context?: InvocationContext): Promise<RunAnswer> => {
    const request = reduceEventSchema.parse(event);
    const quarter = parseQuarter(request.quarter) as Quarter;
    const label = request.quarter;
    deps.logger.appendKeys({ runId: request.runId, quarter: label });
    deps.logger.info('distributed report run: reducing the partials', { requestedBy: request.requestedBy });
    const store = request.dryRun ? dryRunView(deps.store, label, request.runId) : deps.store;
    // The templates are proven before anything is read or written, the run's record included.
    const rendering = await renderingBeforeAnyWork({
      rendering: deps.rendering,
      store,
      run: { quarter: label, runId: request.runId, requestedBy: request.requestedBy, dryRun: request.dryRun },
      now: deps.now,
      logger: deps.logger,
    });
    // The data root's report settings (recipients, targets, bands), as the run function reads them.
    const config = await reportSettingsBeforeAnyWork({
      root: deps.store,
      store,
      config: deps.config,
      run: { quarter: label, runId: request.runId, requestedBy: request.requestedBy, dryRun: request.dryRun },
      now: deps.now,
      logger: deps.logger,
    });
    const begun = await beginRunAttempt({
      records,
      request: {
        quarter: label,
        runId: request.runId,
        requestedBy: request.requestedBy,
        dryRun: request.dryRun,
        now: deps.now(),
        stage: 'reduce',
      },
      context,
      owner: request.executionId,
      logger: deps.logger,
    });
    if ('answer' in begun) return begun.answer;
    try {
      const result = await reportRun({
        store,
        config,
        quarter,
        quarterLabel: label,
        runId: request.runId,
        requestedBy: request.requestedBy,
        dryRun: request.dryRun,
        resend: request.resend,
        rendering,
        delivery: await deps.delivery(label, !request.dryRun, store),
        now: deps.now,
        onEvent: runLogLines(deps.logger),
        reader: readerFromPartials({ runId: request.runId }),
        outcome: begun.attempt,
      });
      recordRunOutcome(result, {
        logger: deps.logger,
        metrics: deps.metrics,
        message: 'distributed report run finished',
      });
      return { quarter: label, runId: request.runId, status: result.status.status };
    } catch (error) {
      deps.logger.error('distributed report run failed', error as Error);
      throw error;
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

/**
 * Built once per cold start from the environment the CDK construct sets. The email side
 * (templates, MIME, SES, the chart rasteriser) is imported on first use, as in the report
 * function, so it costs the cold start nothing when bundled as a chunk of its own.
 */
function fromEnvironment(): (event: unknown, context?: InvocationContext) => Promise<unknown> {
  const settings = lambdaSettings(process.env);
  const email = lazyEmailWiring(settings, process.env);
  return createReduceHandler({
    store: settings.store,
    config: settings.config,
    rendering: email.rendering,
    delivery: email.delivery,
    logger: new Logger(),
    metrics: new Metrics(),
    now: () => new Date(),
  });
}

let cold: ((event: unknown, context?: InvocationContext) => Promise<unknown>) | undefined;
export const handler = (event: unknown, context?: InvocationContext): Promise<unknown> => {
  cold ??= fromEnvironment();
  return cold(event, context);
};
