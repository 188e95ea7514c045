/**
 * A command that stopped with an error, mapped at the edge to its exit code and words: 1 an
 * export set that cannot be reported on, 2 a mistake of the user's (usage, configuration,
 * templates, data location, a quarter not ended), 3 anything else (a bug: the stack is
 * printed). With `--json` the same is also one failure document on stdout.
 */
import { ConfigError } from '../core/config';
import { DataLocationError, ExportSetError, OpenQuarterError } from '../core/errors';
import { TemplateError } from '../core/report/templates/email-templates';
import { LedgerFileError, StoreCannotExcludeError } from '../use-cases/delivery-ledger-errors';
import { type CommandName, commandHelp } from './commands';
import { type FailureDocument, failureDocumentSchema, jsonLine } from './json-output';
import type { Output } from './output';
import { UsageError } from './parse-command-line';
import { RejectsFileError } from './rejects-file';

export interface FailedCommand {
  readonly command: CommandName;
  readonly data: string;
  readonly quarter: string | undefined;
  readonly configFile: string | undefined;
}

export function reportFailure(error: unknown, failed: FailedCommand, output: Output): number {
  const { exitCode, kind, text, validation } = describeFailure(error, failed);
  output.warn(text);
  const { command } = failed;
  if (output.json && (command === 'run' || command === 'validate' || command === 'backfill')) {
    const document: FailureDocument = {
      command,
      ok: false,
      exitCode,
      config: failed.configFile ?? null,
      error: { kind, message: error instanceof Error ? error.message : String(error) },
      ...(validation === undefined ? {} : { validation }),
    };
    output.document(jsonLine(failureDocumentSchema, document));
  }
  return exitCode;
}

function describeFailure(
  error: unknown,
  failed: FailedCommand,
): { exitCode: number; kind: FailureDocument['error']['kind']; text: string; validation?: string } {
  if (error instanceof ExportSetError) {
    const validation = `${failed.data}/reports/${error.quarter}/validation.json`;
    return {
      exitCode: 1,
      kind: 'export-set',
      text: `\n${error.message}\nNothing was published. The findings are in ${validation}; fix the export and run again.`,
      validation,
    };
  }
  if (error instanceof UsageError) {
    return { exitCode: 2, kind: 'usage', text: `${error.message}\n\n${commandHelp(failed.command)}` };
  }
  if (error instanceof OpenQuarterError) {
    return { exitCode: 2, kind: 'open-quarter', text: `${error.message}\nNothing was read or written.` };
  }
  if (
    error instanceof DataLocationError ||
    error instanceof ConfigError ||
    error instanceof TemplateError ||
    error instanceof StoreCannotExcludeError ||
    error instanceof LedgerFileError ||
    error instanceof RejectsFileError
  ) {
    return { exitCode: 2, kind: 'configuration', text: error.message };
  }
  const where = failed.quarter === undefined ? failed.data : `${failed.data} (${failed.quarter})`;
  return {
    exitCode: 3,
    kind: 'unexpected',
    text: `kpi-report failed unexpectedly on ${where}: ${(error as Error)?.stack ?? String(error)}`,
  };
}
