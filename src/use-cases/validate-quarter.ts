/**
 * Checks a quarter's export set the way a run would, and says what a run would reject,
 * without writing anything.
 */
import type { Config } from '../core/config';
import type { ExportSetReader } from '../core/ingest/export-set-reader';
import type { ReadProgress } from '../core/ingest/read-dataset';
import type { ExportSetReading } from '../core/ingest/read-export-set';
import type { ExportStore } from '../core/ports';
import { type Quarter, quarterPeriod } from '../core/quarter';
import { measureQuarter } from './measure-quarter';

export interface ValidationReport {
  readonly quarter: string;
  /** Whether a run would succeed. */
  readonly ok: boolean;
  readonly checkedAt: string;
  readonly problems: readonly string[];
  /** True when the only problems are required datasets not uploaded yet. */
  readonly incomplete: boolean;
  readonly warnings: readonly string[];
  readonly dataQuality: ExportSetReading['dataQuality'];
}

export function validationReport(quarter: string, reading: ExportSetReading, now: Date): ValidationReport {
  return {
    quarter,
    ok: reading.problems.length === 0,
    checkedAt: now.toISOString(),
    problems: reading.problems,
    incomplete: reading.incomplete,
    warnings: reading.warnings,
    dataQuality: reading.dataQuality,
  };
}

export async function validateQuarter(options: {
  store: ExportStore;
  config: Config;
  quarter: Quarter;
  now: Date;
  onProgress?: ((progress: ReadProgress) => void) | undefined;
  reader?: ExportSetReader | undefined;
}): Promise<ValidationReport> {
  const period = quarterPeriod(options.quarter, options.config.fiscalYearStartMonth);
  const { reading } = await measureQuarter({ ...options, period });
  return validationReport(period.label, reading, options.now);
}
