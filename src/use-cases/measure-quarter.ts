/**
 * Reads a quarter's export set and measures the seven KPIs for the company and every
 * segment value, without trends. Shared by run, validate, backfill and prior quarters.
 */
import type { Config } from '../core/config';
import type { QuarterMeasures } from '../core/kpis/build-snapshot';
import { totalGroups } from '../core/kpis/group-totals';
import { type KpiMeasures, measureGroup } from '../core/kpis/kpi-values';
import type { ExportStore } from '../core/ports';
import type { QuarterPeriod } from '../core/quarter';
import type { ExportSetReader, ExportSetReading, ReadProgress } from '../core/readers/export-set-reader';
import { readExportSet } from '../core/readers/simple/read-export-set';

export interface MeasuredQuarter {
  readonly reading: ExportSetReading;
  /** Undefined when the export set has problems. */
  readonly measures: QuarterMeasures | undefined;
}

export async function measureQuarter(options: {
  store: ExportStore;
  period: QuarterPeriod;
  config: Config;
  onProgress?: ((progress: ReadProgress) => void) | undefined;
  /** How the export set is read: the simple reader unless told otherwise. */
  reader?: ExportSetReader | undefined;
}): Promise<MeasuredQuarter> {
  const { reader = readExportSet, ...readOptions } = options;
  const reading = await reader(readOptions);
  if (reading.problems.length > 0) return { reading, measures: undefined };
  const { book, activity, dataQuality } = reading;
  const totals = totalGroups(book, activity, options.period, options.config.independenceThreshold);
  const context = {
    servicesPresent: dataQuality.services.present,
    surveysPresent: dataQuality.surveys.present,
    costsPresent: dataQuality.support_costs.present,
    catalogSize: activity.catalog.size,
    company: totals.company,
    poolNanos: activity.poolNanos,
  };
  const segments = new Map<string, Map<string, KpiMeasures>>();
  for (const [dimension, values] of totals.segments) {
    segments.set(
      dimension,
      new Map([...values].map(([value, groupTotals]) => [value, measureGroup(groupTotals, context, false)])),
    );
  }
  return {
    reading,
    measures: {
      company: measureGroup(totals.company, context, true),
      segments,
      catalogSize: activity.catalog.size,
    },
  };
}
