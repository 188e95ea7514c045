/**
 * `reports/<quarter>/kpis.json`: the machine-readable result of a run (kpis.md), the input
 * of later quarters' trends, and what tests compare. Values are at full precision.
 */
import * as z from 'zod';
import { DATASET_NAMES } from './export-set/contract';
import { KPI_IDS } from './kpi-ids';
import { QUARTER_LABEL } from './quarter';

export const SNAPSHOT_SCHEMA_VERSION = 1;

const nullableNumber = z.number().nullable();

export const bandSchema = z.enum(['strong', 'moderate', 'weak']);
export type Band = z.infer<typeof bandSchema>;

export const trendPointSchema = z.object({ quarter: z.string(), value: nullableNumber });

/** A 95% interval in the KPI's unit (core/kpis/intervals.ts). */
export const intervalSchema = z.object({ low: z.number(), high: z.number() });

/** A configured target: the value, and which side of it is good. */
export const targetSchema = z.object({ value: z.number(), direction: z.enum(['higher', 'lower']) });
export type Target = z.infer<typeof targetSchema>;

export const kpiResultSchema = z.object({
  value: nullableNumber,
  unit: z.enum(['percent', 'servicesPerClient', 'score', 'currencyPerClient']),
  numerator: z.number(),
  denominator: z.number(),
  band: bandSchema.nullable(),
  lowSample: z.boolean(),
  /**
   * The value's 95% interval; `null` without a value or with under two observations.
   * Optional: snapshots written before intervals existed have none.
   */
  interval: intervalSchema.nullable().optional(),
  previous: nullableNumber,
  deltaQoQ: nullableNumber,
  /** Whether `deltaQoQ` is larger than the noise of both quarters; `null` when not judged. */
  deltaQoQOutsideNoise: z.boolean().nullable().optional(),
  yearAgo: nullableNumber,
  deltaYoY: nullableNumber,
  deltaYoYOutsideNoise: z.boolean().nullable().optional(),
  /** Cost to Support only: the deltas as a relative change, in percent. */
  deltaQoQPercent: nullableNumber.optional(),
  deltaYoYPercent: nullableNumber.optional(),
  /** Relationship depth only: the value as a percentage of the service catalog. */
  shareOfCatalog: nullableNumber.optional(),
  trend: z.array(trendPointSchema),
});
export type KpiResult = z.infer<typeof kpiResultSchema>;

const kpiResults = z.object(
  Object.fromEntries(KPI_IDS.map((id) => [id, kpiResultSchema])) as {
    [K in (typeof KPI_IDS)[number]]: typeof kpiResultSchema;
  },
);
export type KpiResults = z.infer<typeof kpiResults>;

/**
 * A record keyed by text from the data (segment values), parsed into an object without a
 * prototype: zod's `z.record` drops a key named `__proto__`, and on a plain object
 * `constructor` or `toString` would find Object's own members. Every key is kept as it is.
 */
export function keyedRecord<T extends z.ZodType>(value: T) {
  return z
    .custom<Record<string, unknown>>(
      (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
      {
        message: 'expected an object',
      },
    )
    .transform((input, ctx) => {
      const record: Record<string, z.output<T>> = Object.create(null);
      for (const [key, item] of Object.entries(input)) {
        const parsed = value.safeParse(item);
        if (parsed.success) record[key] = parsed.data;
        else {
          for (const issue of parsed.error.issues) {
            ctx.addIssue({ code: 'custom', message: issue.message, path: [key, ...issue.path] });
          }
        }
      }
      return record;
    });
}

const rejectedRowSchema = z.object({ file: z.string(), line: z.number().int(), reason: z.string() });

/** A dataset's data-quality account, as kpis.json and `validate --json` give it. */
export const datasetQualitySchema = z.object({
  present: z.boolean(),
  rows: z.number().int(),
  rejected: z.number().int(),
  examples: z.array(rejectedRowSchema),
  files: z.array(
    z.object({
      file: z.string(),
      bytes: z.number().int(),
      sha256: z.string(),
      rows: z.number().int(),
      etag: z.string().optional(),
      versionId: z.string().optional(),
    }),
  ),
  /** Event datasets: dated rows against the quarter (export-set/dated-rows.ts). */
  dated: z
    .object({
      rows: z.number().int(),
      inPeriod: z.number().int(),
      first: z.string().nullable(),
      last: z.string().nullable(),
    })
    .optional(),
});

export const snapshotSchema = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  quarter: z.string().regex(QUARTER_LABEL),
  period: z.object({ start: z.string(), end: z.string(), timeZone: z.string() }),
  generatedAt: z.string(),
  companyName: z.string(),
  currency: z.string(),
  settings: z.object({
    independenceThreshold: z.number(),
    minimumSample: z.number(),
    rejectLimitPercent: z.number(),
    fiscalYearStartMonth: z.number(),
  }),
  catalogSize: z.number().int(),
  /** The configured targets, by KPI; optional: older snapshots have none. */
  targets: z
    .object(
      Object.fromEntries(KPI_IDS.map((id) => [id, targetSchema.optional()])) as {
        [K in (typeof KPI_IDS)[number]]: z.ZodOptional<typeof targetSchema>;
      },
    )
    .optional(),
  kpis: kpiResults,
  segments: keyedRecord(keyedRecord(kpiResults)),
  dataQuality: z.object(
    Object.fromEntries(DATASET_NAMES.map((name) => [name, datasetQualitySchema])) as {
      [K in (typeof DATASET_NAMES)[number]]: typeof datasetQualitySchema;
    },
  ),
  warnings: z.array(z.string()),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/**
 * What a later quarter needs from an earlier snapshot: the values, and their intervals when
 * the snapshot has them. Lenient, so that snapshots written by earlier or later minor
 * versions (missing or extra fields) still feed trends.
 */
const priorKpis = z.record(
  z.string(),
  z.looseObject({ value: nullableNumber, interval: intervalSchema.nullable().optional() }),
);
export const priorSnapshotSchema = z.looseObject({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  quarter: z.string(),
  kpis: priorKpis,
  segments: keyedRecord(keyedRecord(priorKpis)),
});
export type PriorSnapshot = z.infer<typeof priorSnapshotSchema>;
