/**
 * The report settings a deployed run reads from its data root at start, so that changing
 * who gets the report (or the targets and bands) needs no deploy and has no size limit:
 * `config/kpi-report.json`, in the shape of `kpi-report.json` but holding only
 * `email.recipients`, `targets` and `bands` (and an optional `$schema`). Each field given
 * replaces the deployed one whole; an absent object leaves the deployed configuration as
 * it is. The object is checked with the configuration's own schema, every problem listed;
 * an invalid one stops the run before any work with a failed status that names the object,
 * the field and the fix.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { type Config, ConfigError, configSchema } from '../core/config';
import type { ExportStore } from '../core/ports';
import { type RunIdentity, recordFailedBeforeWork } from './failed-before-work';
import { REPORT_SETTINGS_KEY } from './report-settings-key';

export { REPORT_SETTINGS_KEY };

/** The fields the object may hold; everything else is set at deploy time. */
const settingsFields = z.strictObject({
  $schema: z.string().optional(),
  targets: z.unknown().optional(),
  bands: z.unknown().optional(),
  email: z.strictObject({ recipients: z.unknown().optional() }).optional(),
});
type SettingsFields = z.output<typeof settingsFields>;

/**
 * `config` with the fields `text` (the object's contents) gives. Throws `ConfigError`
 * listing every problem, each with its field, under `source` (the object's location).
 */
export function applyReportSettings(config: Config, text: string, source: string): Config {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const problems: string[] = [];
  const fields = settingsFields.safeParse(json);
  if (!fields.success) problems.push(...fields.error.issues.flatMap(describeFieldIssue));
  // The values are checked even when a key is refused, so that one look names every problem.
  const given = fields.success ? fields.data : allowedFields(json);
  const settings = {
    targets: given.targets,
    bands: given.bands,
    email: given.email?.recipients === undefined ? undefined : { recipients: given.email.recipients },
  };
  const parsed = configSchema.safeParse(settings);
  if (!parsed.success) problems.push(...parsed.error.issues.map(describeIssue));
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(
      `${source} is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nFix it and run the quarter again; nothing was read or sent.`,
    );
  }
  return {
    ...config,
    targets: settings.targets === undefined ? config.targets : parsed.data.targets,
    bands: settings.bands === undefined ? config.bands : parsed.data.bands,
    email: {
      ...config.email,
      recipients: settings.email === undefined ? config.email.recipients : parsed.data.email.recipients,
    },
  };
}

/** The report settings' fields of a JSON value, whatever else it holds. */
function allowedFields(json: unknown): SettingsFields {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {};
  const { targets, bands, email } = json as Record<string, unknown>;
  const recipients =
    typeof email === 'object' && email !== null ? (email as Record<string, unknown>).recipients : undefined;
  return { targets, bands, email: { recipients } };
}

/** A key the object may not hold is named with its path, one line each. */
function describeFieldIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code !== 'unrecognized_keys') return [describeIssue(issue)];
  return issue.keys.map(
    (key) =>
      `${[...issue.path, key].join('.')}: not a report setting; this object holds only email.recipients, targets and bands (the rest of the configuration is set at deploy time)`,
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`;
}

/**
 * The run's configuration: the deployed one with the data root's report settings applied.
 * An invalid settings object is recorded as the run's failed status (`failed-before-work.ts`)
 * and thrown, before anything is read or written.
 */
export async function reportSettingsBeforeAnyWork(options: {
  /** The data root, where `config/kpi-report.json` is. */
  readonly root: ExportStore;
  /** Where the run's status.json is: the data root, or a dry run's view of it. */
  readonly store: ExportStore;
  readonly config: Config;
  readonly run: RunIdentity;
  readonly now: () => Date;
  readonly logger: Logger;
}): Promise<Config> {
  const { root, logger } = options;
  const text = await root.readText(REPORT_SETTINGS_KEY);
  if (text === undefined) return options.config;
  try {
    const config = applyReportSettings(options.config, text, `${root.location}/${REPORT_SETTINGS_KEY}`);
    logger.info('report settings read', {
      key: REPORT_SETTINGS_KEY,
      recipients: config.email.recipients.length,
    });
    return config;
  } catch (error) {
    logger.error('the report settings are not valid: nothing was read or written', error as Error);
    await recordFailedBeforeWork({
      ...options,
      error: `the report settings cannot be used: ${(error as Error).message}`,
    });
    throw error;
  }
}
