/**
 * The command line's vocabulary: each command, what it does, and the options it takes.
 * One table, so that the global help, each command's help and the check that refuses an
 * option a command does not use cannot disagree.
 */

export type OptionName =
  | 'data'
  | 'quarter'
  | 'config'
  | 'allow-open-quarter'
  | 'send'
  | 'resend'
  | 'reader'
  | 'json'
  | 'rejects'
  | 'force'
  | 'quiet';

/** How each option is written and what it does, as help prints it. */
export const OPTIONS: Record<OptionName, { readonly synopsis: string; readonly help: string }> = {
  data: {
    synopsis: '--data DIR|s3://bucket/prefix',
    help: 'data root holding exports/ and reports/ (default: ./data)',
  },
  quarter: {
    synopsis: '--quarter YYYY-Qn',
    help: 'quarter to compute, e.g. 2026-Q3 (default: the last completed quarter)',
  },
  config: {
    synopsis: '--config FILE',
    help: 'configuration file (default: ./kpi-report.json if present, else the defaults)',
  },
  'allow-open-quarter': {
    synopsis: '--allow-open-quarter',
    help: 'compute (or validate) a quarter that has not ended yet; refused otherwise',
  },
  send: { synopsis: '--send', help: 'send through SES (as email.send does) instead of the outbox' },
  resend: {
    synopsis: '--resend',
    help: 'with --send: also mail recipients the ledger says already got it',
  },
  reader: {
    synopsis: '--reader bytes|simple',
    help: 'how exports are read: bytes (byte-level, every core; the default; `fast` is its old name) or simple (zod per row)',
  },
  json: { synopsis: '--json', help: 'one JSON document on stdout (logs stay on stderr)' },
  rejects: {
    synopsis: '--rejects FILE',
    help: 'write every rejected row (dataset, file, line, reason, field, value) to FILE as CSV',
  },
  force: { synopsis: '--force', help: 'replace an existing configuration file' },
  quiet: { synopsis: '--quiet', help: 'no progress or notices on stderr' },
};

export interface CommandSpec {
  readonly summary: string;
  /** More about the command, for its own help. */
  readonly details: string;
  readonly options: readonly OptionName[];
  /** Why an option other commands take is not one of this command's, where it is not obvious. */
  readonly refusals?: Partial<Record<OptionName, string>>;
}

export const COMMANDS = {
  run: {
    summary: 'compute a quarter, publish kpis.json and build (or send) the email',
    details:
      'Writes <data>/reports/<quarter>/kpis.json and validation.json, then report.html, report.txt,\n' +
      'the CSV, and one report-<recipient>.eml per recipient in the report folder (the outbox),\n' +
      'or, with --send, sends them through SES once per recipient and quarter.',
    options: ['data', 'quarter', 'config', 'allow-open-quarter', 'send', 'resend', 'reader', 'json', 'quiet'],
  },
  preview: {
    summary: 'render the email of an already computed quarter to its report folder',
    details: 'Reads <data>/reports/<quarter>/kpis.json and writes the email files again; it never sends.',
    options: ['data', 'quarter', 'config', 'quiet'],
    refusals: { send: 'preview never sends; use run --send' },
  },
  validate: {
    summary: "check a quarter's export set and list what a run would reject (writes nothing)",
    details:
      'Reads the export set as a run would and counts the rejected rows per reason and per rejected\n' +
      'value; with --rejects FILE it writes every rejected row as CSV. A set with rejected rows is\n' +
      'read again by the simple reader, the one told of each.',
    options: ['data', 'quarter', 'config', 'allow-open-quarter', 'reader', 'rejects', 'json', 'quiet'],
    refusals: { send: 'validate writes and sends nothing; use run --send' },
  },
  backfill: {
    summary: 'compute every quarter that has an export set, oldest first (no email)',
    details:
      'Each quarter under <data>/exports/ is computed in turn, so its trends read the snapshots\n' +
      'written before it. A quarter that has not ended is skipped.',
    options: ['data', 'config', 'allow-open-quarter', 'reader', 'json', 'quiet'],
    refusals: {
      quarter: 'backfill computes every quarter that has an export set; use run --quarter for one',
      send: 'backfill builds no email; use run --send for a quarter',
    },
  },
  init: {
    summary: 'write a starter kpi-report.json and the export folder layout',
    details:
      'Writes ./kpi-report.json (or --config FILE) with its JSON Schema named in "$schema", and\n' +
      '<data>/exports/<last completed quarter>/ with a header-only CSV per dataset to fill in.',
    options: ['data', 'config', 'force', 'quiet'],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** The global help: every command and every option. */
export function globalHelp(): string {
  const names = Object.keys(COMMANDS) as CommandName[];
  const commandLines = names.map((name) => `  ${name.padEnd(10)} ${COMMANDS[name].summary}`);
  return [
    'Usage: kpi-report <command> [options]',
    '',
    'Commands:',
    ...commandLines,
    '',
    'Options (each command takes those its help lists):',
    ...optionLines(Object.keys(OPTIONS) as OptionName[]),
    '  -h, --help                      show this help, or a command\'s with "kpi-report help <command>"',
    '  --version                       print the version',
    '',
  ].join('\n');
}

/** One command's help: its synopsis, what it does, and only the options it takes. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  return [
    `Usage: kpi-report ${name} [options]`,
    '',
    `${spec.summary[0]?.toUpperCase()}${spec.summary.slice(1)}.`,
    spec.details,
    '',
    'Options:',
    ...optionLines(spec.options),
    '  -h, --help                      show this help',
    '',
  ].join('\n');
}

function optionLines(names: readonly OptionName[]): string[] {
  return names.map((name) => `  ${OPTIONS[name].synopsis.padEnd(31)} ${OPTIONS[name].help}`);
}
