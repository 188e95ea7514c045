/**
 * The configuration file (`kpi-report.json`): every setting has a default, so `{}` is a
 * valid configuration. Parsed once at start-up; a bad value fails with every problem
 * listed and the field named.
 */
import * as z from 'zod';
import { DEFAULT_MAX_ROW_BYTES } from './export-set/row-rules';
import { KPI_DEFINITIONS, KPI_IDS, type KpiId } from './kpi-ids';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const bandThresholds = (strong: number, moderate: number) =>
  z
    .strictObject({
      strong: z.number().default(strong),
      moderate: z.number().default(moderate),
    })
    .refine((band) => band.strong >= band.moderate, { message: 'strong must be at least moderate' })
    .default({ strong, moderate });

const channel = z.enum(['self_service', 'assisted']);

/** What a target of each unit may be: a percentage, an NPS, a count or an amount. */
const TARGET_RANGES: Record<KpiId, { min?: number; max?: number; hint: string }> = {
  clientIndependenceRate: { min: 0, max: 100, hint: 'a percentage from 0 to 100' },
  selfServiceAdoptionRate: { min: 0, max: 100, hint: 'a percentage from 0 to 100' },
  relationshipDepth: { min: 0, hint: 'services per client, 0 or more' },
  empowermentSatisfactionScore: { min: 0, max: 100, hint: 'a percentage from 0 to 100' },
  netPromoterScore: { min: -100, max: 100, hint: 'a score from -100 to 100' },
  customerRetentionRate: { min: 0, max: 100, hint: 'a percentage from 0 to 100' },
  costToSupportPerClient: { hint: 'an amount per client in the configured currency' },
};

/**
 * A target for one KPI, in its unit (`{ "value": 60 }` is 60% for a rate), and which side of
 * it is good: by default the KPI's own (higher, but lower for Cost to Support).
 */
function targetSchema(id: KpiId) {
  const range = TARGET_RANGES[id];
  return z.strictObject({
    value: z
      .number()
      .refine(
        (value) =>
          (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max),
        {
          message: `the target is ${range.hint}`,
        },
      ),
    direction: z
      .enum(['higher', 'lower'], {
        message: 'write "higher" or "lower": the side of the target that is good',
      })
      .default(KPI_DEFINITIONS[id].higherIsBetter ? 'higher' : 'lower'),
  });
}

