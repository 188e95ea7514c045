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
