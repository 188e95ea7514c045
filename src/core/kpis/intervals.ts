/**
 * How sure a KPI value is: a 95% interval for every rate and score, and whether a change
 * between two quarters is larger than the noise of both. The README's "Uncertainty"
 * section states these formulas with a worked example.
 *
 * A quarter's figures are counts over every client, not a survey of some, yet they still
 * move from quarter to quarter by chance: which clients happened to answer, renew or call.
 * The intervals treat each quarter as one draw of that process.
 */

/** A 95% interval, in the KPI's unit. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** The 0.975 quantile of the standard normal distribution: 95% two-sided. */
export const Z_95 = 1.959963984540054;

/**
 * Wilson score interval for `successes` of `trials`, in percent (Wilson 1927). Unlike the
 * textbook p ± z·√(p(1−p)/n), it stays inside 0–100 and is not zero-width at 0% or 100%,
 * which matters for small segments. `null` without trials.
 */
export function wilsonInterval(successes: number, trials: number): Interval | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = Z_95 * Z_95;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (Z_95 / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half) * 100, high: Math.min(1, centre + half) * 100 };
}

/**
 * NPS ± z·SE with the standard variance of a difference of two shares of one sample:
 * Var(NPS/100) = (pP + pD − (pP − pD)²) / n, where pP and pD are the promoters' and
 * detractors' shares of the n responses. Clamped to −100…100. `null` without responses.
 */
export function npsInterval(promoters: number, detractors: number, responses: number): Interval | null {
  if (responses <= 0) return null;
  const pP = promoters / responses;
  const pD = detractors / responses;
  const variance = Math.max(0, pP + pD - (pP - pD) ** 2) / responses;
  const nps = (pP - pD) * 100;
  const half = Z_95 * Math.sqrt(variance) * 100;
  return { low: Math.max(-100, nps - half), high: Math.min(100, nps + half) };
}

/** What the mean of a group's observations rests on: their count, sum and sum of squares. */
export interface Moments {
  readonly count: number;
  readonly sum: number;
  readonly sumOfSquares: number;
}

/**
 * `mean` ± z·s/√n, where s² = (Σx² − (Σx)²/n) / (n − 1) is the sample variance: the
 * standard error of a mean. `mean` is the reported value (it may differ from Σx/n, as
 * Cost to Support's does by the costs of clients no longer active). Clamped to `bounds`.
 * `null` with fewer than two observations: one cannot say how much they vary.
 */
export function meanInterval(
  mean: number,
  moments: Moments,
  bounds: { readonly min?: number; readonly max?: number } = {},
): Interval | null {
  const { count, sum, sumOfSquares } = moments;
  if (count < 2) return null;
  // Rounding can leave a tiny negative where every observation is the same.
  const variance = Math.max(0, (sumOfSquares - (sum * sum) / count) / (count - 1));
  const half = Z_95 * Math.sqrt(variance / count);
  return {
    low: Math.max(bounds.min ?? Number.NEGATIVE_INFINITY, mean - half),
    high: Math.min(bounds.max ?? Number.POSITIVE_INFINITY, mean + half),
  };
}

/**
 * Whether `value − earlier` is larger than the noise of both quarters, by the MOVER method
 * (Zou & Donner 2008; for two proportions it is Newcombe's hybrid score interval): the
 * change's interval runs from d − √((v − lᵥ)² + (uₑ − e)²) to d + √((uᵥ − v)² + (e − lₑ)²),
 * and the change is outside the noise when that interval leaves out 0. For symmetric
 * intervals this is d ± z·√(SEᵥ² + SEₑ²). An earlier quarter without an interval (a
 * snapshot written before intervals existed) is taken to be as precise as this one.
 * `null` when either value or this quarter's interval is missing.
 */
export function outsideNoise(
  value: number | null,
  interval: Interval | null,
  earlier: number | null,
  earlierInterval: Interval | null | undefined,
): boolean | null {
  if (value === null || earlier === null || interval === null) return null;
  const before = earlierInterval ?? {
    low: earlier - (value - interval.low),
    high: earlier + (interval.high - value),
  };
  const change = value - earlier;
  const low = change - Math.hypot(value - interval.low, before.high - earlier);
  const high = change + Math.hypot(interval.high - value, earlier - before.low);
  return low > 0 || high < 0;
}
