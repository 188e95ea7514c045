/**
 * The repeat check of the distributed run, which the state machine calls at both ends of
 * the map over the parts:
 *
 * - `{ step: 'plan', quarter, runId }` first: lists the quarter's interactions parts, picks
 *   the number of hash ranges from their size and writes the run's plan (`planShuffle`);
 *   answers `{ ranges, parts }`, and the state machine then maps over the ranges;
 * - `{ step: 'range', quarter, runId, range }` once every part is measured: finds the
 *   repeated ids of one hash range across all parts (`resolveRange`); answers
 *   `{ range, claims, repeats }`.
 *
 * A thin shell: parse the event with zod, call the use case, log. Failures are rethrown so
 * that the state machine's retries and failure path see them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import type { OpenShuffle } from '../../src/core/aggregate/shuffle-store';
import type { ExportStore } from '../../src/core/ports';
import { quarterLabelSchema } from '../../src/core/quarter-label';
import { type PlannedShuffle, planShuffle } from '../../src/use-cases/distributed-run';
import { type RangeResult, resolveRange } from '../../src/use-cases/resolve-range';
import { lambdaSettings } from '../../src/wiring/lambda-environment';
import { shuffleIn } from '../../src/wiring/shuffle';

/** The two calls, as the state machine's PlanRanges task and ResolveRepeats map build them. */
export const resolveRepeatsEventSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('plan'), quarter: quarterLabelSchema, runId: z.string().min(1) }),
  z.object({
    step: z.literal('range'),
    quarter: quarterLabelSchema,
    runId: z.string().min(1),
    range: z.number().int().nonnegative(),
  }),
]);

export interface ResolveRepeatsDependencies {
  /** The data root: the parts are listed there, and the run's folder is in it. */
  readonly store: ExportStore;
  /**
   * Where the run's plan, tallies and claims are.
   * @default objects under the run's folder in `store`
   */
  readonly shuffle?: OpenShuffle;
  readonly logger: Logger;
}

export function createResolveRepeatsHandler(deps: ResolveRepeatsDependencies) {
  const shuffle = deps.shuffle ?? shuffleIn(deps.store);
  return async (event: unknown): Promise<PlannedShuffle | RangeResult> => {
    const request = resolveRepeatsEventSchema.parse(event);
    deps.logger.appendKeys({ runId: request.runId, quarter: request.quarter, step: request.step });
    try {
      if (request.step === 'plan') {
        const planned = await planShuffle({ store: deps.store, shuffle, ...request });
        deps.logger.info('distributed run planned', { ...planned });
        return planned;
      }
      const resolved = await resolveRange({ shuffle, task: request });
      deps.logger.info('hash range checked for repeats', { ...resolved });
      return resolved;
    } catch (error) {
      deps.logger.error(`the ${request.step} step failed`, error as Error);
      throw error;
    } finally {
      deps.logger.removeKeys(['runId', 'quarter', 'step']);
    }
  };
}

/** Built once per cold start from the environment the CDK construct sets. */
function fromEnvironment(): (event: unknown) => Promise<PlannedShuffle | RangeResult> {
  const settings = lambdaSettings(process.env);
  return createResolveRepeatsHandler({ store: settings.store, logger: new Logger() });
}

let cold: ((event: unknown) => Promise<PlannedShuffle | RangeResult>) | undefined;
export const handler = (event: unknown): Promise<PlannedShuffle | RangeResult> => {
  cold ??= fromEnvironment();
  return cold(event);
};
