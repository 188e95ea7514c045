/** Why the delivery ledger refuses to go on: each names the store and what to do. */

/** Sending needs a store that refuses a second create and a stale replace; this one did not. */
export class StoreCannotExcludeError extends Error {
  override readonly name = 'StoreCannotExcludeError';
  constructor(location: string, what: string) {
    super(
      `kpi-report will not send from ${location}: ${what}, so two runs at once could both mail a recipient. ` +
        'Sending keeps its delivery ledger in the data root and needs conditional writes (If-None-Match: * and If-Match), ' +
        'as AWS S3 and a local directory have; s3rver, fauxqs and some S3-compatible servers ignore them. ' +
        'Use such a store for --send, or run without --send to write the messages to the outbox.',
    );
  }
}

/** Conditional writes kept losing: the store is overloaded, or answers 409 to everything. */
export class LedgerContentionError extends Error {
  override readonly name = 'LedgerContentionError';
}

/** A ledger object that is not what the ledger writes: a hand edit, or another program. */
export class LedgerFileError extends Error {
  override readonly name = 'LedgerFileError';
  constructor(location: string, key: string, problem: string) {
    super(
      `${location}/${key} is not a delivery ledger file (${problem}); move it away and run again (the recipient may then be mailed again)`,
    );
  }
}
