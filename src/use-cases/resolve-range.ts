/**
 * Step 3 of the distributed run (see distributed-run.ts): one hash range's claims from every
 * part, in file order, through the repeat check (core/aggregate/repeat-resolver.ts). Pieces
 * are read one after another, the next while the last is checked, so memory holds the
 * range's id table and two pieces.
 */

import type { Claims } from '../core/aggregate/partial-aggregate';
import { RepeatResolver } from '../core/aggregate/repeat-resolver';
import type { OpenShuffle, PartPieces } from '../core/aggregate/shuffle-store';
import { DistributedRunError, readPlan } from './distributed-run';

export interface RangeTask {
  readonly quarter: string;
  readonly runId: string;
  /** 0 … ranges − 1 of the run's plan. */
  readonly range: number;
}

export interface RangeResult {
  readonly range: number;
  /** Claims of the range in all parts. */
  readonly claims: number;
  /** Rows rejected as repeats of an earlier row's id. */
  readonly repeats: number;
}

export async function resolveRange(options: { shuffle: OpenShuffle; task: RangeTask }): Promise<RangeResult> {
  const { quarter, runId, range } = options.task;
  const shuffle = options.shuffle(quarter, runId);
  const plan = await readPlan(shuffle, quarter, runId);
  if (!(Number.isInteger(range) && range >= 0 && range < plan.ranges)) {
    throw new DistributedRunError(
      `range ${range} is not one of the run's ${plan.ranges} hash ranges (0 to ${plan.ranges - 1})`,
    );
  }
  const manifests = await Promise.all(
    plan.parts.map(async (planned, part): Promise<PartPieces> => {
      const pieces = await shuffle.readPieces(part);
      if (pieces === undefined || pieces.ranges !== plan.ranges) {
        throw new DistributedRunError(
          `${planned.key} was not mapped for this run; the range step runs after every part's map step`,
        );
      }
      return pieces;
    }),
  );
  const clientCount = manifests[0]?.clientCount ?? 0;
  if (manifests.some((pieces) => pieces.clientCount !== clientCount)) {
    throw new DistributedRunError(
      'the map steps read clients.csv with different numbers of clients: it changed during the run; run the quarter again',
    );
  }
  const order = manifests.flatMap((pieces, part) =>
    Array.from({ length: pieces.pieces[range] ?? 0 }, (_, piece) => ({ part, pieces, piece })),
  );
  const claims = manifests.reduce((sum, pieces) => sum + (pieces.claims[range] ?? 0), 0);
  const resolver = new RepeatResolver(clientCount, claims);
  const read = (index: number): Promise<Claims> | undefined => {
    const next = order[index];
    if (next === undefined) return undefined;
    const reading = shuffle.readPiece(next.part, next.pieces, range, next.piece);
    reading.catch(() => {}); // awaited in turn below; this only stops an early unhandled rejection
    return reading;
  };
  let reading = read(0);
  let added = 0;
  for (let index = 0; reading !== undefined; index++) {
    const piece = await reading;
    reading = read(index + 1);
    resolver.add(piece);
    added += piece.length;
  }
  if (added !== claims) {
    throw new DistributedRunError(
      `hash range ${range}'s pieces hold ${added} claims where the map steps wrote ${claims}`,
    );
  }
  const repeats = resolver.result();
  await shuffle.writeRange({ range, ranges: plan.ranges, claims, repeats });
  return { range, claims, repeats: repeats.rejected };
}
