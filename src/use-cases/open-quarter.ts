/**
 * Whether a quarter has ended in the reporting time zone: one that has not cannot have
 * complete exports, so `run` and `backfill` refuse it (and `validate` says they would)
 * unless told to compute it anyway.
 */
import type { Config } from '../core/config';
import { dayInZone } from '../core/dates';
import { OpenQuarterError } from '../core/errors';
import { formatDay, type QuarterPeriod } from '../core/quarter';

/** Why `period` cannot be run on `now`, or undefined when it has ended. */
export function openQuarterRefusal(
  period: QuarterPeriod,
  config: Pick<Config, 'timeZone'>,
  now: Date,
): string | undefined {
  const today = dayInZone(config.timeZone)(now.getTime());
  if (today > period.end) return undefined;
  return `${period.label} has not ended: it runs to ${formatDay(period.end)} (${config.timeZone}) and today is ${formatDay(today)} there, so its exports cannot be complete; run it once the quarter is over, or pass --allow-open-quarter to compute it anyway`;
}

/** Throws `OpenQuarterError` for a quarter that has not ended, unless `allow`. */
export function refuseOpenQuarter(
  period: QuarterPeriod,
  config: Pick<Config, 'timeZone'>,
  now: Date,
  allow: boolean | undefined,
): void {
  const refusal = allow ? undefined : openQuarterRefusal(period, config, now);
  if (refusal !== undefined) throw new OpenQuarterError(period.label, refusal);
}
