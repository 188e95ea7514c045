/**
 * What `--json` prints: one JSON document on stdout per command (`run`, `validate`,
 * `backfill`), or a failure document when the command stops with an error. The schemas
 * are the contract for scripts reading them; every document is checked against its schema
 * before it is printed, so the output cannot drift from what is documented here.
 */
import * as z from 'zod';
import { DATASET_NAMES, type DatasetName } from '../core/export-set/contract';
import { KPI_IDS, type KpiId } from '../core/kpi-ids';
import { bandSchema, datasetQualitySchema } from '../core/snapshot';

/** Shared by every document: the outcome, and the configuration file used (null: the defaults). */
const documentBase = {
  ok: z.boolean(),
  exitCode: z.number().int().min(0).max(4),
  config: z.string().nullable(),
};

const countSchema = z.number().int().nonnegative();

export const datasetRejectionsSchema = z.object({
  /** Rejected rows per reason, the rejected value replaced by `…`; most rows first. */
  byReason: z.array(z.object({ reason: z.string(), rows: countSchema })),
  /** Rejected rows per field and distinct value (an excerpt of about 80 characters); most rows first, at most 100. */
  byValue: z.array(z.object({ field: z.string(), value: z.string(), rows: countSchema })),
  /** How many distinct (field, value) pairs there were in all, when more than byValue lists. */
  distinctValues: countSchema,
  /** Rows past the tally's limit of distinct reasons or values, counted in neither list. */
  untallied: countSchema,
});

/** A dataset's data-quality account (as kpis.json has it) and its rejections counted. */
const datasetReportSchema = datasetQualitySchema.extend({ rejections: datasetRejectionsSchema });

const periodSchema = z.object({
  start: z.string(),
  end: z.string(),
  timeZone: z.string(),
  fiscalYearStartMonth: z.number().int().min(1).max(12),
});

export const validateDocumentSchema = z.object({
  command: z.literal('validate'),
  ...documentBase,
  quarter: z.string(),
  period: periodSchema,
  /** Everything a run would refuse; empty when `ok`. */
  problems: z.array(z.string()),
  /** True when the only problems are required datasets not uploaded yet. */
  incomplete: z.boolean(),
  warnings: z.array(z.string()),
  activeClients: countSchema,
  datasets: z.object(
    Object.fromEntries(DATASET_NAMES.map((name) => [name, datasetReportSchema])) as Record<
      DatasetName,
      typeof datasetReportSchema
    >,
  ),
  /** The `--rejects` file and the rows written to it; null without `--rejects`. */
  rejectsFile: z.object({ path: z.string(), rows: countSchema }).nullable(),
});
export type ValidateDocument = z.infer<typeof validateDocumentSchema>;

const recipientOutcomeSchema = z.object({
  address: z.string(),
  /** `written`: the message is a file in the outbox; the others are the delivery ledger's. */
  status: z.enum(['written', 'sent', 'already-sent', 'in-progress-elsewhere', 'failed']),
  /** The outbox file (`written`). */
  location: z.string().optional(),
  /** The SES message id. */
  messageId: z.string().optional(),
  reason: z.string().optional(),
  /** For a failure: whether retrying cannot help. */
  permanent: z.boolean().optional(),
  /** Why this send may have been the recipient's second copy. */
  uncertain: z.string().optional(),
});
export type RecipientOutcome = z.infer<typeof recipientOutcomeSchema>;

const kpiValueSchema = z.object({ value: z.number().nullable(), band: bandSchema.nullable() });

export const runDocumentSchema = z.object({
  command: z.literal('run'),
  ...documentBase,
  quarter: z.string(),
  /** Where kpis.json was written. */
  snapshot: z.string(),
  /** Each KPI's value (null when it cannot be computed) and band. */
  kpis: z.object(
    Object.fromEntries(KPI_IDS.map((id) => [id, kpiValueSchema])) as Record<KpiId, typeof kpiValueSchema>,
  ),
  warnings: z.array(z.string()),
  report: z.object({ html: z.string(), text: z.string(), csv: z.string() }),
  delivery: z.object({
    via: z.enum(['outbox', 'ses']),
    recipients: z.array(recipientOutcomeSchema),
  }),
});
export type RunDocument = z.infer<typeof runDocumentSchema>;

export const backfillDocumentSchema = z.object({
  command: z.literal('backfill'),
  ...documentBase,
  quarters: z.array(
    z.object({
      quarter: z.string(),
      status: z.enum(['written', 'failed', 'skipped']),
      /** Where kpis.json was written (`written` only). */
      snapshot: z.string().optional(),
      /** Why the quarter failed or was skipped. */
      message: z.string().optional(),
    }),
  ),
  /** Folders under exports/ that look like a quarter but are not named like one. */
  ignoredFolders: z.array(z.object({ folder: z.string(), reason: z.string() })),
});
export type BackfillDocument = z.infer<typeof backfillDocumentSchema>;

/** A command that stopped with an error: the exit code says which kind (see the README). */
export const failureDocumentSchema = z.object({
  command: z.enum(['run', 'validate', 'backfill']),
  ok: z.literal(false),
  exitCode: z.number().int().min(1).max(4),
  config: z.string().nullable(),
  error: z.object({
    kind: z.enum(['export-set', 'usage', 'open-quarter', 'configuration', 'unexpected']),
    message: z.string(),
  }),
  /** For an export set that cannot be reported on: where its findings were written. */
  validation: z.string().optional(),
});
export type FailureDocument = z.infer<typeof failureDocumentSchema>;

/** The document as one line of stdout, after checking it against its schema. */
export function jsonLine<T>(schema: z.ZodType<T>, document: T): string {
  return `${JSON.stringify(schema.parse(document))}\n`;
}
