/**
 * Errors the use cases raise for the caller's mistakes. Shells map them: the CLI prints
 * the message and exits non-zero; the API answers 4xx with the message. Anything else is
 * a bug or an outage and is reported without detail.
 */

/** The export set cannot produce a report: missing datasets or columns, or too many bad rows. */
export class ExportSetError extends Error {
  override readonly name = 'ExportSetError';
  constructor(
    readonly quarter: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `The ${quarter} export set cannot be reported on:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
      options,
    );
  }
}

/**
 * A stored export file whose bytes cannot be read in full as what its name says: cut short
 * (fewer bytes than listed), not gzip although named `.gz`, a truncated gzip member or one
 * whose checksum fails. The reading turns it into a problem of the export set, naming the
 * file, so the run fails (exit 1) instead of computing KPIs from part of the file.
 */
export class ExportFileError extends Error {
  override readonly name = 'ExportFileError';
  constructor(
    /** The file as reports name it, relative to the export set: `interactions/part-2.csv.gz`. */
    readonly file: string,
    /** One sentence: what is wrong and what to do, starting with the file's name. */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(problem, options);
  }
}

/**
 * A quarter that has not ended in the reporting time zone: its exports cannot be complete,
 * so a run refuses it unless told otherwise (the CLI's `--allow-open-quarter`).
 */
export class OpenQuarterError extends Error {
  override readonly name = 'OpenQuarterError';
  constructor(
    readonly quarter: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The data location, or what reaching it needs, cannot be used as it is: a path that is a
 * file or does not exist, an unknown scheme, a link out of the data root or in a loop,
 * `reports/` not writable, no credentials, no such bucket, an endpoint out of reach. Thrown
 * by the store adapters with a message naming the location or setting and the fix; the CLI
 * exits 2 with it.
 */
export class DataLocationError extends Error {
  override readonly name = 'DataLocationError';
}
