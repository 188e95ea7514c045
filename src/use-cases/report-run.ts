/**
 * One report run as the deployed job does it: compute the quarter, render and deliver the
 * email, and keep `reports/<quarter>/status.json` current (queued, running, succeeded,
 * partial, failed, or waiting-for-exports: see `await-exports.ts`) so the API can answer
 * "how did it go". A run whose recipients SES rejected for good ends `failed`
 * (`summariseDeliveries`).
 */
import * as z from 'zod';
import type { Config } from '../core/config';
import { reportKeys } from '../core/data-root';
import { ExportSetError, OpenQuarterError } from '../core/errors';
import type { ExportSetReader } from '../core/ingest/export-set-reader';
import type { ChartRasterizer, ExportStore, Mailer } from '../core/ports';
import type { Quarter } from '../core/quarter';
import type { EmailTemplates } from '../core/report/templates/email-templates';
import type { Snapshot } from '../core/snapshot';
import { type DeliverReportResult, deliverReport } from './deliver-report';
import type { DeliveryLedger } from './delivery-ledger';
import { summariseDeliveries } from './delivery-status';
import { runQuarter } from './run-quarter';

export const runStatusSchema = z.object({
  quarter: z.string(),
  runId: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'partial', 'failed', 'waiting-for-exports']),
  requestedBy: z.enum(['schedule', 'api', 'cli']),
  dryRun: z.boolean(),
  updatedAt: z.string(),
  /**
   * Recipients served, skipped as already served, not served (with why, and whether SES
   * rejected them for good), and those whose message may have been a second copy.
   */
  deliveries: z
    .object({
      sent: z.number().int(),
      alreadySent: z.number().int(),
      unserved: z.array(
        z.object({ recipient: z.string(), reason: z.string().optional(), permanent: z.boolean().optional() }),
      ),
      uncertain: z
        .array(
          z.object({
            recipient: z.string(),
            earlierRunId: z.string(),
            since: z.string(),
            reason: z.string(),
          }),
        )
        .default([]),
    })
    .optional(),
  /** A dry run's messages instead: written to its outbox folder, none sent. */
  outbox: z
    .object({
      written: z.number().int(),
      unwritten: z.array(z.object({ recipient: z.string(), reason: z.string().optional() })),
    })
    .optional(),
  error: z.string().optional(),
  /** A scheduled run whose export set was incomplete or invalid: what it waits for, until when. */
  waiting: z
    .object({
      since: z.string(),
      until: z.string(),
      /** The scheduled event's time, to start the same run again. */
      scheduledTime: z.string(),
      problems: z.array(z.string()),
      /** When operations were told; they are told once per wait. */
      notifiedAt: z.string().optional(),
    })
    .optional(),
});
export type RunStatus = z.infer<typeof runStatusSchema>;

export async function writeRunStatus(store: ExportStore, status: RunStatus): Promise<void> {
  await store.write(
    reportKeys.status(status.quarter),
    `${JSON.stringify(status, null, 2)}\n`,
    'application/json',
  );
}

export async function readRunStatus(store: ExportStore, quarter: string): Promise<RunStatus | undefined> {
  const text = await store.readText(reportKeys.status(quarter));
  if (text === undefined) return undefined;
  const parsed = runStatusSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

export interface ReportRunOptions {
  readonly store: ExportStore;
  readonly config: Config;
  readonly quarter: Quarter;
  readonly quarterLabel: string;
  readonly runId: string;
  readonly requestedBy: RunStatus['requestedBy'];
  /**
   * Compute and render, but send nothing: messages go to the outbox, and the status counts
   * them as written there. Give a `dryRunView` of the store, so nothing published changes.
   */
  readonly dryRun: boolean;
  readonly resend: boolean;
  readonly rendering: {
    readonly templates: EmailTemplates;
    readonly rasterizer: ChartRasterizer;
    /** Presigns "view online" links; absent unless deployed with `email.viewOnline`. */
    readonly reportLink?: ((key: string) => Promise<string>) | undefined;
  };
  /** The mailer, with a ledger for real sends (none for the outbox). */
  readonly delivery: { readonly mailer: Mailer; readonly ledger: DeliveryLedger | undefined };
  readonly now: () => Date;
  readonly onEvent?: ((line: string) => void) | undefined;
  /** How the export set is read; the distributed reducer reads interactions from partials. */
  readonly reader?: ExportSetReader | undefined;
  /** Told how the run ended, after status.json (the run's attempt record, `RunAttempt`). */
  readonly outcome?: { finish(status: RunStatus): Promise<void> } | undefined;
}

export interface ReportRunResult {
  readonly snapshot: Snapshot;
  readonly delivery: DeliverReportResult;
  readonly status: RunStatus;
}

/** Runs the quarter; rethrows failures after recording them, so retries and alarms see them. */
export async function reportRun(options: ReportRunOptions): Promise<ReportRunResult> {
  const { store, config, quarter, quarterLabel, runId, requestedBy, dryRun, now } = options;
  const base = { quarter: quarterLabel, runId, requestedBy, dryRun };
  await writeRunStatus(store, { ...base, status: 'running', updatedAt: now().toISOString() });
  let result: ReportRunResult;
  try {
    const { snapshot } = await runQuarter({ store, config, quarter, now: now(), reader: options.reader });
    const delivery = await deliverReport({
      store,
      config,
      snapshot,
      ...options.rendering,
      mailer: options.delivery.mailer,
      ledger: options.delivery.ledger,
      resend: options.resend,
      runId,
      now,
      onEvent: options.onEvent,
    });
    const written = delivery.outcomes.filter((outcome) => outcome.status === 'sent').length;
    const status: RunStatus = dryRun
      ? {
          ...base,
          status: delivery.unserved.length === 0 ? 'succeeded' : 'partial',
          updatedAt: now().toISOString(),
          outbox: {
            written,
            unwritten: delivery.unserved.map(({ recipient, reason }) => ({ recipient, reason })),
          },
        }
      : { ...base, ...summariseDeliveries(delivery), updatedAt: now().toISOString() };
    await writeRunStatus(store, status);
    result = { snapshot, delivery, status };
  } catch (error) {
    const message =
      error instanceof ExportSetError || error instanceof OpenQuarterError
        ? error.message
        : `unexpected failure: ${(error as Error).message}`;
    const failed: RunStatus = { ...base, status: 'failed', updatedAt: now().toISOString(), error: message };
    await writeRunStatus(store, failed);
    // Unrecorded, the attempt stays running under this owner, and a retry still takes it over.
    await options.outcome?.finish(failed).catch(() => undefined);
    throw error;
  }
  await options.outcome?.finish(result.status);
  return result;
}
