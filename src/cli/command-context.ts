/**
 * What every command but `init` starts from: the configuration (named on stderr), the data
 * location (checked before anything is read), the quarter and how exports are read.
 */
import { assertDataRoot, openExportStore } from '../adapters/open-export-store';
import { createProgressReporter, type ProgressReporter } from '../adapters/terminal/progress';
import { createWorkerBytesReader } from '../adapters/workers/worker-bytes-reader';
import type { Config } from '../core/config';
import type { ExportStore } from '../core/ports';
import { parseQuarterAsTyped, type Quarter } from '../core/quarter';
import type { ExportSetReader } from '../core/readers/export-set-reader';
import { readExportSet } from '../core/readers/simple/read-export-set';
import { dueQuarter } from '../use-cases/due-quarter';
import { ExportBytes } from './export-bytes';
import type { LoadedConfig } from './load-config';
import type { CommandOptions } from './parse-command-line';
import { UsageError } from './parse-command-line';

export interface CommandContext {
  readonly store: ExportStore;
  readonly config: Config;
  /** The configuration file read (absolute), or undefined for the defaults. */
  readonly configFile: string | undefined;
  readonly quarter: Quarter;
  readonly now: Date;
  readonly progress: ProgressReporter | undefined;
  readonly reader: ExportSetReader;
  readonly allowOpenQuarter: boolean;
  /** What run and validate read the quarter with: the same, so validate says what run would do. */
  readonly reading: () => {
    store: ExportStore;
    config: Config;
    quarter: Quarter;
    now: Date;
    onProgress: ProgressReporter['onProgress'] | undefined;
    reader: ExportSetReader;
    allowOpenQuarter: boolean;
  };
}

export async function openCommandContext(
  loaded: LoadedConfig,
  options: CommandOptions,
  env: Record<string, string | undefined>,
  now: Date,
): Promise<CommandContext> {
  const { config } = loaded;
  // A usage mistake is found before the data location is opened.
  const quarter = options.quarter === undefined ? dueQuarter(config, now) : quarterFrom(options.quarter);
  const opened = await openExportStore(options.data, env);
  await assertDataRoot(opened);
  // The share of bytes read is shown on a terminal only: elsewhere the store is used as it is.
  const bytes = !options.quiet && process.stderr.isTTY ? new ExportBytes() : undefined;
  const store = bytes === undefined ? opened : bytes.watch(opened);
  const progress = options.quiet
    ? undefined
    : createProgressReporter(process.stderr, { bytes: bytes && (() => bytes.current()) });
  const reader = options.reader === 'simple' ? readExportSet : createWorkerBytesReader();
  const { allowOpenQuarter } = options;
  return {
    store,
    config,
    configFile: loaded.file,
    quarter,
    now,
    progress,
    reader,
    allowOpenQuarter,
    reading: () => ({
      store,
      config,
      quarter,
      now,
      onProgress: progress?.onProgress,
      reader,
      allowOpenQuarter,
    }),
  };
}

/** `--quarter`, as people write it: `2026-Q3`, also `2026-q3` or ` 2026-Q3 ` (normalised). */
export function quarterFrom(label: string): Quarter {
  const quarter = parseQuarterAsTyped(label);
  if (!quarter) throw new UsageError(`--quarter '${label}' is not a quarter; write it like 2026-Q3`);
  return quarter;
}
