/**
 * The book: clients and their services, evolving quarter by quarter. It is seeded as it
 * stands at the first quarter's start, then each quarter churns some customers, brings in
 * new ones, spreads self-service and cross-sells services.
 */
import { type Quarter, quarterPeriod } from '../../core/quarter';
import type { Prng } from '../prng';
import { quarterOrdinal } from './calendar';
import { type Client, NONE } from './client';
import { type Context, INITIAL_BOOK_ORDINAL, STREAM_BOOK, STREAM_SERVICES } from './context';
import {
  ADOPTED_AT_START_BY_SIZE,
  ADOPTION_HAZARD_BY_SIZE,
  ADVISORY,
  ADVISORY_BY_SIZE,
  API_ACCESS,
  CHURN_BY_SIZE,
  CROSS_SELL_BASE,
  CROSS_SELL_BY_PRODUCT,
  CROSS_SELL_BY_SIZE,
  CROSS_SELL_WEIGHTS,
  DROP_HAZARD,
  INDUSTRY_TABLE,
  INTEGRATIONS,
  ONBOARDING,
  REGION_TABLE,
  REPORTING,
  SERVICES,
  SIZE_TABLE,
  TRAINING,
} from './segments';
import { pad } from './text';
import { type Trend, trendFor } from './trend';

export function newClient(
  context: Context,
  rng: Prng,
  since: number,
  trend: Trend,
  adopted: (size: number) => boolean,
): Client {
  const size = SIZE_TABLE.pick(rng);
  const client: Client = {
    id: `C-${pad(context.book.length + 1, 6)}`,
    since,
    churnedOn: NONE,
    product: trend.productTable.pick(rng),
    size,
    industry: INDUSTRY_TABLE.pick(rng),
    region: REGION_TABLE.pick(rng),
    activity: Math.exp(0.5 * rng.normal() - 0.125),
    shareNoise: 0.8 * rng.normal(),
    satisfaction: rng.normal(),
    adopted: adopted(size),
    spans: [],
    row: undefined,
  };
  context.book.push(client);
  startInitialServices(client, rng);
  return client;
}

/** The services a client signs up with. Some start a few weeks after joining. */
export function startInitialServices(client: Client, rng: Prng): void {
  const since = client.since;
  addSpan(client, ONBOARDING, since, since + rng.between(45, 120));
  if (client.product === 0 && rng.chance(0.9)) addSpan(client, REPORTING, since, NONE);
  if (client.product === 1 && rng.chance(0.8)) addSpan(client, API_ACCESS, since, NONE);
  if (client.product === 2) {
    if (rng.chance(0.9)) addSpan(client, API_ACCESS, since, NONE);
    if (rng.chance(0.6)) addSpan(client, INTEGRATIONS, since + rng.between(0, 45), NONE);
  }
  if (rng.chance(0.4)) addSpan(client, TRAINING, since + rng.between(0, 30), NONE);
  const advisory = [0.03, 0.15, 0.5][client.size] ?? 0;
  if (rng.chance(advisory)) addSpan(client, ADVISORY, since + rng.between(0, 60), NONE);
}

export function addSpan(client: Client, service: number, start: number, end: number): void {
  client.spans.push({ service, start, end, row: undefined });
}

/** One quarter of cross-selling and cancellations for a customer, on days in [from, to]. */
export function evolveServices(
  client: Client,
  rng: Prng,
  from: number,
  to: number,
  crossSellFactor: number,
): void {
  for (const span of client.spans) {
    if (span.service === ONBOARDING || span.end !== NONE || span.start > to) continue;
    if (rng.chance(DROP_HAZARD)) {
      span.end = Math.max(span.start + 1, rng.between(from + 1, to + 1));
      span.row = undefined;
    }
  }
  const hazard =
    CROSS_SELL_BASE *
    crossSellFactor *
    (CROSS_SELL_BY_SIZE[client.size] ?? 1) *
    (CROSS_SELL_BY_PRODUCT[client.product] ?? 1);
  if (!rng.chance(hazard)) return;
  let inUse = 0;
  for (const span of client.spans) if (span.end === NONE) inUse |= 1 << span.service;
  const appetite = CROSS_SELL_WEIGHTS[client.product] ?? [];
  const weights = SERVICES.map((_, service) => {
    if (inUse & (1 << service)) return 0;
    const weight = appetite[service] ?? 0;
    return service === ADVISORY ? weight * (ADVISORY_BY_SIZE[client.size] ?? 1) : weight;
  });
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) return;
  let target = rng.next() * total;
  let service = 0;
  while (service < weights.length - 1 && target >= (weights[service] ?? 0)) target -= weights[service++] ?? 0;
  // Deals signed late in a quarter sometimes start early in the next one.
  let start = rng.between(from, to);
  if (to - start < 14 && rng.chance(0.3)) start = to + rng.between(1, 14);
  addSpan(client, service, start, NONE);
}

