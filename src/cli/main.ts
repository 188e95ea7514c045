/**
 * `kpi-report`: a thin shell over the use cases. Reads the command line, names the
 * configuration used, opens the data location and hands over to the command. Exit codes:
 * 0 success, 1 the export set cannot be reported on, 2 a usage, configuration or template
 * mistake (or a store that cannot hold the delivery ledger), 3 anything else, 4 the report
 * was published but some recipients did not get it.
 */
import { backfillCommand } from './backfill-command';
import { openCommandContext } from './command-context';
import { type CommandName, commandHelp, globalHelp } from './commands';
import { initCommand } from './init-command';
import { describeConfigSource, type LoadedConfig, loadConfig } from './load-config';
import { createOutput, type Output } from './output';
import { type CommandLine, type CommandOptions, parseCommandLine, UsageError } from './parse-command-line';
import { reportFailure } from './report-failure';
import { previewCommand, runCommand } from './run-command';
import { validateCommand } from './validate-command';
import { VERSION } from './version';

export { UsageError } from './parse-command-line';

/**
 * Runs one command line. `now` is the CLI's only clock: which quarter is due when
 * `--quarter` is left out, whether a quarter has ended, init's export folder.
 */
export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  now: () => Date = () => new Date(),
): Promise<number> {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const help = error.command === undefined ? globalHelp() : commandHelp(error.command);
    process.stderr.write(`${error.message}\n\n${help}`);
    return 2;
  }
  if (line.kind === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (line.kind === 'help') {
    process.stdout.write(line.command === undefined ? globalHelp() : commandHelp(line.command));
    return 0;
  }
  const { command, options } = line;
  const output = createOutput(options);
  let loaded: LoadedConfig | undefined;
  try {
    // init writes the configuration, so it reads none.
    if (command === 'init') return await initCommand(options, output, now());
    loaded = loadConfig(options.config);
    output.log(describeConfigSource(loaded));
    return await dispatch(command, loaded, options, env, output, now());
  } catch (error) {
    return reportFailure(
      error,
      { command, data: options.data, quarter: options.quarter, configFile: loaded?.file },
      output,
    );
  }
}

async function dispatch(
  command: Exclude<CommandName, 'init'>,
  loaded: LoadedConfig,
  options: CommandOptions,
  env: Record<string, string | undefined>,
  output: Output,
  now: Date,
): Promise<number> {
  const context = await openCommandContext(loaded, options, env, now);
  switch (command) {
    case 'run':
      return await runCommand(context, options, env, output);
    case 'preview':
      return await previewCommand(context, env, output);
    case 'validate':
      return await validateCommand(context, options, output);
    case 'backfill':
      return await backfillCommand(context, output);
  }
}
