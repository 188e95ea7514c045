/**
 * The distributed run, for export sets beyond one function's 15 minutes, in memory that
 * grows with neither a part nor the quarter. A Step Functions state machine runs:
 *
 * 1. `planShuffle` (once): lists the quarter's interactions parts
 *    (`exports/<quarter>/interactions/part-*.csv[.gz]`), picks the number of hash ranges from
 *    their size (core/aggregate/hash-ranges.ts) and writes the plan every later step works from.
 * 2. `measurePart` (a Distributed Map over the parts): reads clients.csv (so client numbers
 *    agree everywhere) and one part; counts every valid row per client as if it kept its id,
 *    and streams each row's claim (id hash, line, client, flags, id) to its hash range, a
 *    piece at a time. Its memory holds the clients and the pieces being filled.
 * 3. `resolveRange` (a Distributed Map over the ranges): reads its range's claims from every
 *    part, in file order, and finds the repeats: "the first row keeps the id", decided exactly
 *    as in one pass; writes what they take back. Its memory holds the range's id hashes.
 * 4. The reduce step runs the normal report with `readerFromPartials`, which reads the other
 *    datasets as usual and adds up the parts' tallies and the ranges' repeats instead of
 *    reading interactions.
 *
 * Everything in between goes through a `ShuffleStore` (under `reports/runs/<quarter>/<runId>/`).
 */

import { hashRangeCount, pieceClaimsFor } from '../core/aggregate/hash-ranges';
import type { OpenShuffle, ShufflePlan, ShuffleStore } from '../core/aggregate/shuffle-store';
import type { Config } from '../core/config';
import { exportKeys } from '../core/data-root';
import type { FileProvenance } from '../core/export-set/dataset-quality';
import { type DiscoveredFile, discoverExportSet } from '../core/export-set/discover-export-set';
import type { ExportStore } from '../core/ports';
import { createBytesReader } from '../core/readers/bytes/bytes-reader';
import type { ChunkExecutor } from '../core/readers/bytes/chunk-executor';
import { storedBytes } from '../core/readers/bytes/dataset-files';
import { inlineChunkExecutor } from '../core/readers/bytes/inline-chunk-executor';
import type { InteractionsSource, MappedInteractions } from '../core/readers/bytes/interactions-source';
import type { ExportSetReader } from '../core/readers/export-set-reader';

/** A distributed run's step cannot go on: not planned, or its inputs changed since the plan. */
export class DistributedRunError extends Error {
  override readonly name = 'DistributedRunError';
}

/** What a run should do with a quarter: read it in one function, or fan out over its parts. */
export interface RunPlan {
  readonly mode: 'single' | 'distributed';
  /** Stored bytes of the interactions dataset. */
  readonly interactionsBytes: number;
  /** Keys of the interactions parts (empty when the dataset is one file). */
  readonly parts: readonly string[];
  readonly thresholdBytes: number;
  /** One sentence for the logs: why this mode. */
  readonly reason: string;
}

export function interactionsPartsPrefix(quarter: string): string {
  return exportKeys.interactionsParts(quarter);
}

/** Decides between one function and the Distributed Map (config `distributedAboveMiB`). */
export async function planRun(options: {
  store: ExportStore;
  config: Config;
  quarter: string;
}): Promise<RunPlan> {
  const discovered = await discoverExportSet(options.store, options.quarter);
  const files = discovered.files.interactions ?? [];
  const interactionsBytes = files.reduce((sum, file) => sum + file.size, 0);
  const thresholdBytes = options.config.distributedAboveMiB * 2 ** 20;
  const parts = files.filter((file) => file.name.startsWith('interactions/')).map((file) => file.key);
  const base = { interactionsBytes, parts, thresholdBytes };
  const size = `${(interactionsBytes / 2 ** 20).toFixed(0)} MiB of interactions`;
  if (interactionsBytes <= thresholdBytes) {
    return { ...base, mode: 'single', reason: `${size}, within distributedAboveMiB` };
  }
  if (parts.length < 2) {
    return {
      ...base,
      mode: 'single',
      reason: `${size} is over distributedAboveMiB, but one file cannot be shared out: upload it as parts under ${interactionsPartsPrefix(options.quarter)}`,
    };
  }
  return {
    ...base,
    mode: 'distributed',
    reason: `${size} in ${parts.length} parts, over distributedAboveMiB`,
  };
}

/** What the plan step tells the state machine: how many ranges to resolve. */
export interface PlannedShuffle {
  readonly ranges: number;
  readonly parts: number;
}

/** Overrides of the plan's sizes, for tests that want many ranges and pieces from a few rows. */
export interface ShuffleSizing {
  readonly ranges?: number;
  readonly pieceClaims?: number;
}

