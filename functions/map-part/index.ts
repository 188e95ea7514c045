/**
 * The map step of the distributed run: the Step Functions Distributed Map calls this function
 * once per object listed under the quarter's `exports/<quarter>/interactions/` prefix. A thin
 * shell: parse the item with zod, turn the listed S3 key into a key under the data root, call
 * `measurePart`, log, and return the small `PartResult` (the part's tally and its claims go
 * to S3). Failures are rethrown so that the state machine's retries and failure path see them.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { createChunkExecutor } from '../../src/adapters/workers/worker-bytes-reader';
import type { OpenShuffle } from '../../src/core/aggregate/shuffle-store';
import type { Config } from '../../src/core/config';
import type { ExportStore } from '../../src/core/ports';
import { quarterLabelSchema } from '../../src/core/quarter-label';
import type { ChunkExecutor } from '../../src/core/readers/bytes/chunk-executor';
import { interactionsPartsPrefix } from '../../src/use-cases/distributed-run';
import { measurePart, type PartResult } from '../../src/use-cases/measure-part';
import { lambdaSettings } from '../../src/wiring/lambda-environment';
import type { InvocationContext } from '../../src/wiring/run-attempt';
import { shuffleIn } from '../../src/wiring/shuffle';

/** One Map item, as the state machine's ItemSelector builds it; `key` is the full S3 object key. */
export const partItemSchema = z.object({
  quarter: quarterLabelSchema,
  runId: z.string().min(1),
  key: z.string().min(1),
});

/** A listed key that is not a part of the quarter's interactions under this data root. */
export class PartKeyError extends Error {
  override readonly name = 'PartKeyError';
}

export interface MapPartDependencies {
  readonly store: ExportStore;
  readonly config: Config;
  /**
   * Where the run's plan is read and the part's tally and claims written.
   * @default objects under the run's folder in `store`
   */
  readonly shuffle?: OpenShuffle;
  /** The data root's prefix in the bucket (`DATA_PREFIX`, '' for the bucket root). */
  readonly prefix: string;
  readonly logger: Logger;
  /**
   * Where the part's chunks are read, made per call and closed after it.
   * @default this thread alone
   */
  readonly executor?: () => ChunkExecutor;
}

/**
 * The part's key relative to the data root: the bucket key without `prefix/`, which must then
 * lie under `exports/<quarter>/interactions/` (the only objects the map is meant to list).
 */
export function partKeyUnderDataRoot(bucketKey: string, prefix: string, quarter: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  const root = trimmed === '' ? '' : `${trimmed}/`;
  const key = bucketKey.startsWith(root) ? bucketKey.slice(root.length) : undefined;
  const parts = interactionsPartsPrefix(quarter);
  if (key === undefined || !key.startsWith(parts)) {
    throw new PartKeyError(`${bucketKey} is not under ${root}${parts}`);
  }
  return key;
}

export function createMapPartHandler(deps: MapPartDependencies) {
  const shuffle = deps.shuffle ?? shuffleIn(deps.store);
  return async (event: unknown, context?: InvocationContext): Promise<PartResult> => {
    const item = partItemSchema.parse(event);
    const key = partKeyUnderDataRoot(item.key, deps.prefix, item.quarter);
    deps.logger.appendKeys({ runId: item.runId, quarter: item.quarter, key });
    const executor = deps.executor?.();
    try {
      const result = await measurePart({
        store: deps.store,
        config: deps.config,
        shuffle,
        task: { quarter: item.quarter, runId: item.runId, key },
        // A retry of this item is another invocation: it writes its claims apart.
        attempt: context?.awsRequestId ?? randomUUID(),
        executor,
      });
      if (result.part === undefined) {
        deps.logger.info('not an interactions part: skipped', { key });
      } else {
        deps.logger.info('part measured', { ...result });
      }
      return result;
    } catch (error) {
      deps.logger.error('measuring the part failed', error as Error);
      throw error;
    } finally {
      await executor?.close();
      deps.logger.removeKeys(['runId', 'quarter', 'key']);
    }
  };
}

/** Built once per cold start from the environment the CDK construct sets. */
function fromEnvironment(): (event: unknown, context?: InvocationContext) => Promise<PartResult> {
  const settings = lambdaSettings(process.env);
  return createMapPartHandler({
    store: settings.store,
    config: settings.config,
    prefix: settings.env.DATA_PREFIX,
    logger: new Logger(),
    // The reader's worker thread beside the handler: both vCPUs read the part.
    executor: () => createChunkExecutor(),
  });
}

let cold: ((event: unknown, context?: InvocationContext) => Promise<PartResult>) | undefined;
export const handler = (event: unknown, context?: InvocationContext): Promise<PartResult> => {
  cold ??= fromEnvironment();
  return cold(event, context);
};
