/**
 * kpis.md's rule for services.csv: a service is in use during the quarter when
 * `started_on <= Q.end` and (`ended_on` is empty or `ended_on > Q.start`). Both readers
 * count a (client, service) pair by it, so it is written once, here.
 */
import type { QuarterPeriod } from '../quarter';

/**
 * Whether a service that started on day `startedOn` and ended on `endedOn` (`undefined`,
 * or `Infinity`, when `ended_on` is empty) is in use during `period`. Days are day numbers.
 */
export function inUseDuring(
  period: Pick<QuarterPeriod, 'start' | 'end'>,
  startedOn: number,
  endedOn: number | undefined,
): boolean {
  return startedOn <= period.end && (endedOn === undefined || endedOn > period.start);
}
