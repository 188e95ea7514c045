/**
 * Checks a quarter's export set the way a run would, and says what a run would reject,
 * without writing anything: the period, each dataset's rows (in the period, for events),
 * and every problem.
 */
import type { Config } from '../core/config';
import type { ExportStore } from '../core/ports';
import { formatDay, type Quarter, type QuarterPeriod, quarterPeriod } from '../core/quarter';
import type { ExportSetReader, ExportSetReading, ReadProgress } from '../core/readers/export-set-reader';
import { measureQuarter } from './measure-quarter';
import { openQuarterRefusal } from './open-quarter';

export interface ValidationReport {
  readonly quarter: string;
  /** The quarter's days in the reporting time zone, as the KPIs count them. */
  readonly period: {
    readonly start: string;
    readonly end: string;
    readonly timeZone: string;
    readonly fiscalYearStartMonth: number;
  };
  /** Whether a run would succeed. */
  readonly ok: boolean;
  readonly checkedAt: string;
  readonly problems: readonly string[];
  /** True when the only problems are required datasets not uploaded yet. */
  readonly incomplete: boolean;
  readonly warnings: readonly string[];
  /** Clients of clients.csv that are customers on at least one day of the quarter. */
  readonly activeClients: number;
  readonly dataQuality: ExportSetReading['dataQuality'];
}

export function validationReport(
  period: QuarterPeriod,
  config: Pick<Config, 'timeZone' | 'fiscalYearStartMonth'>,
  reading: ExportSetReading,
  now: Date,
  refusal?: string,
): ValidationReport {
  const problems = refusal === undefined ? reading.problems : [refusal, ...reading.problems];
  let activeClients = 0;
  for (let client = 0; client < reading.book.size; client++) {
    if (reading.book.isActive(client, period)) activeClients++;
  }
  return {
    quarter: period.label,
    period: {
      start: formatDay(period.start),
      end: formatDay(period.end),
      timeZone: config.timeZone,
      fiscalYearStartMonth: config.fiscalYearStartMonth,
    },
    ok: problems.length === 0,
    checkedAt: now.toISOString(),
    problems,
    incomplete: reading.incomplete && refusal === undefined,
    warnings: reading.warnings,
    activeClients,
    dataQuality: reading.dataQuality,
  };
}

/**
 * Reads the set as a run would and says what a run would refuse: its problems, and a
 * quarter that has not ended (unless `allowOpenQuarter`, as the run would be told).
 */
export async function validateQuarter(options: {
  store: ExportStore;
  config: Config;
  quarter: Quarter;
  now: Date;
  allowOpenQuarter?: boolean | undefined;
  onProgress?: ((progress: ReadProgress) => void) | undefined;
  reader?: ExportSetReader | undefined;
}): Promise<ValidationReport> {
  const { config, now } = options;
  const period = quarterPeriod(options.quarter, config.fiscalYearStartMonth);
  const refusal = options.allowOpenQuarter ? undefined : openQuarterRefusal(period, config, now);
  const { reading } = await measureQuarter({ ...options, period });
  return validationReport(period, config, reading, now, refusal);
}
