/**
 * The options of `npm run bench`, parsed once at start-up; a bad value stops the bench
 * with every problem listed before minutes are spent generating data.
 */
import { parseArgs } from 'node:util';

export const READERS = ['bytes', 'simple'] as const;
export type Reader = (typeof READERS)[number];

export interface BenchOptions {
  /** Interaction rows of each export set, smallest first. Default 1M, 5M and 20M. */
  readonly sizes: number[];
  /** Runs of each method per size; the tables show medians. Default 3. */
  readonly runs: number;
  /** kpi-report readers to run, each as its own method. Default `bytes`. */
  readonly readers: Reader[];
  /** Leave the DuckDB queries out (and with them the cross-checks). Default false. */
  readonly skipDuckdb: boolean;
}

export const BENCH_USAGE = `Usage: npm run bench -- [options]

  --sizes 1m,5m,10m,20m  interaction rows of each export set (k and m suffixes; default 1m,5m,10m,20m)
  --runs N               runs of each method per size, medians reported (default 3)
  --readers bytes,simple kpi-report readers to run, one method each (default bytes; fast: bytes)
  --skip-duckdb          run no DuckDB query (typed read, uniqueness check, first row kept) nor the cross-checks
  -h, --help             show this help
`;

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

/** `1m` → 1,000,000; `250k` → 250,000; `5000000` → 5,000,000. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) return undefined;
  const scale = { '': 1, k: 1_000, m: 1_000_000 }[(match[2] ?? '').toLowerCase()] ?? 1;
  const size = Math.round(Number(match[1]) * scale);
  return size >= 1 ? size : undefined;
}

/** A size as the tables name it: `1m`, `20m`, `250k`, or the plain number. */
export function sizeLabel(size: number): string {
  if (size % 1_000_000 === 0) return `${size / 1_000_000}m`;
  if (size % 1_000 === 0) return `${size / 1_000}k`;
  return String(size);
}

/** Parses the command line; `undefined` when help was asked for. */
export function parseBenchOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '1m,5m,10m,20m' },
      runs: { type: 'string', default: '3' },
      readers: { type: 'string', default: 'bytes' },
      'skip-duckdb': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const problems: string[] = [];

  const sizes: number[] = [];
  for (const text of values.sizes.split(',')) {
    const size = parseSize(text);
    if (size === undefined)
      problems.push(`--sizes: '${text}' is not a row count such as 1m, 250k or 5000000`);
    else if (!sizes.includes(size)) sizes.push(size);
  }
  sizes.sort((a, b) => a - b);

  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    problems.push(`--runs: '${values.runs}' is not a whole number >= 1`);

  const readers: Reader[] = [];
  for (const text of values.readers.split(',')) {
    // `fast` is the bytes reader's earlier name, as on the CLI.
    const reader = (text.trim() === 'fast' ? 'bytes' : text.trim()) as Reader;
    if (!READERS.includes(reader)) problems.push(`--readers: '${text}' is not one of ${READERS.join(', ')}`);
    else if (!readers.includes(reader)) readers.push(reader);
  }

  if (problems.length > 0) throw new BenchUsageError(problems.join('\n'));
  return { sizes, runs, readers, skipDuckdb: values['skip-duckdb'] };
}
