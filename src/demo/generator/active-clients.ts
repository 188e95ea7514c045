/**
 * The clients of the book who were customers on at least one day of a quarter, each with
 * its self-service share and number of interactions for the quarter.
 */
import type { Prng } from '../prng';
import { quarterOrdinal } from './calendar';
import { NONE } from './client';
import { type ActiveClient, type Context, type QuarterFrame, STREAM_INTERACTIONS } from './context';
import { sigmoid } from './numbers';
import {
  DORMANT_SHARE,
  INTERACTIONS_BY_SIZE,
  SHARE_BASE_LOGIT,
  SHARE_BY_PRODUCT,
  SHARE_BY_REGION,
  SHARE_BY_SIZE,
  SHARE_NEW_CLIENT,
} from './segments';
import type { Trend } from './trend';

export function activeClients(context: Context, frame: QuarterFrame, trend: Trend): ActiveClient[] {
  const rng = context.rng(quarterOrdinal(frame.quarter), STREAM_INTERACTIONS);
  const length = frame.end - frame.start + 1;
  const active: ActiveClient[] = [];
  for (const client of context.book) {
    if (client.since > frame.end || (client.churnedOn !== NONE && client.churnedOn <= frame.start)) continue;
    const from = Math.max(client.since, frame.start);
    const to = client.churnedOn === NONE ? frame.end : Math.min(client.churnedOn - 1, frame.end);
    const isNew = frame.start - client.since < 180;
    const share = client.adopted
      ? sigmoid(
          SHARE_BASE_LOGIT +
            trend.shareShift +
            (SHARE_BY_SIZE[client.size] ?? 0) +
            (SHARE_BY_PRODUCT[client.product] ?? 0) +
            (SHARE_BY_REGION[client.region] ?? 0) +
            (isNew ? SHARE_NEW_CLIENT : 0) +
            client.shareNoise,
        )
      : 0;
    const mean =
      context.interactionsPerClient *
      (INTERACTIONS_BY_SIZE[client.size] ?? 1) *
      client.activity *
      ((to - from + 1) / length);
    const interactions = rng.chance(DORMANT_SHARE) ? 0 : rng.poisson(mean);
    active.push({ client, from, to, share, interactions });
  }
  return active;
}

export function randomActiveId(active: readonly ActiveClient[], rng: Prng): string {
  return active.length === 0 ? 'C-000001' : (active[rng.int(active.length)]?.client.id ?? 'C-000001');
}
