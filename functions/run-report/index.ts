/**
 * The report function: runs a quarter (KPIs, then the email through SES) when EventBridge
 * Scheduler fires each quarter, or when the API asks. A thin shell: parse the event with
 * zod, call the use case, log and count. Failures are rethrown so that Lambda's retries,
 * the dead-letter queue and the error alarm see them; a scheduled run whose export set is
 * not ready waits for it instead (`waitForExports`), which the upload validation ends.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { lazySfnRunLauncher } from '../../src/adapters/sfn/lazy-sfn-run-launcher';
import { lazySnsOpsNotifier } from '../../src/adapters/sns/lazy-sns-notifier';
import { createWorkerBytesReader } from '../../src/adapters/workers/worker-bytes-reader';
import { ExportSetError } from '../../src/core/errors';
import type { ExportStore, OpsNotifier, RunLauncher } from '../../src/core/ports';
import { formatQuarter, parseQuarter, type Quarter } from '../../src/core/quarter';
import { quarterLabelSchema } from '../../src/core/quarter-label';
import { DEFAULT_WAIT_FOR_EXPORTS_DAYS, waitForExports } from '../../src/use-cases/await-exports';
import { planRun } from '../../src/use-cases/distributed-run';
import { scheduledRun } from '../../src/use-cases/due-quarter';
import { writeRunStatus } from '../../src/use-cases/report-run';
import { type RunAttempt, RunRecords } from '../../src/use-cases/run-record';
import { lambdaSettings } from '../../src/wiring/lambda-environment';
import { lazyEmailWiring } from '../../src/wiring/lazy-email-wiring';
import { type RunHandlerDependencies, runAndRecord } from '../../src/wiring/run-and-record';
import type { InvocationContext, RunAnswer } from '../../src/wiring/run-attempt';

export const runEventSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('schedule'), scheduledTime: z.iso.datetime({ offset: true }) }),
  z.object({
    source: z.literal('api'),
    runId: z.string().min(1),
    quarter: quarterLabelSchema,
    dryRun: z.boolean().default(false),
    resend: z.boolean().default(false),
  }),
]);

export interface RunReportDependencies extends RunHandlerDependencies {
  /** Starts the distributed run (Step Functions) for quarters over `distributedAboveMiB`. */
  readonly distributed?: RunLauncher | undefined;
  /** Operations' topic: told once when a scheduled run waits for its exports. */
  readonly notifier?: OpsNotifier | undefined;
  /**
   * How long a scheduled run waits for a valid export set (the upload validation starts it).
   * @default DEFAULT_WAIT_FOR_EXPORTS_DAYS
   */
  readonly waitForExportsDays?: number;
}

/** A scheduled run reports on the quarter due at its scheduled time (`scheduledRun`). */
export function createRunReportHandler(deps: RunReportDependencies) {
  const records = new RunRecords(deps.store);
  return async (event: unknown, context?: InvocationContext): Promise<RunAnswer> => {
    const request = runEventSchema.parse(event);
    const { quarter, runId } =
      request.source === 'schedule'
        ? scheduledRun(deps.config, request.scheduledTime)
        : { quarter: parseQuarter(request.quarter) as Quarter, runId: request.runId };
    const label = formatQuarter(quarter);
    deps.logger.appendKeys({ runId, quarter: label });
    deps.logger.info('report run started', { source: request.source });
    const dryRun = request.source === 'api' && request.dryRun;
    const resend = request.source === 'api' && request.resend;
    const run = { quarter, quarterLabel: label, runId, requestedBy: request.source, dryRun, resend };
    return runAndRecord(
      { ...deps, records },
      { ...run, stage: 'run', logName: 'report run' },
      {
        reader: createWorkerBytesReader(),
        context,
        beforeReading: (attempt, store) => handOverIfLarge(deps, { ...run, store, attempt }),
        // A scheduled run waits for its data instead of failing: the upload validation starts it.
        onFailure: async (error) =>
          request.source === 'schedule' && error instanceof ExportSetError
            ? waitForTheExports(deps, { quarter: label, runId, scheduledTime: request.scheduledTime, error })
            : undefined,
      },
    );
  };
}

/** A quarter over `distributedAboveMiB` goes to the distributed run, which this attempt hands it to. */
async function handOverIfLarge(
  deps: RunReportDependencies,
  run: {
    readonly quarterLabel: string;
    readonly runId: string;
    readonly requestedBy: 'schedule' | 'api';
    readonly dryRun: boolean;
    readonly resend: boolean;
    readonly store: ExportStore;
    readonly attempt: RunAttempt;
  },
): Promise<RunAnswer | undefined> {
  if (!deps.distributed) return undefined;
  const { quarterLabel: quarter, runId, requestedBy, dryRun, resend } = run;
  const plan = await planRun({ store: deps.store, config: deps.config, quarter });
  deps.logger.info('read plan', { mode: plan.mode, reason: plan.reason, parts: plan.parts.length });
  if (plan.mode !== 'distributed') return undefined;
  await writeRunStatus(run.store, {
    quarter,
    runId,
    requestedBy,
    dryRun,
    status: 'running',
    updatedAt: deps.now().toISOString(),
  });
  await deps.distributed.start({ runId, quarter, dryRun, resend, requestedBy });
  await run.attempt.handOver(deps.now());
  return { quarter, runId, status: 'distributed' };
}

async function waitForTheExports(
  deps: RunReportDependencies,
  run: {
    readonly quarter: string;
    readonly runId: string;
    readonly scheduledTime: string;
    readonly error: ExportSetError;
  },
): Promise<RunAnswer> {
  const { quarter, runId } = run;
  const status = await waitForExports(
    { store: deps.store, notifier: deps.notifier },
    {
      quarter,
      runId,
      scheduledTime: run.scheduledTime,
      problems: run.error.problems,
      now: deps.now(),
      windowDays: deps.waitForExportsDays ?? DEFAULT_WAIT_FOR_EXPORTS_DAYS,
    },
  );
  deps.logger.warn('report run waits for its exports', {
    problems: run.error.problems.length,
    until: status.waiting?.until,
  });
  return { quarter, runId, status: status.status };
}

/**
 * Built once per cold start from the environment the CDK construct sets. The email side
 * (Handlebars, nodemailer, the SES client, the chart rasteriser) is imported on the first
 * run, not at start-up: the bundle keeps it in a chunk of its own that a cold start neither
 * reads nor compiles.
 */
function fromEnvironment(): (event: unknown, context?: InvocationContext) => Promise<unknown> {
  const settings = lambdaSettings(process.env);
  const email = lazyEmailWiring(settings, process.env);
  return createRunReportHandler({
    store: settings.store,
    config: settings.config,
    rendering: email.rendering,
    delivery: email.delivery,
    logger: new Logger(),
    metrics: new Metrics(),
    now: () => new Date(),
    notifier:
      settings.env.OPS_TOPIC_ARN === undefined
        ? undefined
        : lazySnsOpsNotifier({ region: settings.env.AWS_REGION, topicArn: settings.env.OPS_TOPIC_ARN }),
    waitForExportsDays: settings.env.WAIT_FOR_EXPORTS_DAYS,
    distributed:
      settings.env.STATE_MACHINE_ARN === undefined
        ? undefined
        : lazySfnRunLauncher({
            region: settings.env.AWS_REGION,
            stateMachineArn: settings.env.STATE_MACHINE_ARN,
          }),
  });
}

let cold: ((event: unknown, context?: InvocationContext) => Promise<unknown>) | undefined;
export const handler = (event: unknown, context?: InvocationContext): Promise<unknown> => {
  cold ??= fromEnvironment();
  return cold(event, context);
};