const targets = z.strictObject(
  Object.fromEntries(KPI_IDS.map((id) => [id, targetSchema(id).optional()])) as {
    [K in KpiId]: z.ZodOptional<ReturnType<typeof targetSchema>>;
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${issue.keys.join(', ')}: not a KPI id; use one of ${KPI_IDS.join(', ')}`
        : undefined,
  },
);

/** One segment a recipient is limited to, e.g. `{ "dimension": "region", "value": "EMEA" }`. */
const recipientSegment = z.strictObject({
  dimension: z
    .string()
    .trim()
    .min(1)
    .transform((name) => name.toLowerCase()),
  value: z.string().min(1),
});

const recipient = z.strictObject({
  /** Where the report goes; each recipient gets a message built for them. */
  address: z.email({ message: 'not an email address; write it like "cfo@example.com"' }),
  /** Optional display name, used in the greeting and the To header. */
  name: z.string().trim().min(1).optional(),
  /**
   * Limits the recipient to these segments: their message shows each segment's KPIs instead
   * of the company's, and their CSV holds only those segments. Omit for the whole company.
   */
  segments: z.array(recipientSegment).min(1).optional(),
});
export type Recipient = z.output<typeof recipient>;

const emailSettings = z.strictObject({
  /** The sender, an SES-verified identity when sending: `"KPI report <kpi@example.com>"`. */
  from: z.string().trim().min(3).default('KPI report <kpi-report@example.com>'),
  /** Where replies go; omit to reply to the sender. */
  replyTo: z.string().trim().min(3).optional(),
  recipients: z
    .array(recipient)
    .default([])
    .refine((list) => new Set(list.map((entry) => entry.address.toLowerCase())).size === list.length, {
      message: 'an address is listed twice; list each recipient once (give them several segments instead)',
    }),
  /** Send through SES on `run` (as `--send` does). Otherwise messages go to the report folder. */
  send: z.boolean().default(false),
  /**
   * A KPI that fell by more than this since last quarter is a risk: points for the percent
   * KPIs and NPS, percent change for depth and cost (a rise, for cost).
   */
  riskDropPoints: z.number().positive().default(5),
  /** A folder of templates overriding the built-in ones file by file (same names). */
  templateDir: z.string().trim().min(1).optional(),
  /**
   * The report owner's address: messages carry `List-Unsubscribe: <mailto:…>` to it and say
   * whom to write to stop receiving the report. Omit for neither.
   */
  unsubscribeAddress: z
    .email({ message: 'not an email address; write the report owner’s, like "kpi-owner@example.com"' })
    .optional(),
  /**
   * Deployed only: each message links to its own copy online (a self-contained HTML page in
   * the data bucket, behind a presigned link that lasts at most 7 days).
   */
  viewOnline: z.boolean().default(false),
  ses: z
    .strictObject({
      /** SES region; defaults to the AWS region of the environment. */
      region: z.string().trim().min(1).optional(),
      /** SES configuration set for delivery, bounce and complaint events. */
      configurationSetName: z.string().trim().min(1).optional(),
    })
    .default({}),
});
export type EmailSettings = z.output<typeof emailSettings>;

export const configSchema = z.strictObject({
  /** The JSON Schema the file follows (`kpi-report.schema.json`), for editors; not a setting. */
  $schema: z.string().optional(),
  /** Shown in the report and the email subject. */
  companyName: z.string().trim().min(1).default('Your company'),
  /** ISO 4217 code used to present Cost to Support. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'use a three-letter ISO 4217 code such as "USD" or "EUR"')
    .default('USD'),
  /** IANA time zone deciding quarter membership of date-times (and of "today"). */
  timeZone: z
    .string()
    .refine(isTimeZone, { message: 'not an IANA time zone; use a name such as "UTC" or "Europe/Paris"' })
    .default('UTC'),
  /** Month (1-12) in which the fiscal year starts; 1 means calendar quarters. */
  fiscalYearStartMonth: z.number().int().min(1).max(12).default(1),
  /** Self-service share (0-1, inclusive) at which a served client counts as independent. */
  independenceThreshold: z.number().gt(0).max(1).default(0.8),
  /** A KPI resting on fewer observations than this is flagged as low-sample. */
  minimumSample: z.number().int().min(1).default(30),
  /** A run fails when a dataset's rejected rows exceed this share, in percent. */
  rejectLimitPercent: z.number().min(0).max(100).default(1),
  /**
   * The longest row read, in bytes (1 MiB by default): a longer one, almost always a quote
   * opened by mistake, fails its dataset at the line where it starts (export-set/row-rules.ts).
   */
  maxRowBytes: z.number().int().positive().default(DEFAULT_MAX_ROW_BYTES),
  /**
   * A run fails when fewer than this share (percent) of an event dataset's dated rows fall
   * in the quarter: the exports of another quarter, or a wrong fiscal year or time zone.
   */
  minRowsInPeriodPercent: z.number().min(0).max(100).default(50),
  /** Client columns to segment by, on top of product, size, industry and region. */
  segmentColumns: z
    .array(
      z
        .string()
        .trim()
        .min(1)
        .transform((name) => name.toLowerCase()),
    )
    .default([]),
  /** Extra channel labels mapped onto the two contract channels, e.g. { "portal": "self_service" }. */
  channelLabels: z
    .record(
      z
        .string()
        .trim()
        .min(1)
        .transform((label) => label.toLowerCase()),
      channel,
    )
    .default({}),
  /** Band thresholds per KPI; a value at or above `strong` is strong, at or above `moderate` moderate. */
  bands: z
    .strictObject({
      clientIndependenceRate: bandThresholds(80, 60),
      selfServiceAdoptionRate: bandThresholds(70, 50),
      relationshipDepth: bandThresholds(80, 60),
      empowermentSatisfactionScore: bandThresholds(80, 70),
      netPromoterScore: bandThresholds(50, 0),
      customerRetentionRate: bandThresholds(90, 80),
      /** Lower is better: at or below `strong` is strong, at or below `moderate` moderate. No default. */
      costToSupportPerClient: z
        .strictObject({ strong: z.number(), moderate: z.number() })
        .refine((band) => band.strong <= band.moderate, {
          message: 'lower is better for cost: strong must be at most moderate',
        })
        .optional(),
    })
    .default({
      clientIndependenceRate: { strong: 80, moderate: 60 },
      selfServiceAdoptionRate: { strong: 70, moderate: 50 },
      relationshipDepth: { strong: 80, moderate: 60 },
      empowermentSatisfactionScore: { strong: 80, moderate: 70 },
      netPromoterScore: { strong: 50, moderate: 0 },
      customerRetentionRate: { strong: 90, moderate: 80 },
    }),
  /** Targets per KPI, shown in the email beside the value and band; none by default. */
  targets: targets.default({}),
  /**
   * Deployed only: a quarter whose interactions exports exceed this many MiB (as stored,
   * compressed or not) is read by a Step Functions Distributed Map over its parts
   * instead of in the report function alone.
   */
  distributedAboveMiB: z.number().positive().default(1024),
  /** The quarterly email: sender, recipients, sending and risk settings. */
  email: emailSettings.default({
    from: 'KPI report <kpi-report@example.com>',
    recipients: [],
    send: false,
    riskDropPoints: 5,
    viewOnline: false,
    ses: {},
  }),
});

export type Config = z.output<typeof configSchema>;

/** Parses a configuration object; throws `ConfigError` listing every bad field. */
export function parseConfig(input: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    return `  - ${field}: ${issue.message}`;
  });
  throw new ConfigError(`${source} is not valid:\n${problems.join('\n')}`);
}

/** Parses the text of a JSON configuration file. */
export function parseConfigText(text: string, source: string): Config {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseConfig(json, source);
}

export const defaultConfig: Config = parseConfig({});