/** Step 1: the plan, from the parts as listed now; the later steps check that they still are. */
export async function planShuffle(options: {
  store: ExportStore;
  shuffle: OpenShuffle;
  quarter: string;
  runId: string;
  sizing?: ShuffleSizing;
}): Promise<PlannedShuffle> {
  const { quarter } = options;
  const discovered = await discoverExportSet(options.store, quarter);
  if (discovered.problems.length > 0) {
    throw new DistributedRunError(
      `the ${quarter} export set cannot be read: ${discovered.problems.join('; ')}`,
    );
  }
  const files = (discovered.files.interactions ?? []).filter((file) => file.name.startsWith('interactions/'));
  if (files.length === 0) {
    throw new DistributedRunError(
      `no interactions parts under ${interactionsPartsPrefix(quarter)}: nothing to read in parallel`,
    );
  }
  const ranges = options.sizing?.ranges ?? hashRangeCount(storedBytes(files));
  const plan: ShufflePlan = {
    quarter,
    ranges,
    pieceClaims: options.sizing?.pieceClaims ?? pieceClaimsFor(ranges),
    parts: files.map(({ key, size, etag }) => ({ key, size, ...(etag !== undefined && { etag }) })),
  };
  await options.shuffle(quarter, options.runId).writePlan(plan);
  return { ranges, parts: files.length };
}

/** The run's plan, which every step after the first needs. */
export async function readPlan(shuffle: ShuffleStore, quarter: string, runId: string): Promise<ShufflePlan> {
  const plan = await shuffle.readPlan();
  if (plan === undefined) {
    throw new DistributedRunError(
      `run ${runId} of ${quarter} has no plan: its steps run inside the distributed-run state machine, after PlanRanges`,
    );
  }
  return plan;
}

/**
 * The reduce step's reader: reads clients, services, surveys and costs as usual and adds up
 * the interactions from what the map and range steps wrote (a problem, failing the run, when
 * a part or a range has none, or the files changed since the run was planned).
 */
export function readerFromPartials(options: {
  runId: string;
  shuffle: OpenShuffle;
  executor?: () => ChunkExecutor;
}): ExportSetReader {
  return async (readOptions) => {
    const quarter = readOptions.period.label;
    const shuffle = options.shuffle(quarter, options.runId);
    // Earlier quarters (for trends) were not planned by this run: they are read from their files.
    const plan = await shuffle.readPlan();
    const executor = options.executor ?? inlineChunkExecutor;
    if (plan === undefined) return await createBytesReader({ executor })(readOptions);
    const fromShuffle: InteractionsSource = {
      take: (files, clients) => ({ tallies: mappedInteractions(shuffle, plan, files, clients) }),
    };
    return await createBytesReader({ executor, interactions: fromShuffle })(readOptions);
  };
}

async function* mappedInteractions(
  shuffle: ShuffleStore,
  plan: ShufflePlan,
  files: readonly DiscoveredFile[],
  clients: readonly FileProvenance[],
): MappedInteractions {
  const changed = partsChanged(plan, files);
  if (changed !== undefined) {
    yield { problem: `${changed} since the distributed run was planned; run the quarter again` };
    return;
  }
  const clientsRead = clients.map((file) => file.sha256);
  for (const [part, file] of files.entries()) {
    const mapped = await shuffle.readPart(part);
    if (mapped === undefined || mapped.key !== file.key) {
      yield { problem: `${file.name} has no partial aggregate from the map step; run the quarter again` };
      return;
    }
    if (!sameList(mapped.clientsSha256, clientsRead)) {
      yield {
        problem: `clients.csv changed after the map step read ${file.name} (client numbers would not match); run the quarter again`,
      };
      return;
    }
    yield { part: { tally: mapped.tally, provenance: mapped.provenance } };
  }
  for (let range = 0; range < plan.ranges; range++) {
    const resolved = await shuffle.readRange(range);
    if (resolved === undefined || resolved.ranges !== plan.ranges) {
      yield {
        problem: `the interaction ids of hash range ${range + 1} of ${plan.ranges} were not checked for repeats; run the quarter again`,
      };
      return;
    }
    yield { repeats: resolved.repeats };
  }
}

/** How the parts listed now differ from the plan's, or undefined when they do not. */
function partsChanged(plan: ShufflePlan, files: readonly DiscoveredFile[]): string | undefined {
  if (
    !sameList(
      plan.parts.map((part) => part.key),
      files.map((file) => file.key),
    )
  ) {
    return `the interactions parts changed (${plan.parts.length} planned, ${files.length} listed now)`;
  }
  const replaced = files.find((file, i) => {
    const planned = plan.parts[i]?.etag;
    return planned !== undefined && file.etag !== undefined && planned !== file.etag;
  });
  return replaced && `${replaced.name} was replaced`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
