/**
 * The reduce step of the distributed run: once every interactions part is measured and every
 * hash range checked for repeats, the state machine calls this function to run the quarter as
 * the report function does (KPIs, report, mail, `status.json`), except that interactions are
 * added up from the parts' tallies and the ranges' repeats instead of read again. A thin
 * shell: parse the execution input with zod, call the use case, log and count. Failures are
 * rethrown so that the state machine's retries, its failure path and the failed-execution
 * alarm see them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import { quarterLabelSchema } from '../../src/core/quarter-label';
import { readerFromPartials } from '../../src/use-cases/distributed-run';
import { runStatusSchema } from '../../src/use-cases/report-run';
import { RunRecords } from '../../src/use-cases/run-record';
import { lambdaSettings } from '../../src/wiring/lambda-environment';
import { lazyEmailWiring } from '../../src/wiring/lazy-email-wiring';
import { type RunHandlerDependencies, runAndRecord } from '../../src/wiring/run-and-record';
import type { InvocationContext, RunAnswer } from '../../src/wiring/run-attempt';
import { shuffleIn } from '../../src/wiring/shuffle';

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

export type ReducePartsDependencies = RunHandlerDependencies;

export function createReduceHandler(deps: ReducePartsDependencies) {
  const records = new RunRecords(deps.store);
  return async (event: unknown, context?: InvocationContext): Promise<RunAnswer> => {
    const request = reduceEventSchema.parse(event);
    const { runId, requestedBy, dryRun, resend } = request;
    deps.logger.appendKeys({ runId, quarter: request.quarter });
    deps.logger.info('distributed report run: reducing the partials', { requestedBy });
    const quarter = parseQuarter(request.quarter) as Quarter;
    const run = { quarter, quarterLabel: request.quarter, runId, requestedBy, dryRun, resend };
    return runAndRecord(
      { ...deps, records },
      { ...run, stage: 'reduce', owner: request.executionId, logName: 'distributed report run' },
      { reader: readerFromPartials({ runId, shuffle: shuffleIn(deps.store) }), context },
    );
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
