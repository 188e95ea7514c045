/**
 * Where the CLI writes. stdout holds the result: the text a person reads, or with `--json`
 * only the JSON document (the text then goes to stderr with the logs, so a script piping
 * stdout gets one document and a person watching still sees what happened). stderr holds
 * logs (the configuration used, progress, delivery events); `--quiet` silences them.
 */
export interface Output {
  /** A line of the result, as a person reads it. */
  readonly result: (text: string) => void;
  /** A line of log: what is happening, never the result. */
  readonly log: (text: string) => void;
  /** A warning or failure, on stderr even with `--quiet`. */
  readonly warn: (text: string) => void;
  /** Whether the result is a JSON document (then printed once, with `document`). */
  readonly json: boolean;
  readonly document: (line: string) => void;
}

export function createOutput(options: { json: boolean; quiet: boolean }): Output {
  const log = options.quiet ? () => {} : (text: string) => void process.stderr.write(`${text}\n`);
  return {
    log,
    warn: (text) => void process.stderr.write(`${text}\n`),
    result: options.json ? log : (text) => void process.stdout.write(`${text}\n`),
    json: options.json,
    document: (line) => void process.stdout.write(line),
  };
}
