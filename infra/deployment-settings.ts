/**
 * The deployment settings, from CDK context (`-c senderEmail=… -c alarmEmail=…`) over a JSON
 * file named by the context `configFile` (same field names, plus `configuration`: the
 * kpi-report configuration). Both are checked with zod; a bad value fails the synth with
 * every problem listed. Nothing set at all still synthesises, with placeholders and a
 * warning for each, so `cdk synth` works on a fresh checkout.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Node } from 'constructs';
import * as z from 'zod';
import {
  DeploymentSettingsError,
  type KpiReportConfiguration,
  type ReportRecipient,
} from './deployed-configuration';
import type { QuarterlyKpiReportsProps } from './quarterly-kpi-reports';

/** The sender used when none is set: synth works, but SES would never verify it. */
export const PLACEHOLDER_SENDER = 'reports@example.com';

const text = z.string().trim().min(1);
const address = z.email({ message: 'not an email address' });

const settingsSchema = z.strictObject({
  stackName: text.optional(),
  senderEmail: address.optional(),
  senderDomain: text.optional(),
  senderName: text.optional(),
  recipients: z.array(z.looseObject({ address: z.string() })).optional(),
  configuration: z.record(z.string(), z.unknown()).optional(),
  timeZone: text.optional(),
  scheduleExpression: text.optional(),
  existingBucketName: text.optional(),
  dataPrefix: z.string().optional(),
  alarmEmail: address.optional(),
  opsEmail: address.optional(),
  // From -c a string, from the file a number.
  distributedMaxConcurrency: z.coerce
    .number()
    .int('a whole number of parts')
    .min(1, 'at least 1')
    .max(10_000, 'at most 10000 (the Distributed Map limit)')
    .optional(),
  waitForExportsDays: z.coerce.number().int('a whole number of days').min(1, 'at least 1').optional(),
  reportDueDays: z.coerce.number().int('a whole number of days').min(1, 'at least 1').optional(),
  runLeftoverDays: z.coerce.number().int('a whole number of days').min(1, 'at least 1').optional(),
});

type SettingName = keyof z.input<typeof settingsSchema>;
const CONTEXT_KEYS: readonly SettingName[] = [
  'stackName',
  'senderEmail',
  'senderDomain',
  'senderName',
  'recipients',
  'timeZone',
  'scheduleExpression',
  'existingBucketName',
  'dataPrefix',
  'alarmEmail',
  'opsEmail',
  'distributedMaxConcurrency',
  'waitForExportsDays',
  'reportDueDays',
  'runLeftoverDays',
];

export interface DeploymentSettings {
  /** The stack's name. @default 'KpiReport' */
  readonly stackName: string;
  readonly props: QuarterlyKpiReportsProps;
  /** What was left unset and replaced by a placeholder, one sentence each. */
  readonly warnings: string[];
}

/**
 * Reads the settings from `node`'s context. `cwd` resolves a relative `configFile`.
 * Throws `DeploymentSettingsError` naming every bad field.
 */
export function readDeploymentSettings(node: Node, cwd = process.cwd()): DeploymentSettings {
  const configFile = node.tryGetContext('configFile') as unknown;
  const fromFile =
    typeof configFile === 'string' && configFile !== '' ? readSettingsFile(configFile, cwd) : {};
  const fromContext: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = node.tryGetContext(key) as unknown;
    if (value !== undefined && value !== '')
      fromContext[key] = key === 'recipients' ? recipientList(value) : value;
  }
  const source = typeof configFile === 'string' ? `context and ${configFile}` : 'context';
  const parsed = settingsSchema.safeParse({ ...fromFile, ...fromContext });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`,
    );
    throw new DeploymentSettingsError(
      `the deployment settings (${source}) are not valid:\n${problems.join('\n')}`,
    );
  }
  const { stackName, ...settings } = parsed.data;
  const warnings: string[] = [];
  let senderEmail = settings.senderEmail;
  if (senderEmail === undefined && settings.senderDomain === undefined) {
    senderEmail = PLACEHOLDER_SENDER;
    warnings.push(
      `No sender set: using the placeholder ${PLACEHOLDER_SENDER}, which SES will never verify. Set -c senderEmail=… or -c senderDomain=… (or "senderEmail" in a -c configFile=… JSON file) before deploying.`,
    );
  }
  return {
    stackName: stackName ?? 'KpiReport',
    props: {
      ...settings,
      senderEmail,
      // Checked in full (segments, duplicates) by the construct with the kpi-report schema.
      recipients: settings.recipients as ReportRecipient[] | undefined,
      configuration: settings.configuration as KpiReportConfiguration | undefined,
    },
    warnings,
  };
}

function readSettingsFile(file: string, cwd: string): Record<string, unknown> {
  const full = path.resolve(cwd, file);
  let textContent: string;
  try {
    textContent = readFileSync(full, 'utf8');
  } catch (error) {
    throw new DeploymentSettingsError(`configFile ${full} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const json: unknown = JSON.parse(textContent);
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new Error('not a JSON object');
    return json as Record<string, unknown>;
  } catch (error) {
    throw new DeploymentSettingsError(
      `configFile ${full} is not a JSON object: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * `-c recipients=…` is a string: a JSON array of recipients, or addresses separated by
 * commas (`cfo@example.com,ceo@example.com`).
 */
function recipientList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch (error) {
      throw new DeploymentSettingsError(`recipients is not a JSON array: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return trimmed
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => ({ address: entry }));
}
