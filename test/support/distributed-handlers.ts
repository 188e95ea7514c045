/**
 * The distributed-run state machine's steps before the reduce, through the handlers as it
 * invokes them: resolve-repeats plans the run, map-part runs on each part (bucket keys as
 * the Distributed Map lists them), then resolve-repeats on each hash range of the plan.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { createMapPartHandler } from '../../functions/map-part/index';
import { createResolveRepeatsHandler } from '../../functions/resolve-repeats/index';
import type { Config } from '../../src/core/config';
import type { ExportStore } from '../../src/core/ports';

export async function mapAndResolve(options: {
  readonly store: ExportStore;
  readonly config: Config;
  /** The data root's prefix in the bucket. */
  readonly prefix: string;
  readonly logger: Logger;
  readonly quarter: string;
  readonly runId: string;
  /** The parts' bucket keys, as listed. */
  readonly keys: readonly string[];
}): Promise<void> {
  const { store, config, prefix, logger, quarter, runId } = options;
  const resolveRepeats = createResolveRepeatsHandler({ store, logger });
  const { ranges } = (await resolveRepeats({ step: 'plan', quarter, runId })) as { ranges: number };
  const mapPart = createMapPartHandler({ store, config, prefix, logger });
  for (const key of options.keys) await mapPart({ quarter, runId, key });
  for (let range = 0; range < ranges; range++) await resolveRepeats({ step: 'range', quarter, runId, range });
}
