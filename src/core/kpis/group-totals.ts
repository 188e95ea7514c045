/**
 * The counts and sums every KPI is a ratio of, for one group of clients (the company, or
 * one value of one segment dimension). Built in one pass over the clients.
 */
import type { ClientBook } from '../client-state/client-book';
import type { QuarterActivity } from '../client-state/quarter-activity';
import type { QuarterPeriod } from '../quarter';

export interface GroupTotals {
  /** Clients with at least one interaction in Q, active or not. */
  served: number;
  /** Served clients whose self-service share is at least the threshold. */
  independent: number;
  active: number;
  activeWithSelfService: number;
  /** Σ over active clients of distinct services in use during Q. */
  activeServices: number;
  /** Σ over active clients of the square of that count: the spread of Relationship Depth. */
  activeServicesSquared: number;
  /** Assisted interactions in Q of active clients: the weights of the cost pool. */
  activeAssisted: number;
  /**
   * The spread of Cost to Support over active clients, whose cost is their direct cost plus
   * a share of the pool by assisted interactions: Σ direct, Σ direct², Σ direct × assisted and
   * Σ assisted² (see kpi-values). Money in nanos (nanos² for the squares), as bigints, so
   * the sums are exact and do not depend on the order of the clients.
   */
  activeDirectCostNanos: bigint;
  activeDirectCostSquaredNanos: bigint;
  activeDirectCostTimesAssistedNanos: bigint;
  activeAssistedSquared: number;
  customersAtStart: number;
  retained: number;
  cessMicroPoints: number;
  /** Σ over responses of their square, in hundredths of a point (QuarterActivity). */
  cessSquaredCentipoints: number;
  cessResponses: number;
  promoters: number;
  detractors: number;
  npsResponses: number;
  /** Costs in Q attributed to the group's clients (active or not), in nanos. */
  directCostNanos: bigint;
}

export function emptyTotals(): GroupTotals {
  return {
    served: 0,
    independent: 0,
    active: 0,
    activeWithSelfService: 0,
    activeServices: 0,
    activeServicesSquared: 0,
    activeAssisted: 0,
    activeDirectCostNanos: 0n,
    activeDirectCostSquaredNanos: 0n,
    activeDirectCostTimesAssistedNanos: 0n,
    activeAssistedSquared: 0,
    customersAtStart: 0,
    retained: 0,
    cessMicroPoints: 0,
    cessSquaredCentipoints: 0,
    cessResponses: 0,
    promoters: 0,
    detractors: 0,
    npsResponses: 0,
    directCostNanos: 0n,
  };
}

export interface TotalsByGroup {
  readonly company: GroupTotals;
  /** dimension name → segment value → totals */
  readonly segments: Map<string, Map<string, GroupTotals>>;
}

export function totalGroups(
  book: ClientBook,
  activity: QuarterActivity,
  period: QuarterPeriod,
  independenceThreshold: number,
): TotalsByGroup {
  const company = emptyTotals();
  const segmentTotals = book.dimensions.map((dimension) => dimension.values.map(() => emptyTotals()));
  // One array refilled per client, not one made per client: this runs for every client.
  const groups: GroupTotals[] = [company];
  for (let client = 0; client < book.size; client++) {
    for (let d = 0; d < book.dimensions.length; d++) {
      const value = book.dimensions[d]?.valueOfClient.values[client] as number;
      groups[d + 1] = segmentTotals[d]?.[value] as GroupTotals;
    }
    addClient(groups, client, book, activity, period, independenceThreshold);
  }
  const segments = new Map(
    book.dimensions.map((dimension, d) => [
      dimension.name,
      new Map(dimension.values.map((value, v) => [value, segmentTotals[d]?.[v] as GroupTotals])),
    ]),
  );
  return { company, segments };
}

function addClient(
  groups: GroupTotals[],
  client: number,
  book: ClientBook,
  activity: QuarterActivity,
  period: QuarterPeriod,
  independenceThreshold: number,
): void {
  const selfService = activity.selfService[client] as number;
  const assisted = activity.assisted[client] as number;
  const interactions = selfService + assisted;
  const served = interactions > 0;
  // Division, not `selfService >= threshold * interactions`: 0.7 * 10 is 7.000000000000001.
  const independent = served && selfService / interactions >= independenceThreshold;
  const active = book.isActive(client, period);
  const atStart = book.isCustomerAtStart(client, period);
  const retained = book.isRetained(client, period);
  const services = activity.servicesInUse[client] as number;
  // Most clients have no direct cost; adding 0n would still make a new bigint per group.
  const directCost = activity.directCostNanos.get(client);
  // Only active clients with a direct cost pay for the bigint arithmetic below.
  const activeDirect = active && directCost !== undefined && directCost !== 0n ? directCost : undefined;
  const activeDirectSquared = activeDirect === undefined ? 0n : activeDirect * activeDirect;
  const activeDirectTimesAssisted = activeDirect === undefined ? 0n : activeDirect * BigInt(assisted);
  for (const totals of groups) {
    if (served) totals.served++;
    if (independent) totals.independent++;
    if (active) {
      totals.active++;
      if (selfService > 0) totals.activeWithSelfService++;
      totals.activeServices += services;
      totals.activeServicesSquared += services * services;
      totals.activeAssisted += assisted;
      totals.activeAssistedSquared += assisted * assisted;
      if (activeDirect !== undefined) {
        totals.activeDirectCostNanos += activeDirect;
        totals.activeDirectCostSquaredNanos += activeDirectSquared;
        totals.activeDirectCostTimesAssistedNanos += activeDirectTimesAssisted;
      }
    }
    if (atStart) totals.customersAtStart++;
    if (retained) totals.retained++;
    totals.cessMicroPoints += activity.cessMicroPoints[client] as number;
    totals.cessSquaredCentipoints += activity.cessSquaredCentipoints[client] as number;
    totals.cessResponses += activity.cessResponses[client] as number;
    totals.promoters += activity.promoters[client] as number;
    totals.detractors += activity.detractors[client] as number;
    totals.npsResponses += activity.npsResponses[client] as number;
    if (directCost !== undefined) totals.directCostNanos += directCost;
  }
}
