/** What a quarter's reading decides, as plain data to compare two readers with `toEqual`. */
import type { Config } from '../../src/core/config';
import type { ExportStore } from '../../src/core/ports';
import type { QuarterPeriod } from '../../src/core/quarter';
import type { ExportSetReader } from '../../src/core/readers/export-set-reader';
import { measureQuarter } from '../../src/use-cases/measure-quarter';

export async function readingSummary(
  store: ExportStore,
  period: QuarterPeriod,
  config: Config,
  reader: ExportSetReader,
) {
  const { reading, measures } = await measureQuarter({ store, period, config, reader });
  return JSON.parse(
    JSON.stringify(
      {
        measures: measures && { ...measures, segments: [...measures.segments].map(([d, v]) => [d, [...v]]) },
        dataQuality: reading.dataQuality,
        problems: reading.problems,
        warnings: reading.warnings,
        clients: reading.book.size,
        interactionsPerClient: {
          selfService: [...reading.activity.selfService],
          assisted: [...reading.activity.assisted],
        },
        catalog: [...reading.activity.catalog].sort(),
      },
      (_key, value) => (typeof value === 'bigint' ? String(value) : value),
    ),
  );
}