/** Ends a client's relationship: open services end on the churn day, scheduled ones are cancelled. */
export function churn(client: Client, day: number): void {
  client.churnedOn = day;
  client.row = undefined;
  for (let i = client.spans.length - 1; i >= 0; i--) {
    const span = client.spans[i];
    if (!span) continue;
    if (span.start >= day) {
      client.spans.splice(i, 1);
    } else if (span.end === NONE || span.end > day) {
      span.end = day;
      span.row = undefined;
    }
  }
}

/**
 * The book as it stands at the first quarter's start: `clients` customers who joined over
 * the previous six years (more of them recently), plus about 12% more who have churned
 * since. Their services get a simulated history.
 */
export function seedBook(context: Context, first: Quarter, clients: number): void {
  const rng = context.rng(INITIAL_BOOK_ORDINAL, STREAM_BOOK);
  const start = quarterPeriod(first).start;
  const span = 6 * 365;
  const former = Math.round(clients * 0.12);
  const plans = Array.from({ length: clients + former }, (_, i) => ({
    since: start - 1 - Math.floor(span * rng.next() ** 1.4),
    churns: i >= clients,
  })).sort((a, b) => a.since - b.since);
  const trend = trendFor(0, first);
  for (const plan of plans) {
    const tenureYears = (start - plan.since) / 365;
    const client = newClient(context, rng, plan.since, trend, (size) =>
      rng.chance((ADOPTED_AT_START_BY_SIZE[size] ?? 0.5) + Math.min(0.15, 0.03 * tenureYears)),
    );
    const churnDay = plan.churns ? rng.between(Math.min(plan.since + 30, start - 1), start - 1) : NONE;
    const historyEnd = churnDay === NONE ? start - 1 : churnDay - 1;
    for (let from = plan.since + 1; from + 90 <= historyEnd; from += 91) {
      evolveServices(client, rng, from, from + 90, 1);
    }
    if (churnDay !== NONE) churn(client, Math.max(churnDay, plan.since + 1));
  }
}

/** One quarter: churn among customers at the start, joins during the quarter, adoption, services. */
export function evolveBook(context: Context, quarter: Quarter, trend: Trend): void {
  const { start, end } = quarterPeriod(quarter);
  const ordinal = quarterOrdinal(quarter);
  const rng = context.rng(ordinal, STREAM_BOOK);
  const services = context.rng(ordinal, STREAM_SERVICES);
  const length = end - start + 1;
  let customersAtStart = 0;
  for (const client of context.book) {
    if (client.churnedOn !== NONE || client.since > start) continue;
    customersAtStart++;
    const churnRisk =
      (CHURN_BY_SIZE[client.size] ?? 0.03) * trend.churnFactor * (client.adopted ? 0.8 : 1.25);
    if (rng.chance(churnRisk)) {
      // Many contracts end with the quarter: churned_on is then the next quarter's first day.
      churn(client, rng.chance(0.25) ? end + 1 : start + 1 + rng.int(length));
      continue;
    }
    if (!client.adopted) {
      client.adopted = rng.chance(trend.adoptionHazard * (ADOPTION_HAZARD_BY_SIZE[client.size] ?? 1));
    }
    evolveServices(client, services, start, end, trend.crossSellFactor);
  }
  const joins = Math.round(customersAtStart * trend.joinRate * (0.85 + 0.3 * rng.next()));
  const joinDays = Array.from({ length: joins }, () => start + rng.int(length)).sort((a, b) => a - b);
  for (const since of joinDays) {
    newClient(context, rng, since, trend, (size) =>
      rng.chance(trend.newClientAdoption * (ADOPTION_HAZARD_BY_SIZE[size] ?? 1)),
    );
  }
}
