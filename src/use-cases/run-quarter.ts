/**
 * The quarterly run: measure the quarter, gather earlier quarters for trends and deltas,
 * and publish `reports/<quarter>/kpis.json`. A set that cannot be reported on publishes
 * nothing but `validation.json`, so the operator can fix the export and run again; a
 * quarter that has not ended is refused before anything is read or written.
 */
import type { Config } from '../core/config';
import { exportKeys, holdsAnythingUnder, reportKeys } from '../core/data-root';
import { ExportSetError } from '../core/errors';
import {
  buildSnapshot,
  type PriorValues,
  priorValuesFromMeasures,
  priorValuesFromSnapshot,
  TREND_QUARTERS,
} from '../core/kpis/build-snapshot';
import type { ExportStore } from '../core/ports';
import { formatQuarter, type Quarter, quarterPeriod, shiftQuarter } from '../core/quarter';
import type { ExportSetReader, ReadProgress } from '../core/readers/export-set-reader';
import { priorSnapshotSchema, type Snapshot } from '../core/snapshot';
import { measureQuarter } from './measure-quarter';
import { refuseOpenQuarter } from './open-quarter';
import { type ValidationReport, validationReport } from './validate-quarter';

export interface RunQuarterOptions {
  readonly store: ExportStore;
  readonly config: Config;
  readonly quarter: Quarter;
  readonly now: Date;
  readonly onProgress?: ((progress: ReadProgress & { quarter: string }) => void) | undefined;
  /** How export sets are read (this quarter's and earlier ones without a snapshot). */
  readonly reader?: ExportSetReader | undefined;
  /** Compute a quarter that has not ended yet (refused otherwise, with `OpenQuarterError`). */
  readonly allowOpenQuarter?: boolean | undefined;
  /**
   * Called once the set is read and `validation.json` written, before any KPI is computed
   * (and before a set that cannot be reported on fails the run): the period and what was read.
   */
  readonly onRead?: ((report: ValidationReport) => void) | undefined;
}

export interface RunQuarterResult {
  readonly snapshot: Snapshot;
  readonly snapshotKey: string;
  /** Where each earlier quarter's values came from. */
  readonly priorSources: ReadonlyMap<string, 'snapshot' | 'exports'>;
}

export async function runQuarter(options: RunQuarterOptions): Promise<RunQuarterResult> {
  const { store, config, quarter, now, onProgress, reader } = options;
  const period = quarterPeriod(quarter, config.fiscalYearStartMonth);
  refuseOpenQuarter(period, config, now, options.allowOpenQuarter);
  const current = await measureQuarter({
    store,
    period,
    config,
    reader,
    onProgress: onProgress && ((progress) => onProgress({ ...progress, quarter: period.label })),
  });
  const validation = validationReport(period, config, current.reading, now);
  await store.write(
    reportKeys.validation(period.label),
    `${JSON.stringify(validation, null, 2)}\n`,
    'application/json',
  );
  options.onRead?.(validation);
  if (current.measures === undefined) throw new ExportSetError(period.label, current.reading.problems);

  const warnings = [...current.reading.warnings];
  const priors = new Map<string, PriorValues>();
  const priorSources = new Map<string, 'snapshot' | 'exports'>();
  for (let offset = 1; offset < TREND_QUARTERS; offset++) {
    const label = formatQuarter(shiftQuarter(quarter, -offset));
    const prior = await loadPriorValues(store, config, shiftQuarter(quarter, -offset), warnings, reader);
    if (prior) {
      priors.set(label, prior.values);
      priorSources.set(label, prior.source);
    }
  }
  const snapshot = buildSnapshot({
    period,
    config,
    measures: current.measures,
    priors,
    dataQuality: current.reading.dataQuality,
    warnings,
    generatedAt: now,
  });
  const snapshotKey = reportKeys.snapshot(period.label);
  await store.write(snapshotKey, `${JSON.stringify(snapshot, null, 2)}\n`, 'application/json');
  return { snapshot, snapshotKey, priorSources };
}

/** An earlier quarter's values: its published snapshot, else its export set, else none. */
async function loadPriorValues(
  store: ExportStore,
  config: Config,
  quarter: Quarter,
  warnings: string[],
  reader: ExportSetReader | undefined,
): Promise<{ values: PriorValues; source: 'snapshot' | 'exports' } | undefined> {
  const label = formatQuarter(quarter);
  const key = reportKeys.snapshot(label);
  const text = await store.readText(key);
  if (text !== undefined) {
    const parsed = priorSnapshotSchema.safeParse(safeJson(text));
    if (parsed.success) return { values: priorValuesFromSnapshot(parsed.data), source: 'snapshot' };
    warnings.push(
      `${key} is not a valid version 1 snapshot, so ${label} was recomputed from its exports if any`,
    );
  }
  if (!(await holdsAnythingUnder(store, exportKeys.set(label)))) return undefined;
  const period = quarterPeriod(quarter, config.fiscalYearStartMonth);
  const measured = await measureQuarter({ store, period, config, reader });
  if (measured.measures === undefined) {
    warnings.push(`${label} has exports that cannot be reported on, so its values are missing from trends`);
    return undefined;
  }
  return { values: priorValuesFromMeasures(measured.measures), source: 'exports' };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
