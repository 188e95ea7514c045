/**
 * What moves across quarters, with `t` = quarters since the first requested quarter: the
 * trends the module comment of `generate-exports.ts` lists.
 */
import type { Quarter } from '../../core/quarter';
import { WeightedTable } from '../prng';
import { JOIN_RATE, SHARE_TREND_PER_QUARTER } from './segments';

/** Per-quarter knobs: everything that moves across quarters is here. */
export interface Trend {
  readonly t: number;
  readonly shareShift: number;
  readonly adoptionHazard: number;
  readonly newClientAdoption: number;
  readonly churnFactor: number;
  readonly joinRate: number;
  readonly crossSellFactor: number;
  readonly cessShift: number;
  readonly npsShift: number;
  readonly costPerAssistedCents: number;
  readonly productTable: WeightedTable;
}

export function trendFor(t: number, quarter: Quarter): Trend {
  const q = quarter.index;
  return {
    t,
    shareShift: SHARE_TREND_PER_QUARTER * t,
    adoptionHazard: 0.1 + 0.012 * t,
    newClientAdoption: Math.min(0.8, 0.35 + 0.03 * t),
    churnFactor: Math.max(0.6, 1 - 0.03 * t) * (q === 4 ? 1.5 : 1),
    joinRate: JOIN_RATE + (q === 1 ? 0.02 : 0),
    crossSellFactor: 1 + 0.1 * t,
    cessShift: 1.1 * t,
    npsShift: 0.1 * t - (q === 1 ? 0.3 : 0),
    costPerAssistedCents: 2600 * 1.01 ** t,
    productTable: new WeightedTable([
      Math.max(0.25, 0.45 - 0.01 * t),
      Math.max(0.2, 0.35 - 0.01 * t),
      Math.min(0.45, 0.2 + 0.02 * t),
    ]),
  };
}
