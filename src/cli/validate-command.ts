/**
 * `kpi-report validate`: reads the export set as a run would and says what a run would do.
 * Every rejected row is counted by reason and by value and, with `--rejects FILE`, written
 * out: the reference reader is told of each, so a set with rejected rows is read by it
 * (after the bytes reader found some; a clean set is read once, by the bytes reader).
 */
import path from 'node:path';
import { LocalExportStore } from '../adapters/local/local-export-store';
import { DATASET_NAMES } from '../core/export-set/contract';
import type { ExportStore } from '../core/ports';
import type { ExportSetReader } from '../core/readers/export-set-reader';
import type { RowRejection } from '../core/readers/simple/read-dataset';
import { readExportSet } from '../core/readers/simple/read-export-set';
import { type ValidationReport, validateQuarter } from '../use-cases/validate-quarter';
import type { CommandContext } from './command-context';
import { jsonLine, type ValidateDocument, validateDocumentSchema } from './json-output';
import type { Output } from './output';
import { NO_REJECTIONS, RejectionTally } from './rejection-tally';
import { RejectsFile } from './rejects-file';
import { renderValidation } from './validation-text';

/** Values a JSON document lists per dataset, most rows first; the count of all is beside them. */
const JSON_VALUES = 100;

export async function validateCommand(
  context: CommandContext,
  options: { rejects: string | undefined },
  output: Output,
): Promise<number> {
  const tally = new RejectionTally();
  const rejectsFile =
    options.rejects === undefined
      ? undefined
      : new RejectsFile(options.rejects, localExportsFolder(context.store));
  const onRejected = (rejection: RowRejection) => {
    tally.add(rejection);
    rejectsFile?.add(rejection);
  };
  const listing: ExportSetReader = (readOptions) => readExportSet({ ...readOptions, onRejected });
  let report: ValidationReport;
  try {
    if (context.reader === readExportSet) {
      report = await validateQuarter({ ...context.reading(), reader: listing });
    } else {
      // The bytes reader keeps only the first examples: a set with rejected rows is read
      // again by the reference reader, which is told of each (same verdict, same counts).
      report = await validateQuarter(context.reading());
      if (DATASET_NAMES.some((name) => report.dataQuality[name].rejected > 0)) {
        output.log('Reading again with the simple reader, to count and list every rejected row');
        context.progress?.restart();
        report = await validateQuarter({ ...context.reading(), reader: listing });
      }
    }
  } catch (error) {
    rejectsFile?.abandon();
    throw error;
  }
  rejectsFile?.complete();
  const exitCode = report.ok ? 0 : 1;
  if (output.json) {
    output.document(
      jsonLine(validateDocumentSchema, validateDocument(report, tally, context, exitCode, rejectsFile)),
    );
  }
  output.result(renderValidation(report, context.config.rejectLimitPercent, (name) => tally.of(name)));
  if (rejectsFile !== undefined) {
    output.result(
      `Wrote ${rejectsFile.rows} rejected ${rejectsFile.rows === 1 ? 'row' : 'rows'} to ${rejectsFile.path}`,
    );
  }
  return exitCode;
}

function validateDocument(
  report: ValidationReport,
  tally: RejectionTally,
  context: CommandContext,
  exitCode: number,
  rejectsFile: RejectsFile | undefined,
): ValidateDocument {
  const datasets = Object.fromEntries(
    DATASET_NAMES.map((name) => {
      const quality = report.dataQuality[name];
      // A dataset not read in full has no counts (its problem says why), as its quality says.
      const counts = quality.rejected > 0 ? tally.of(name) : NO_REJECTIONS;
      return [
        name,
        {
          ...quality,
          rejections: {
            byReason: [...counts.byReason],
            byValue: counts.byValue.slice(0, JSON_VALUES),
            distinctValues: counts.byValue.length,
            untallied: counts.untallied,
          },
        },
      ];
    }),
  ) as ValidateDocument['datasets'];
  return {
    command: 'validate',
    ok: report.ok,
    exitCode,
    config: context.configFile ?? null,
    quarter: report.quarter,
    period: report.period,
    problems: [...report.problems],
    incomplete: report.incomplete,
    warnings: [...report.warnings],
    activeClients: report.activeClients,
    datasets,
    rejectsFile: rejectsFile === undefined ? null : { path: rejectsFile.path, rows: rejectsFile.rows },
  };
}

/** The data root's exports/ folder when the data root is a local folder. */
function localExportsFolder(store: ExportStore): string | undefined {
  return store instanceof LocalExportStore ? path.resolve(store.location, 'exports') : undefined;
}
