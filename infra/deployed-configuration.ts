/**
 * What a kpi-report deployment is configured with, checked at synth time: the sender, the
 * kpi-report configuration the functions get, the schedule expressions and the day counts.
 * Every problem is collected, so that one synth names them all (`DeploymentSettingsError`).
 */
import type { z } from 'zod';
import { type configSchema, parseConfig } from '../src/core/config';

/** The kpi-report configuration as written in `kpi-report.json` (every field optional). */
export type KpiReportConfiguration = z.input<typeof configSchema>;
/** One report recipient: `{ address, name?, segments? }`. */
export type ReportRecipient = NonNullable<NonNullable<KpiReportConfiguration['email']>['recipients']>[number];

/** Deployment settings that cannot work, found at synth time: every problem, one per line. */
export class DeploymentSettingsError extends Error {
  override readonly name = 'DeploymentSettingsError';
}

/** Gathers problems, then throws them all at once. */
export class SettingsProblems {
  readonly #problems: string[] = [];

  add(problem: string): void {
    this.#problems.push(problem);
  }

  /** Runs `check`, recording a `DeploymentSettingsError` it throws (or a `ConfigError`) as problems. */
  collect<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof Error) || !['DeploymentSettingsError', 'ConfigError'].includes(error.name))
        throw error;
      this.add(error.message);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.#problems.length === 1) throw new DeploymentSettingsError(this.#problems[0]);
    if (this.#problems.length > 1) {
      throw new DeploymentSettingsError(
        `${this.#problems.length} deployment settings are not valid:\n${this.#problems.map((problem) => `  - ${problem}`).join('\n')}`,
      );
    }
  }
}

/** The sender as the functions and SES see it. */
export interface Sender {
  readonly address: string;
  /** The From header: `Name <address>`. */
  readonly from: string;
  readonly domain: string | undefined;
}

/** What `resolveSender` needs of the construct's props. */
export interface SenderSettings {
  readonly senderEmail?: string;
  readonly senderDomain?: string;
  readonly senderName?: string;
  readonly configuration?: KpiReportConfiguration;
}

const EMAIL = /^[^\s@<>]+@([^\s@<>]+\.[^\s@<>]+)$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function resolveSender(props: SenderSettings): Sender {
  const domain = props.senderDomain?.trim().toLowerCase();
  if (domain !== undefined && !DOMAIN.test(domain)) {
    throw new DeploymentSettingsError(`senderDomain "${props.senderDomain}" is not a domain name`);
  }
  const configuredFrom = props.configuration?.email?.from;
  const configuredAddress = configuredFrom === undefined ? undefined : addressOf(configuredFrom);
  let address = props.senderEmail?.trim();
  if (address === undefined && domain !== undefined) {
    address = configuredAddress?.toLowerCase().endsWith(`@${domain}`)
      ? configuredAddress
      : `kpi-report@${domain}`;
  }
  if (address === undefined) {
    throw new DeploymentSettingsError(
      'set senderEmail or senderDomain: the identity SES sends the reports from',
    );
  }
  const match = EMAIL.exec(address);
  if (match === null) throw new DeploymentSettingsError(`senderEmail "${address}" is not an email address`);
  if (domain !== undefined && match[1]?.toLowerCase() !== domain) {
    throw new DeploymentSettingsError(`senderEmail ${address} is not in senderDomain ${domain}`);
  }
  if (configuredAddress !== undefined && configuredAddress.toLowerCase() !== address.toLowerCase()) {
    throw new DeploymentSettingsError(
      `configuration.email.from (${configuredFrom}) is not the sender identity ${address}; leave it out or use that address`,
    );
  }
  return {
    address,
    from: configuredFrom ?? `${props.senderName ?? 'KPI report'} <${address}>`,
    domain,
  };
}

/** The address in `Name <address>` or a bare address. */
export function addressOf(from: string): string {
  return (/<([^>]+)>\s*$/.exec(from)?.[1] ?? from).trim();
}

/** What `deployedConfiguration` needs of the construct's props. */
export interface ConfigurationSettings {
  readonly configuration?: KpiReportConfiguration;
  readonly recipients?: readonly ReportRecipient[];
  readonly timeZone?: string;
}

/** The configuration the functions get, with what it decides at synth time. */
export interface DeployedConfiguration {
  readonly input: KpiReportConfiguration;
  readonly timeZone: string;
  readonly fiscalYearStartMonth: number;
  readonly recipients: number;
}

/**
 * The configuration the functions get (but for `email.ses`, which names the configuration
 * set the construct creates), checked with the same schema they parse it with. Problems
 * go to `problems`; the result is undefined when the schema refused it.
 */
export function deployedConfiguration(
  props: ConfigurationSettings,
  from: string,
  problems: SettingsProblems,
): DeployedConfiguration | undefined {
  const configuration = props.configuration ?? {};
  const email = configuration.email ?? {};
  if (
    props.timeZone !== undefined &&
    configuration.timeZone !== undefined &&
    props.timeZone !== configuration.timeZone
  ) {
    problems.add(
      `timeZone (${props.timeZone}) and configuration.timeZone (${configuration.timeZone}) differ; set one`,
    );
  }
  if (props.recipients !== undefined && email.recipients !== undefined) {
    problems.add('give recipients or configuration.email.recipients, not both');
  }
  if (email.ses !== undefined) {
    problems.add(
      "leave configuration.email.ses out: the functions send in the stack's region through the configuration set it creates",
    );
  }
  if (email.templateDir !== undefined) {
    problems.add(
      'leave configuration.email.templateDir out: the functions bundle the templates/ folder; edit it and deploy',
    );
  }
  const recipients = [...(props.recipients ?? email.recipients ?? [])];
  const input: KpiReportConfiguration = {
    ...configuration,
    timeZone: props.timeZone ?? configuration.timeZone ?? 'UTC',
    email: {
      ...email,
      from,
      recipients,
      send: email.send ?? true,
    },
  };
  const parsed = problems.collect(() => parseConfig(input, 'the kpi-report configuration'));
  if (parsed === undefined) return undefined;
  return {
    input,
    timeZone: parsed.timeZone,
    fiscalYearStartMonth: parsed.fiscalYearStartMonth,
    recipients: recipients.length,
  };
}

/** The default schedule's time of day and day of month, in the reporting time zone. */
const RUN_HOUR = 6;
const RUN_DAY_OF_MONTH = 5;

/**
 * 06:00 on the 5th of each month in which a (fiscal) quarter starts: for calendar quarters
 * January, April, July and October.
 */
export function defaultScheduleExpression(fiscalYearStartMonth = 1): string {
  const months = [0, 3, 6, 9]
    .map((offset) => ((fiscalYearStartMonth - 1 + offset) % 12) + 1)
    .sort((a, b) => a - b);
  return `cron(0 ${RUN_HOUR} ${RUN_DAY_OF_MONTH} ${months.join(',')} ? *)`;
}

/** The data root's prefix without leading or trailing slashes; refuses `.`, `..` and empty segments. */
export function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed !== '' && trimmed.split('/').some((segment) => ['', '.', '..'].includes(segment))) {
    throw new DeploymentSettingsError(`dataPrefix "${prefix}" has an empty, "." or ".." segment`);
  }
  return trimmed;
}

/** `days` must be a whole number, at least 1; the message names `name`. */
export function checkWholeDays(name: string, days: number, problems: SettingsProblems): void {
  if (!Number.isInteger(days) || days < 1) {
    problems.add(`${name} is ${days}; give a whole number of days, at least 1`);
  }
}
