/**
 * Step 2 of the distributed run (see distributed-run.ts): one interactions part, read with
 * the bytes reader and shuffled (core/aggregate/part-shuffler.ts). Claims pieces are written
 * while the part is read, a few at a time, so memory holds the clients, the chunks in
 * flight and one piece per hash range, whatever the part's size. What it writes last, the
 * part's tally, says the part is done; a retry writes everything again, its pieces under
 * its own attempt, so a half-finished attempt is never read.
 */
import { PartShuffler } from '../core/aggregate/part-shuffler';
import type { OpenShuffle } from '../core/aggregate/shuffle-store';
import type { Config } from '../core/config';
import type { ExportStore } from '../core/ports';
import { parseQuarter, type Quarter, quarterPeriod } from '../core/quarter';
import { createBytesReader } from '../core/readers/bytes/bytes-reader';
import type { ChunkExecutor } from '../core/readers/bytes/chunk-executor';
import { inlineChunkExecutor } from '../core/readers/bytes/inline-chunk-executor';
import type { InteractionsSource } from '../core/readers/bytes/interactions-source';
import type { ExportSetReading } from '../core/readers/export-set-reader';
import { DistributedRunError, interactionsPartsPrefix, readPlan } from './distributed-run';

/** One item of the map: a part of the interactions dataset. */
export interface PartTask {
  readonly quarter: string;
  readonly runId: string;
  /** The part's key under the data root, e.g. `exports/2026-Q3/interactions/part-0001.csv.gz`. */
  readonly key: string;
}

export interface PartResult {
  readonly key: string;
  /** The part's number in the run's plan, or undefined for a key that is not a CSV part. */
  readonly part: number | undefined;
  readonly rows: number;
  /** Rows rejected on their own; repeated ids are found by the range step. */
  readonly rejected: number;
  /** Claims written for the range step. */
  readonly claims: number;
}

/** A part that could not be read or measured; the message names it. */
export class PartMeasureError extends Error {
  override readonly name = 'PartMeasureError';
}

/**
 * Claims pieces being written at once: enough to keep the reader busy while S3 answers, few
 * enough that their bytes (4.5 MB a piece at most) stay small.
 */
const PIECE_WRITES_IN_FLIGHT = 4;

export async function measurePart(options: {
  store: ExportStore;
  config: Config;
  shuffle: OpenShuffle;
  task: PartTask;
  /** Names this invocation (the Lambda request id): the pieces it writes are its own. */
  attempt: string;
  executor?: ChunkExecutor;
}): Promise<PartResult> {
  const { store, config, task, attempt } = options;
  if (!/\.csv(\.gz)?$/i.test(task.key) || !task.key.startsWith(interactionsPartsPrefix(task.quarter))) {
    return { key: task.key, part: undefined, rows: 0, rejected: 0, claims: 0 };
  }
  const shuffle = options.shuffle(task.quarter, task.runId);
  const plan = await readPlan(shuffle, task.quarter, task.runId);
  const part = plan.parts.findIndex((planned) => planned.key === task.key);
  if (part < 0) {
    throw new DistributedRunError(
      `${task.key} is not one of the ${plan.parts.length} parts the run planned: the interactions parts changed after the run started; run the quarter again`,
    );
  }
  const writes = new WritesInFlight(PIECE_WRITES_IN_FLIGHT);
  const shufflerFor = (clientCount: number) =>
    new PartShuffler({
      clientCount,
      ranges: plan.ranges,
      pieceClaims: plan.pieceClaims,
      writePiece: (range, piece, claims) =>
        writes.add(shuffle.writePiece(part, attempt, range, piece, claims)),
    });
  let shuffler: PartShuffler | undefined;
  // Clients, and this part as the only interactions file, its partials shuffled as they come.
  const onePart: InteractionsSource = {
    withOtherDatasets: false,
    take: (files) => ({
      files: files.filter((file) => file.key === task.key),
      collect: (partial, clientCount) => {
        shuffler ??= shufflerFor(clientCount);
        return shuffler.add(partial);
      },
    }),
  };
  let reading: ExportSetReading;
  try {
    const reader = createBytesReader({
      executor: options.executor ?? inlineChunkExecutor(),
      interactions: onePart,
    });
    reading = await reader({
      store,
      config,
      period: quarterPeriod(parseQuarter(task.quarter) as Quarter, config.fiscalYearStartMonth),
    });
  } catch (error) {
    // A failed write is the store's to explain; anything else went wrong reading the part.
    if (error === writes.failure) throw error;
    throw new PartMeasureError(`${task.key} could not be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // A part not read in full (cut short, a row too long…) is a problem with no provenance.
  const provenance = reading.dataQuality.interactions.files[0];
  if (provenance === undefined) {
    throw new PartMeasureError(
      `${task.key} could not be read: ${reading.problems.join('; ') || 'it is not in the export set'}`,
    );
  }
  const planned = plan.parts[part]?.etag;
  if (planned !== undefined && provenance.etag !== undefined && planned !== provenance.etag) {
    throw new PartMeasureError(`${task.key} was replaced after the run started; run the quarter again`);
  }
  // A part of a header alone has no chunks: nothing was shuffled.
  const shuffled = await (shuffler ?? shufflerFor(reading.book.size)).finish();
  await writes.drain();
  await shuffle.writePieces(part, {
    attempt,
    ranges: plan.ranges,
    clientCount: reading.book.size,
    pieces: shuffled.pieces,
    claims: shuffled.claims,
  });
  await shuffle.writePart(part, {
    key: task.key,
    tally: shuffled.tally,
    provenance,
    clientsSha256: reading.dataQuality.clients.files.map((file) => file.sha256),
  });
  return {
    key: task.key,
    part,
    rows: shuffled.tally.rows,
    rejected: shuffled.tally.rejected,
    claims: shuffled.claims.reduce((sum, claims) => sum + claims, 0),
  };
}

/** Writes under way, at most `limit`: `add` waits for the oldest when full, `drain` for all. */
class WritesInFlight {
  private readonly pending: Promise<void>[] = [];
  /** The error of the first write that failed. */
  failure: unknown;

  constructor(private readonly limit: number) {}

  async add(write: Promise<void>): Promise<void> {
    // Awaited below or in drain; this only stops an early unhandled rejection.
    write.catch((error: unknown) => {
      this.failure ??= error;
    });
    this.pending.push(write);
    if (this.pending.length >= this.limit) await this.pending.shift();
  }

  async drain(): Promise<void> {
    while (this.pending.length > 0) await this.pending.shift();
  }
}
