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
import { createFastReader } from '../../src/adapters/workers/fast-reader';
import type { Config } from '../../src/core/config';
import { dayInZone } from '../../src/core/dates';
import { ExportSetError } from '../../src/core/errors';
import type { ExportStore, OpsNotifier, RunLauncher } from '../../src/core/ports';
import { formatQuarter, lastCompletedQuarter, parseQuarter, type Quarter } from '../../src/core/quarter';
import { quarterLabelSchema } from '../../src/core/quarter-label';
import { DEFAULT_WAIT_FOR_EXPORTS_DAYS, waitForExports } from '../../src/use-cases/await-exports';
import { planRun } from '../../src/use-cases/distributed-run';
import { dryRunView } from '../../src/use-cases/dry-run-view';
import { reportRun, writeRunStatus } from '../../src/use-cases/report-run';
import { RunRecords } from '../../src/use-cases/run-record';
import type { EmailDelivery, EmailRendering } from '../../src/wiring/email-delivery';
import { lambdaSettings } from '../../src/wiring/lambda-environment';
import { lazyEmailWiring } from '../../src/wiring/lazy-email-wiring';
import { renderingBeforeAnyWork } from '../../src/wiring/rendering-before-work';
import { reportSettingsBeforeAnyWork } from '../../src/wiring/report-settings';
import { beginRunAttempt, type InvocationContext, type RunAnswer } from '../../src/wiring/run-attempt';
import { recordRunOutcome, runLogLines } from '../../src/wiring/run-outcome';

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

export interface RunReportDependencies {
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

/**
 * The quarter a schedule run reports on is derived from the *scheduled* time, not the
 * clock, so a late or repeated delivery of the same event names the same quarter and run
 * id: the run's record answers the repeat without reading the exports (`run-record.ts`).
 */
export function createRunReportHandler(deps: RunReportDependencies) {
  const records = new RunRecords(deps.store);
  return async (event: unknown, context?: InvocationContext): Promise<RunAnswer> => {
    const request = runEventSchema.parse(event);
    // The deployed configuration decides the quarter; the data root's report settings apply below.
    let { config } = deps;
    let quarter: Quarter;
    let runId: string;
    if (request.source === 'schedule') {
      const day = dayInZone(config.timeZone)(Date.parse(request.scheduledTime));
      quarter = lastCompletedQuarter(day, config.fiscalYearStartMonth);
      runId = `schedule-${request.scheduledTime}`;
    } else {
      quarter = parseQuarter(request.quarter) as Quarter;
      runId = request.runId;
    }
    const label = formatQuarter(quarter);
    deps.logger.appendKeys({ runId, quarter: label });
    deps.logger.info('report run started', { source: request.source });
    const dryRun = request.source === 'api' && request.dryRun;
    const resend = request.source === 'api' && request.resend;
    // A dry run reads and writes the quarter's report folder in its own folder instead.
    const store = dryRun ? dryRunView(deps.store, label, runId) : deps.store;
    // The templates are proven before anything is read or written, the run's record included.
    const rendering = await renderingBeforeAnyWork({
      rendering: deps.rendering,
      store,
      run: { quarter: label, runId, requestedBy: request.source, dryRun },
      now: deps.now,
      logger: deps.logger,
    });
    config = await reportSettingsBeforeAnyWork({
      root: deps.store,
      store,
      config,
      run: { quarter: label, runId, requestedBy: request.source, dryRun },
      now: deps.now,
      logger: deps.logger,
    });
    const begun = await beginRunAttempt({
      records,
      request: { quarter: label, runId, requestedBy: request.source, dryRun, now: deps.now(), stage: 'run' },
      context,
      logger: deps.logger,
    });
    if ('answer' in begun) return begun.answer;
    const { attempt } = begun;
    if (deps.distributed) {
      const plan = await planRun({ store: deps.store, config, quarter: label });
      deps.logger.info('read plan', { mode: plan.mode, reason: plan.reason, parts: plan.parts.length });
      if (plan.mode === 'distributed') {
        await writeRunStatus(store, {
          quarter: label,
          runId,
          requestedBy: request.source,
          dryRun,
          status: 'running',
          updatedAt: deps.now().toISOString(),
        });
        await deps.distributed.start({ runId, quarter: label, dryRun, resend, requestedBy: request.source });
        await attempt.handOver(deps.now());
        return { quarter: label, runId, status: 'distributed' };
      }
    }
    try {
      rendering.warmUp(); // the chart wasm compiles while the exports are read
      const result = await reportRun({
        store,
        config,
        quarter,
        quarterLabel: label,
        runId,
        requestedBy: request.source,
        dryRun,
        resend,
        reader: createFastReader(),
        rendering,
        delivery: await deps.delivery(label, !dryRun, store),
        now: deps.now,
        onEvent: runLogLines(deps.logger),
        outcome: attempt,
      });
      recordRunOutcome(result, {
        logger: deps.logger,
        metrics: deps.metrics,
        message: 'report run finished',
      });
      return { quarter: label, runId, status: result.status.status };
    } catch (error) {
      // A scheduled run waits for its data instead of failing: the upload validation starts it.
      if (request.source === 'schedule' && error instanceof ExportSetError) {
        const status = await waitForExports(
          { store: deps.store, notifier: deps.notifier },
          {
            quarter: label,
            runId,
            scheduledTime: request.scheduledTime,
            problems: error.problems,
            now: deps.now(),
            windowDays: deps.waitForExportsDays ?? DEFAULT_WAIT_FOR_EXPORTS_DAYS,
          },
        );
        deps.logger.warn('report run waits for its exports', {
          problems: error.problems.length,
          until: status.waiting?.until,
        });
        return { quarter: label, runId, status: status.status };
      }
      deps.logger.error('report run failed', error as Error);
      throw error;
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
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
