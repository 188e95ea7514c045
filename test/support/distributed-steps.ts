/**
 * The distributed run's steps run in this process, as the state machine runs them: the plan,
 * the map over every part, then the map over every hash range (each map in the order given,
 * as a Distributed Map may run its items in any order).
 */
import type { Config } from '../../src/core/config';
import type { ExportStore } from '../../src/core/ports';
import type { ChunkExecutor } from '../../src/core/readers/bytes/chunk-executor';
import { planShuffle, type ShuffleSizing } from '../../src/use-cases/distributed-run';
import { measurePart } from '../../src/use-cases/measure-part';
import { resolveRange } from '../../src/use-cases/resolve-range';
import { shuffleIn } from '../../src/wiring/shuffle';

export interface DistributedSteps {
  readonly store: ExportStore;
  readonly config: Config;
  readonly quarter: string;
  readonly runId: string;
  readonly sizing?: ShuffleSizing;
  /** Runs the parts and the ranges last to first. */
  readonly backwards?: boolean;
  /** A fresh executor per part (closed after it), as the map-part function makes one per call. */
  readonly executor?: () => ChunkExecutor;
}

export async function runDistributedSteps(steps: DistributedSteps): Promise<void> {
  const { store, config, quarter, runId } = steps;
  const shuffle = shuffleIn(store);
  const planned = await planShuffle({ store, shuffle, quarter, runId, sizing: steps.sizing });
  const inOrder = <T>(items: T[]) => (steps.backwards ? items.reverse() : items);
  const keys: string[] = [];
  for await (const object of store.list(`exports/${quarter}/interactions/`)) keys.push(object.key);
  for (const [index, key] of inOrder(keys).entries()) {
    const executor = steps.executor?.();
    try {
      await measurePart({
        store,
        config,
        shuffle,
        task: { quarter, runId, key },
        attempt: `attempt-${index}`,
        executor,
      });
    } finally {
      await executor?.close();
    }
  }
  const ranges = Array.from({ length: planned.ranges }, (_, range) => range);
  for (const range of inOrder(ranges)) await resolveRange({ shuffle, task: { quarter, runId, range } });
}
