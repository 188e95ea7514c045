/**
 * Reads the arguments into one of: a help request, a version request, or a command with
 * only the options that command takes. Every mistake is a `UsageError` found before
 * anything is opened, naming the option and the command.
 */
import { parseArgs } from 'node:util';
import { COMMANDS, type CommandName, type CommandSpec, isCommandName, type OptionName } from './commands';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose help the message should be followed by, when known. */
  readonly command: CommandName | undefined;
  constructor(message: string, command?: CommandName) {
    super(message);
    this.command = command;
  }
}

export interface CommandOptions {
  readonly data: string;
  readonly quarter: string | undefined;
  readonly config: string | undefined;
  readonly allowOpenQuarter: boolean;
  readonly send: boolean;
  readonly resend: boolean;
  /** `bytes` (the default) or `simple`; `fast`, the bytes reader's old name, is read as `bytes`. */
  readonly reader: 'bytes' | 'simple';
  readonly json: boolean;
  readonly rejects: string | undefined;
  readonly force: boolean;
  readonly quiet: boolean;
}

export type CommandLine =
  | { readonly kind: 'help'; readonly command: CommandName | undefined }
  | { readonly kind: 'version' }
  | { readonly kind: 'command'; readonly command: CommandName; readonly options: CommandOptions };

export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed: ReturnType<typeof parseAll>;
  try {
    parsed = parseAll(argv);
  } catch (error) {
    // node:util's words ("Unknown option '--bogus'"), with the command when one is named.
    const named = argv.find((arg) => !arg.startsWith('-') && isCommandName(arg));
    throw new UsageError((error as Error).message, named as CommandName | undefined);
  }
  const { positionals, values } = parsed;
  const [first, second, ...rest] = positionals;
  if (values.version) return { kind: 'version' };
  if (first === 'help') {
    if (second === undefined) return { kind: 'help', command: undefined };
    if (!isCommandName(second)) throw new UsageError(`there is no command '${second}' to explain`);
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    return { kind: 'help', command: second };
  }
  if (first !== undefined && !isCommandName(first)) throw new UsageError(`unknown command '${first}'`);
  if (values.help) return { kind: 'help', command: first };
  if (first === undefined) throw new UsageError('no command given');
  const command = first;
  if (second !== undefined) throw new UsageError(`unexpected argument '${second}'`, command);
  const spec: CommandSpec = COMMANDS[command];
  const given = Object.keys(values).filter((name) => name !== 'help' && name !== 'version') as OptionName[];
  for (const name of given) {
    if (!spec.options.includes(name)) {
      const why = spec.refusals?.[name];
      throw new UsageError(
        `--${name} is not an option of '${command}'${why === undefined ? '' : `: ${why}`}`,
        command,
      );
    }
  }
  if (values.resend && !values.send) throw new UsageError('--resend only makes sense with --send', command);
  // `fast`, the bytes reader's earlier name, stays accepted so that scripts written with it run on.
  const reader = values.reader === undefined || values.reader === 'fast' ? 'bytes' : values.reader;
  if (reader !== 'bytes' && reader !== 'simple') {
    throw new UsageError(`--reader is bytes or simple, not '${reader}'`, command);
  }
  return {
    kind: 'command',
    command,
    options: {
      data: values.data ?? './data',
      quarter: values.quarter,
      config: values.config,
      allowOpenQuarter: values['allow-open-quarter'] ?? false,
      send: values.send ?? false,
      resend: values.resend ?? false,
      reader,
      json: values.json ?? false,
      rejects: values.rejects,
      force: values.force ?? false,
      quiet: values.quiet ?? false,
    },
  };
}

/** Every option any command takes, with no defaults: an option given is one the user wrote. */
const ARGUMENTS = {
  data: { type: 'string' },
  quarter: { type: 'string' },
  config: { type: 'string' },
  'allow-open-quarter': { type: 'boolean' },
  send: { type: 'boolean' },
  resend: { type: 'boolean' },
  reader: { type: 'string' },
  json: { type: 'boolean' },
  rejects: { type: 'string' },
  force: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies Record<OptionName | 'help' | 'version', { type: 'string' | 'boolean'; short?: string }>;

function parseAll(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: ARGUMENTS });
}
