/**
 * `computeQuarter`: what `kpi-report run` does to a quarter, minus the email. It measures the
 * quarter in the store, with earlier quarters for trends and deltas, writes
 * `reports/<quarter>/kpis.json` and `validation.json`, and, when asked, the report files
 * (`report.html`, `report.txt`, `kpis-<quarter>.csv`). It sends nothing.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { assertDataRoot } from '../adapters/open-export-store';
import { createWorkerBytesReader } from '../adapters/workers/worker-bytes-reader';
import { type Config, ConfigError, parseConfig } from '../core/config';
import { reportKeys } from '../core/data-root';
import { ExportSetError } from '../core/errors';
import type { ExportStore } from '../core/ports';
import { formatQuarter, parseQuarterAsTyped, type Quarter } from '../core/quarter';
import type { Snapshot } from '../core/snapshot';
import { runQuarter } from '../use-cases/run-quarter';
import type { KpiReportSettings } from './settings';
import type { KpiSnapshot } from './snapshot';

export interface ComputeQuarterOptions {
  /** The data root: `localStore(dir)`, `s3Store({…})` or any object implementing `ExportStore`. */
  readonly store: ExportStore;
  /** `2026-Q3` (`2026-q3` is read the same). */
  readonly quarter: string;
  /** The configuration file's fields. @default {} (every default) */
  readonly settings?: KpiReportSettings | undefined;
  /** Also write `report.html`, `report.txt` and `kpis-<quarter>.csv` beside `kpis.json`. @default false */
  readonly writeReport?: boolean | undefined;
  /** Compute a quarter that has not ended in the reporting time zone. @default false */
  readonly allowOpenQuarter?: boolean | undefined;
  /** "Now", deciding whether the quarter has ended, and the snapshot's `generatedAt`. @default new Date() */
  readonly now?: Date | undefined;
  /**
   * `bytes` reads on worker threads, `simple` on this one; both give the same result. `fast`
   * is the bytes reader's earlier name, still accepted. @default 'bytes'
   */
  readonly reader?: 'bytes' | 'simple' | 'fast' | undefined;
}

/** Keys written, relative to the store's root. */
export interface ReportFiles {
  readonly html: string;
  readonly text: string;
  readonly csv: string;
}

/** The quarter was computed and `kpis.json` written. */
export interface ComputedQuarter {
  readonly ok: true;
  readonly quarter: string;
  readonly snapshot: KpiSnapshot;
  /** `reports/<quarter>/kpis.json`. */
  readonly snapshotKey: string;
  /** `reports/<quarter>/validation.json`. */
  readonly validationKey: string;
  /** With `writeReport`: the report files. */
  readonly report: ReportFiles | undefined;
}

/**
 * The export set cannot be reported on (a required dataset or column missing, too many
 * rejected rows, a file cut short…): nothing was published but `validation.json`.
 */
export interface UnreportableQuarter {
  readonly ok: false;
  readonly quarter: string;
  /** Each problem in a sentence, naming the file (and line) and the fix. */
  readonly problems: readonly string[];
  readonly validationKey: string;
}

export type QuarterResult = ComputedQuarter | UnreportableQuarter;

/** Invalid settings or quarter: the message lists every problem, by field. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * Computes a quarter. Resolves with `ok: false` for an export set that cannot be reported
 * on. Rejects with `SettingsError` (settings, quarter), `OpenQuarterError` (a quarter that
 * has not ended) or a template error (`email.templateDir`, with `writeReport`), each before
 * any export is read, and with `DataLocationError` for a store that cannot be read or written.
 */
export async function computeQuarter(options: ComputeQuarterOptions): Promise<QuarterResult> {
  const { store } = options;
  const config = settingsToConfig(options.settings ?? {});
  const quarter = quarterOf(options.quarter);
  const label = formatQuarter(quarter);
  await assertDataRoot(store);
  // Templates compile before any reading, so a broken custom template fails at once.
  const rendering = options.writeReport ? await openRendering(config) : undefined;
  const validationKey = reportKeys.validation(label);
  let snapshot: Snapshot;
  try {
    ({ snapshot } = await runQuarter({
      store,
      config,
      quarter,
      now: options.now ?? new Date(),
      // The simple reader is the use case's own default.
      reader: options.reader === 'simple' ? undefined : createWorkerBytesReader(),
      allowOpenQuarter: options.allowOpenQuarter ?? false,
    }));
  } catch (error) {
    if (!(error instanceof ExportSetError)) throw error;
    return { ok: false, quarter: label, problems: error.problems, validationKey };
  }
  const report = rendering && (await rendering(store, snapshot));
  return {
    ok: true,
    quarter: label,
    snapshot,
    snapshotKey: reportKeys.snapshot(label),
    validationKey,
    report,
  };
}

function settingsToConfig(settings: KpiReportSettings): Config {
  let config: Config;
  try {
    config = parseConfig(settings, 'settings');
  } catch (error) {
    if (error instanceof ConfigError) throw new SettingsError(error.message, { cause: error });
    throw error;
  }
  const { templateDir } = config.email;
  if (templateDir === undefined) return config;
  return { ...config, email: { ...config.email, templateDir: path.resolve(templateDir) } };
}

function quarterOf(label: string): Quarter {
  const quarter = parseQuarterAsTyped(label);
  if (quarter === undefined)
    throw new SettingsError(`quarter '${label}' is not a quarter; write it like 2026-Q3`);
  return quarter;
}

/** The email's templates, compiled now; the returned function saves the company report. */
async function openRendering(config: Config) {
  // Loaded only when asked for: the email side (Handlebars, charts) costs a plain compute nothing.
  const [{ openEmailRendering }, { deliverReport }] = await Promise.all([
    import('../wiring/email-delivery'),
    import('../use-cases/deliver-report'),
  ]);
  const { templates, rasterizer } = await openEmailRendering(config);
  return async (store: ExportStore, snapshot: Snapshot): Promise<ReportFiles> => {
    const saved = await deliverReport({
      store,
      config,
      snapshot,
      templates,
      rasterizer,
      runId: randomUUID(),
    });
    return { html: saved.htmlKey, text: saved.textKey, csv: saved.csvKey };
  };
}
