/**
 * A deterministic, realistic generator of export sets (see `shared/spec/exports.md`), used
 * by `npm run demo` and `npm run bench`.
 *
 * The generator simulates a book of clients quarter by quarter, from the first requested
 * quarter to the last: clients churn and join, adopt self-service, take up and drop
 * services, answer surveys and cost money to support. For every requested quarter it writes
 * the five datasets as an operations team would export them at the end of that quarter,
 * with a few deliberately bad rows of the kinds the contract rejects.
 *
 * Trends, with `t` = quarters since the first requested quarter (figures: 1,500 clients over
 * eight quarters, as computed by the engine):
 * - self-service: each quarter some clients start using self-service (adoption about 59% to
 *   77%), and adopters lean further on it (+0.15 logit per quarter), so Client Independence
 *   Rate more than doubles (about 24% to 54%); Enterprise is the most assisted segment, SMB
 *   the least; APAC leads and LATAM trails among regions;
 * - depth: cross-selling picks up each quarter; Platform clients run the most services
 *   (api-access plus integrations), Payments the fewest;
 * - retention: churn eases each quarter but jumps in every Q4 (year-end renewals); SMB
 *   churns most and Enterprise least;
 * - CESS drifts up about a point a quarter; NPS creeps up but dips in every Q1 (the annual
 *   price update);
 * - cost: each assisted interaction costs about 26 (+1% a quarter), so cost per client
 *   falls as self-service takes over; Enterprise clients also carry direct costs;
 * - mix: Platform's share of new clients grows each quarter.
 *
 * Everything is streamed: per-client state stays in memory (under 1 KB a client), rows never
 * do, so memory grows with the book, not with the rows written. Same options and seed give
 * byte-identical files (on a given Node version: gzip output depends on zlib's).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  formatDay,
  formatQuarter,
  parseQuarter,
  type Quarter,
  quarterPeriod,
  shiftQuarter,
} from '../core/quarter';
import { mixSeed, Prng, WeightedTable } from './prng';

export interface GenerateOptions {
  /** Directory that receives `exports/<quarter>/<dataset>.csv` (the data root). */
  root: string;
  /** Quarters to generate, e.g. ['2024-Q4', …, '2026-Q3'] (calendar quarters). */
  quarters: string[];
  /** Number of clients in the book at the first quarter (the book grows/churns over time). */
  clients: number;
  /** Approximate interactions per active client per quarter (default ~12). */
  interactionsPerClient?: number;
  /** Seed for the PRNG; same seed + options → byte-identical files. */
  seed?: number;
  /** Deliberately bad rows per dataset as a fraction (default 0.002 = 0.2%; must stay under 1%). */
  badRowShare?: number;
  /**
   * Gzip the interactions file / split it into N parts under interactions/part-XXX.csv.gz (default: one plain file).
   * 0 or absent: `interactions.csv`; N >= 1: `interactions/part-001.csv.gz` … `part-00N.csv.gz`, each with the
   * header, holding in order the same rows the plain file would.
   */
  interactionParts?: number;
  /** Called now and then with progress (dataset, rows written) so long generations can show progress. */
  onProgress?: (event: { quarter: string; dataset: string; rows: number }) => void;
}

export type DatasetName = 'clients' | 'interactions' | 'services' | 'surveys' | 'support_costs';

export interface GeneratedFile {
  /** Key relative to the data root, `/`-separated, e.g. `exports/2026-Q3/clients.csv`. */
  path: string;
  /** Data rows (the header not counted), bad rows included. */
  rows: number;
  /** Size on disk (compressed size for `.gz`). */
  bytes: number;
  dataset: DatasetName;
  /** Rows deliberately made bad: each one is rejected by a run with the default configuration. */
  badRows: number;
  /** The bad rows by kind, e.g. `{ "duplicate interaction_id": 1, "channel 'phone'": 2 }`. */
  badRowKinds: Record<string, number>;
}

export interface GeneratedSummary {
  quarters: {
    quarter: string;
    /** Clients who were a customer on at least one day of the quarter. */
    activeClients: number;
    files: GeneratedFile[];
  }[];
}

/** The contract's columns, in the order the generator writes them. */
export const DATASET_COLUMNS: Readonly<Record<DatasetName, readonly string[]>> = {
  clients: ['client_id', 'customer_since', 'churned_on', 'product', 'size', 'industry', 'region'],
  interactions: ['interaction_id', 'client_id', 'occurred_at', 'channel'],
  services: ['client_id', 'service', 'started_on', 'ended_on'],
  surveys: ['response_id', 'client_id', 'submitted_at', 'survey', 'score', 'scale_max'],
  support_costs: ['incurred_on', 'amount', 'client_id', 'category'],
};

const DEFAULT_INTERACTIONS_PER_CLIENT = 12;
const DEFAULT_SEED = 1;
const DEFAULT_BAD_ROW_SHARE = 0.002;
/** Characters buffered before a write to the stream. */
const CHUNK_CHARS = 1 << 16;
/** Bytes a stream may hold before it asks the generator to wait. */
const STREAM_BUFFER_BYTES = 1 << 22;
/** Fast compression: parts are for exercising the `.gz` path, not for archiving. */
const GZIP_LEVEL = 4;
const PROGRESS_EVERY_ROWS = 100_000;
const NONE = -1;

// Segments. Offsets are on the logit of a client's self-service share, and so on.
const PRODUCTS = ['Analytics', 'Payments', 'Platform'] as const;
const SIZES = ['SMB', 'Mid-Market', 'Enterprise'] as const;
const INDUSTRIES = [
  'Retail',
  'Finance',
  'Healthcare',
  'Manufacturing',
  'Public Sector',
  'Public Sector, Federal',
  '',
] as const;
const REGIONS = ['EMEA', 'NA', 'APAC', 'LATAM'] as const;

const SIZE_WEIGHTS = [55, 30, 15];
const SIZE_TABLE = new WeightedTable(SIZE_WEIGHTS);
const INDUSTRY_TABLE = new WeightedTable([25, 22, 18, 17, 9, 3, 6]);
const REGION_TABLE = new WeightedTable([35, 40, 17, 8]);

const SHARE_BASE_LOGIT = 0.8;
const SHARE_TREND_PER_QUARTER = 0.15;
const SHARE_NEW_CLIENT = -0.7;
const SHARE_BY_SIZE = [0.3, -0.3, -1.0];
const SHARE_BY_PRODUCT = [0.3, 0, -0.3];
const SHARE_BY_REGION = [0, 0.1, 0.25, -0.45];

const ADOPTED_AT_START_BY_SIZE = [0.62, 0.52, 0.38];
const ADOPTION_HAZARD_BY_SIZE = [1.2, 1.0, 0.7];
/** Share of active clients with no interaction at all in a quarter. */
const DORMANT_SHARE = 0.06;
/**
 * Interaction volume by size, scaled so that an active client averages `interactionsPerClient`
 * over a full quarter, dormant clients included.
 */
const INTERACTIONS_BY_SIZE = ((relative: number[]) => {
  const mean = relative.reduce((sum, value, i) => sum + value * (SIZE_WEIGHTS[i] ?? 0), 0) / 100;
  return relative.map((value) => value / mean / (1 - DORMANT_SHARE));
})([0.7, 1.1, 2.0]);

const CHURN_BY_SIZE = [0.05, 0.03, 0.015];
const JOIN_RATE = 0.055;

const CESS_BY_SIZE = [3, 0, -4];
const NPS_BY_SIZE = [-0.2, 0, 0.4];
const NPS_BY_PRODUCT = [0, -0.3, 0.3];

// Services: the catalog, and each product's appetite for each service when cross-selling.
const SERVICES = ['onboarding', 'training', 'reporting', 'api-access', 'advisory', 'integrations'] as const;
const ONBOARDING = 0;
const TRAINING = 1;
const REPORTING = 2;
const API_ACCESS = 3;
const ADVISORY = 4;
const INTEGRATIONS = 5;
const CROSS_SELL_WEIGHTS: readonly (readonly number[])[] = [
  [0, 2, 1, 1, 1.5, 1], // Analytics
  [0, 1.5, 2, 1, 1, 1.5], // Payments
  [0, 1, 1.5, 1, 1, 2.5], // Platform
];
const ADVISORY_BY_SIZE = [0.5, 1.5, 3];
const CROSS_SELL_BY_SIZE = [0.7, 1.0, 1.5];
const CROSS_SELL_BY_PRODUCT = [1.0, 0.85, 1.4];
const CROSS_SELL_BASE = 0.12;
const DROP_HAZARD = 0.025;

const SECONDS_PER_DAY = 86_400;
let timesOfDay: string[] | undefined;
/** `HH:MM:SS` for every second of a day, built on first use (about 2.5 MB). */
function timeOfDay(second: number): string {
  if (!timesOfDay) {
    const two = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
    timesOfDay = Array.from(
      { length: SECONDS_PER_DAY },
      (_, s) => `${two[Math.floor(s / 3600)]}:${two[Math.floor(s / 60) % 60]}:${two[s % 60]}`,
    );
  }
  return timesOfDay[second] ?? '00:00:00';
}
/** UTC offsets used in date-times, in minutes, and as written. */
const OFFSETS: readonly (readonly [number, string])[] = [
  [120, '+02:00'],
  [60, '+01:00'],
  [-300, '-05:00'],
  [-480, '-08:00'],
  [330, '+05:30'],
  [540, '+09:00'],
  [-180, '-03:00'],
];

interface ServiceSpan {
  readonly service: number;
  readonly start: number;
  /** First day no longer in use, or NONE. */
  end: number;
  row: string | undefined;
}

interface Client {
  readonly id: string;
  readonly since: number;
  /** First day no longer a customer, or NONE. */
  churnedOn: number;
  readonly product: number;
  readonly size: number;
  readonly industry: number;
  readonly region: number;
  /** Interaction volume multiplier (mean 1). */
  readonly activity: number;
  /** Personal lean towards (or away from) self-service, on the logit scale. */
  readonly shareNoise: number;
  /** Personal satisfaction, standard normal. */
  readonly satisfaction: number;
  /** Uses self-service at all. */
  adopted: boolean;
  readonly spans: ServiceSpan[];
  row: string | undefined;
}

/** Per-quarter knobs: everything that moves across quarters is here. */
interface Trend {
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

function trendFor(t: number, quarter: Quarter): Trend {
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

/** Memoised `YYYY-MM-DD` of day numbers (dates repeat a lot across rows and quarters). */
class DayNames {
  private readonly names = new Map<number, string>();
  of(day: number): string {
    let name = this.names.get(day);
    if (name === undefined) {
      name = formatDay(day);
      this.names.set(day, name);
    }
    return name;
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** How many bad rows go with `goodRows` rows: always under 1% of the file, and at most 1 below 200 rows x share. */
export function badRowCount(goodRows: number, share: number): number {
  if (share <= 0 || goodRows <= 0) return 0;
  return Math.max(Math.floor(goodRows * share), goodRows >= 200 ? 1 : 0);
}

interface BadPlan {
  /** Sorted: a bad row goes right before good row number `position` (0-based), never first. */
  readonly positions: number[];
  readonly kinds: string[];
}

function planBadRows(rng: Prng, goodRows: number, share: number, kinds: readonly string[]): BadPlan {
  const count = badRowCount(goodRows, share);
  const positions = Array.from({ length: count }, () => 1 + rng.int(goodRows)).sort((a, b) => a - b);
  const offset = rng.int(kinds.length);
  return { positions, kinds: positions.map((_, i) => kinds[(offset + i) % kinds.length] ?? '') };
}

function tally(kinds: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** A CSV file being written: buffers lines into chunks and honours the stream's backpressure. */
class CsvWriter {
  private buffer = '';
  rows = 0;

  private constructor(
    readonly absolutePath: string,
    private readonly target: Writable,
    private readonly done: Promise<void>,
  ) {}

  static open(absolutePath: string, header: readonly string[], gzip: boolean): CsvWriter {
    // A deep buffer lets generation run ahead while the disk (or zlib's thread pool) catches up.
    const file = createWriteStream(absolutePath, { highWaterMark: STREAM_BUFFER_BYTES });
    let writer: CsvWriter;
    if (gzip) {
      const compressor = createGzip({ level: GZIP_LEVEL });
      writer = new CsvWriter(absolutePath, compressor, pipeline(compressor, file));
    } else {
      writer = new CsvWriter(absolutePath, file, finished(file));
    }
    // Errors surface when the writer is flushed or closed; this only keeps them from being unhandled meanwhile.
    writer.done.catch(() => {});
    writer.buffer = `${header.join(',')}\n`;
    return writer;
  }

  /** Appends one data row; true when the caller should `await flush()`. */
  add(line: string): boolean {
    this.buffer += `${line}\n`;
    this.rows++;
    return this.buffer.length >= CHUNK_CHARS;
  }

  async flush(): Promise<void> {
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.target.write(chunk)) {
      await Promise.race([once(this.target, 'drain'), this.done]);
    }
  }

  /** Ends the file; resolves to its size on disk. */
  async close(): Promise<number> {
    await this.flush();
    this.target.end();
    await this.done;
    return (await stat(this.absolutePath)).size;
  }
}

interface Context {
  readonly rng: (quarterOrdinal: number, stream: number) => Prng;
  readonly days: DayNames;
  readonly interactionsPerClient: number;
  readonly badRowShare: number;
  readonly interactionParts: number;
  readonly root: string;
  readonly onProgress: GenerateOptions['onProgress'];
  readonly book: Client[];
}

// PRNG streams, so that each concern draws from its own sequence.
const STREAM_BOOK = 1;
const STREAM_INTERACTIONS = 2;
const STREAM_SURVEYS = 3;
const STREAM_COSTS = 4;
const STREAM_BAD = 5;
const STREAM_SERVICES = 6;
const STREAM_INTERACTION_ROWS = 7;
const INITIAL_BOOK_ORDINAL = -1;

function validate(options: GenerateOptions): Quarter[] {
  const quarters = options.quarters.map((label) => {
    const quarter = parseQuarter(label);
    if (!quarter) throw new RangeError(`not a quarter: '${label}' (use YYYY-Qn, e.g. 2026-Q3)`);
    return quarter;
  });
  if (quarters.length === 0) throw new RangeError('quarters: give at least one quarter');
  if (!Number.isInteger(options.clients) || options.clients < 1) {
    throw new RangeError(`clients: expected a positive integer, got ${options.clients}`);
  }
  const perClient = options.interactionsPerClient ?? DEFAULT_INTERACTIONS_PER_CLIENT;
  if (!(perClient >= 0) || !Number.isFinite(perClient)) {
    throw new RangeError(`interactionsPerClient: expected a non-negative number, got ${perClient}`);
  }
  const share = options.badRowShare ?? DEFAULT_BAD_ROW_SHARE;
  if (!(share >= 0 && share < 0.01)) {
    throw new RangeError(`badRowShare: expected at least 0 and under 0.01 (1%), got ${share}`);
  }
  const parts = options.interactionParts ?? 0;
  if (!Number.isInteger(parts) || parts < 0 || parts > 999) {
    throw new RangeError(`interactionParts: expected an integer from 0 to 999, got ${parts}`);
  }
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: expected an integer, got ${seed}`);
  return quarters;
}

export async function generateExports(options: GenerateOptions): Promise<GeneratedSummary> {
  const requested = validate(options);
  const unique = new Map(requested.map((quarter) => [quarterOrdinal(quarter), quarter]));
  const ordinals = [...unique.keys()].sort((a, b) => a - b);
  const first = unique.get(ordinals[0] ?? 0);
  const lastOrdinal = ordinals[ordinals.length - 1] ?? 0;
  if (!first) throw new RangeError('quarters: give at least one quarter');

  const seed = options.seed ?? DEFAULT_SEED;
  const context: Context = {
    rng: (ordinal, stream) => new Prng(mixSeed(seed, ordinal, stream)),
    days: new DayNames(),
    interactionsPerClient: options.interactionsPerClient ?? DEFAULT_INTERACTIONS_PER_CLIENT,
    badRowShare: options.badRowShare ?? DEFAULT_BAD_ROW_SHARE,
    interactionParts: options.interactionParts ?? 0,
    root: options.root,
    onProgress: options.onProgress,
    book: [],
  };

  const summary: GeneratedSummary = { quarters: [] };
  const firstOrdinal = quarterOrdinal(first);
  seedBook(context, first, options.clients);
  // Every quarter in the range is simulated (the book evolves through gaps); requested ones are written.
  for (let ordinal = firstOrdinal; ordinal <= lastOrdinal; ordinal++) {
    const quarter = shiftQuarter(first, ordinal - firstOrdinal);
    const trend = trendFor(ordinal - firstOrdinal, quarter);
    evolveBook(context, quarter, trend);
    if (unique.has(ordinal)) {
      summary.quarters.push(await writeQuarter(context, quarter, trend, ordinal < lastOrdinal));
    }
  }
  return summary;
}

function quarterOrdinal(quarter: Quarter): number {
  return quarter.year * 4 + quarter.index - 1;
}

// ---------------------------------------------------------------------------------------
// The book: clients and their services, evolving quarter by quarter.

function newClient(
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
function startInitialServices(client: Client, rng: Prng): void {
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

function addSpan(client: Client, service: number, start: number, end: number): void {
  client.spans.push({ service, start, end, row: undefined });
}

/** One quarter of cross-selling and cancellations for a customer, on days in [from, to]. */
function evolveServices(client: Client, rng: Prng, from: number, to: number, crossSellFactor: number): void {
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
function churn(client: Client, day: number): void {
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
function seedBook(context: Context, first: Quarter, clients: number): void {
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
function evolveBook(context: Context, quarter: Quarter, trend: Trend): void {
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

// ---------------------------------------------------------------------------------------
// Writing one quarter's export set.

interface ActiveClient {
  readonly client: Client;
  /** First and last day (inclusive) as a customer within the quarter. */
  readonly from: number;
  readonly to: number;
  /** Chance that an interaction is self-service. */
  readonly share: number;
  readonly interactions: number;
}

interface QuarterFrame {
  readonly quarter: Quarter;
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly directory: string;
  readonly files: GeneratedFile[];
  /** `YYYY-MM-DD` of days start-1 … end+1, indexed by day - (start - 1). */
  readonly dayNames: string[];
  /** Keep clients' and services' CSV rows for later quarters (not worth the memory in the last one). */
  readonly keepRows: boolean;
}

async function writeQuarter(
  context: Context,
  quarter: Quarter,
  trend: Trend,
  keepRows: boolean,
): Promise<GeneratedSummary['quarters'][number]> {
  const { start, end } = quarterPeriod(quarter);
  const label = formatQuarter(quarter);
  const directory = join(context.root, 'exports', label);
  await mkdir(directory, { recursive: true });
  // Remove other layouts of the same datasets left by an earlier generation, so that only one remains.
  for (const dataset of Object.keys(DATASET_COLUMNS)) {
    for (const name of [`${dataset}.csv`, `${dataset}.csv.gz`, dataset]) {
      await rm(join(directory, name), { recursive: true, force: true });
    }
  }
  const dayNames: string[] = [];
  for (let day = start - 1; day <= end + 1; day++) dayNames.push(context.days.of(day));
  const frame: QuarterFrame = { quarter, label, start, end, directory, files: [], dayNames, keepRows };

  const ordinal = quarterOrdinal(quarter);
  const active = activeClients(context, frame, trend);
  const bad = context.rng(ordinal, STREAM_BAD);
  await writeClients(context, frame, bad);
  const assisted = await writeInteractions(context, frame, active, bad);
  await writeServices(context, frame, bad);
  await writeSurveys(context, frame, active, trend, bad);
  await writeSupportCosts(context, frame, active, assisted, trend, bad);
  return { quarter: label, activeClients: active.length, files: frame.files };
}

function activeClients(context: Context, frame: QuarterFrame, trend: Trend): ActiveClient[] {
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

/** A date or date-time for a moment on `day` (a quarter day), as exports mix them. */
function moment(rng: Prng, frame: QuarterFrame, day: number): string {
  const index = day - frame.start + 1;
  const style = rng.next();
  if (style < 0.4) return frame.dayNames[index] ?? '';
  const second = rng.int(SECONDS_PER_DAY);
  if (style < 0.8) return `${frame.dayNames[index]}T${timeOfDay(second)}Z`;
  // The same instant written in a local time: the local date may be the day before or after.
  const [offset, suffix] = OFFSETS[rng.int(OFFSETS.length)] ?? [0, 'Z'];
  let local = second + offset * 60;
  let localIndex = index;
  if (local < 0) {
    local += SECONDS_PER_DAY;
    localIndex--;
  } else if (local >= SECONDS_PER_DAY) {
    local -= SECONDS_PER_DAY;
    localIndex++;
  }
  return `${frame.dayNames[localIndex]}T${timeOfDay(local)}${suffix}`;
}

async function finishFile(
  context: Context,
  frame: QuarterFrame,
  dataset: DatasetName,
  writer: CsvWriter,
  badKinds: readonly string[],
): Promise<void> {
  const bytes = await writer.close();
  frame.files.push({
    path: relative(context.root, writer.absolutePath).split(sep).join('/'),
    rows: writer.rows,
    bytes,
    dataset,
    badRows: badKinds.length,
    badRowKinds: tally(badKinds),
  });
  context.onProgress?.({ quarter: frame.label, dataset, rows: writer.rows });
}

/**
 * Writes `goodRows` lines with the planned bad rows slipped in between. `badRow` gets the
 * kind, a running number and the previous good line (for duplicates).
 */
async function writeSmallDataset(
  context: Context,
  frame: QuarterFrame,
  dataset: DatasetName,
  lines: Iterable<string>,
  goodRows: number,
  plan: BadPlan,
  badRow: (kind: string, n: number, previous: string) => string,
): Promise<void> {
  const writer = CsvWriter.open(join(frame.directory, `${dataset}.csv`), DATASET_COLUMNS[dataset], false);
  let next = 0;
  let written = 0;
  let previous = '';
  const emitBad = async (): Promise<void> => {
    while (next < plan.positions.length && plan.positions[next] === written) {
      if (writer.add(badRow(plan.kinds[next] ?? '', next + 1, previous))) await writer.flush();
      next++;
    }
  };
  let nextPosition = plan.positions[0] ?? Number.POSITIVE_INFINITY;
  for (const line of lines) {
    if (nextPosition === written) {
      await emitBad();
      nextPosition = plan.positions[next] ?? Number.POSITIVE_INFINITY;
    }
    if (writer.add(line)) await writer.flush();
    previous = line;
    written++;
  }
  await emitBad();
  if (written !== goodRows)
    throw new Error(`internal: ${dataset} wrote ${written} rows, planned ${goodRows}`);
  await finishFile(context, frame, dataset, writer, plan.kinds);
}

function firstField(line: string): string {
  const comma = line.indexOf(',');
  return comma < 0 ? line : line.slice(0, comma);
}

function clientRow(context: Context, client: Client, keep: boolean): string {
  if (client.row !== undefined) return client.row;
  const row = [
    client.id,
    context.days.of(client.since),
    client.churnedOn === NONE ? '' : context.days.of(client.churnedOn),
    PRODUCTS[client.product] ?? '',
    SIZES[client.size] ?? '',
    csvField(INDUSTRIES[client.industry] ?? ''),
    REGIONS[client.region] ?? '',
  ].join(',');
  if (keep) client.row = row;
  return row;
}

async function writeClients(context: Context, frame: QuarterFrame, bad: Prng): Promise<void> {
  const book = context.book.filter((client) => client.since <= frame.end);
  const year = frame.quarter.year;
  const plan = planBadRows(bad, book.length, context.badRowShare, [
    'duplicate client_id',
    'invalid customer_since',
    'churned_on before customer_since',
  ]);
  await writeSmallDataset(
    context,
    frame,
    'clients',
    (function* () {
      for (const client of book) yield clientRow(context, client, frame.keepRows);
    })(),
    book.length,
    plan,
    (kind, n, previous) => {
      const id = `C-X${frame.label.replace('-', '')}-${n}`;
      switch (kind) {
        case 'duplicate client_id':
          return `${firstField(previous)},${year - 1}-03-01,,Payments,SMB,Retail,NA`;
        case 'invalid customer_since':
          return `${id},${year}-13-01,,Analytics,SMB,Finance,EMEA`;
        default:
          return `${id},${year - 1}-06-15,${year - 1}-05-01,Platform,Mid-Market,Healthcare,APAC`;
      }
    },
  );
}

/** Writes the interactions (plain, or gzipped parts); returns the number of good assisted ones. */
async function writeInteractions(
  context: Context,
  frame: QuarterFrame,
  active: readonly ActiveClient[],
  bad: Prng,
): Promise<number> {
  const rng = context.rng(quarterOrdinal(frame.quarter), STREAM_INTERACTION_ROWS);
  let goodRows = 0;
  for (const entry of active) goodRows += entry.interactions;
  const plan = planBadRows(bad, goodRows, context.badRowShare, [
    'unknown client_id',
    'invalid occurred_at',
    "channel 'phone'",
    'duplicate interaction_id',
  ]);
  const parts = context.interactionParts;
  const partRows =
    parts > 0 ? Math.ceil((goodRows + plan.positions.length) / parts) : Number.POSITIVE_INFINITY;
  const idPrefix = `I${frame.label.replace('-', '')}-`;
  const year = frame.quarter.year;
  const dataset: DatasetName = 'interactions';

  let partNumber = 0;
  let partBadKinds: string[] = [];
  const openPart = (): CsvWriter => {
    partNumber++;
    partBadKinds = [];
    return parts > 0
      ? CsvWriter.open(
          join(frame.directory, 'interactions', `part-${pad(partNumber, 3)}.csv.gz`),
          DATASET_COLUMNS.interactions,
          true,
        )
      : CsvWriter.open(join(frame.directory, 'interactions.csv'), DATASET_COLUMNS.interactions, false);
  };
  if (parts > 0) await mkdir(join(frame.directory, 'interactions'), { recursive: true });
  let writer = openPart();

  let sequence = 0;
  let written = 0;
  let assisted = 0;
  let nextBad = 0;
  let nextBadPosition = plan.positions[0] ?? Number.POSITIVE_INFINITY;
  let previousId = '';
  let nextProgress = PROGRESS_EVERY_ROWS;

  // Rolls over to the next part when the current one is full; reports progress now and then.
  const afterRow = async (): Promise<void> => {
    if (writer.rows >= partRows && partNumber < parts) {
      await finishFile(context, frame, dataset, writer, partBadKinds);
      writer = openPart();
    }
    if (written + nextBad >= nextProgress) {
      nextProgress += PROGRESS_EVERY_ROWS;
      context.onProgress?.({ quarter: frame.label, dataset, rows: written + nextBad });
    }
  };
  const emitBad = async (): Promise<void> => {
    while (nextBadPosition === written) {
      const kind = plan.kinds[nextBad] ?? '';
      const day = frame.dayNames[1 + rng.int(frame.end - frame.start + 1)] ?? '';
      let line: string;
      if (kind === 'duplicate interaction_id') {
        line = `${previousId},${randomActiveId(active, rng)},${day},self_service`;
      } else {
        sequence++;
        const id = idPrefix + pad(sequence, 8);
        const client = randomActiveId(active, rng);
        if (kind === 'unknown client_id') line = `${id},C-Z${pad(sequence, 6)},${day},assisted`;
        else if (kind === 'invalid occurred_at') line = `${id},${client},${year}-13-01,assisted`;
        else line = `${id},${client},${day},phone`;
      }
      partBadKinds.push(kind);
      if (writer.add(line)) await writer.flush();
      nextBad++;
      nextBadPosition = plan.positions[nextBad] ?? Number.POSITIVE_INFINITY;
      await afterRow();
    }
  };

  for (const entry of active) {
    const count = entry.interactions;
    if (count === 0) continue;
    const client = entry.client;
    const span = entry.to - entry.from + 1;
    const share = entry.share;
    const head = `,${client.id},`;
    for (let i = 0; i < count; i++) {
      if (nextBadPosition === written) await emitBad();
      sequence++;
      previousId = idPrefix + pad(sequence, 8);
      const occurred = moment(rng, frame, entry.from + rng.int(span));
      // One draw decides the channel and, now and then, an odd spelling of it.
      const draw = rng.next();
      let channel: string;
      if (draw < share) {
        channel = draw < share * 0.005 ? 'SELF_SERVICE' : 'self_service';
      } else {
        channel = draw > 1 - (1 - share) * 0.005 ? 'Assisted' : 'assisted';
        assisted++;
      }
      written++;
      if (writer.add(`${previousId}${head}${occurred},${channel}`)) await writer.flush();
      if (writer.rows >= partRows || written + nextBad >= nextProgress) await afterRow();
    }
  }
  await emitBad();
  if (written !== goodRows)
    throw new Error(`internal: interactions wrote ${written} rows, planned ${goodRows}`);
  await finishFile(context, frame, dataset, writer, partBadKinds);
  // Parts that received no rows at all (more parts than rows) still exist, with just the header.
  while (partNumber < parts) {
    writer = openPart();
    await finishFile(context, frame, dataset, writer, partBadKinds);
  }
  return assisted;
}

function randomActiveId(active: readonly ActiveClient[], rng: Prng): string {
  return active.length === 0 ? 'C-000001' : (active[rng.int(active.length)]?.client.id ?? 'C-000001');
}

function serviceRow(context: Context, client: Client, span: ServiceSpan, keep: boolean): string {
  if (span.row !== undefined) return span.row;
  const row = [
    client.id,
    SERVICES[span.service] ?? '',
    context.days.of(span.start),
    span.end === NONE ? '' : context.days.of(span.end),
  ].join(',');
  if (keep) span.row = row;
  return row;
}

async function writeServices(context: Context, frame: QuarterFrame, bad: Prng): Promise<void> {
  const book = context.book.filter((client) => client.since <= frame.end);
  let goodRows = 0;
  for (const client of book) goodRows += client.spans.length;
  const year = frame.quarter.year;
  const plan = planBadRows(bad, goodRows, context.badRowShare, [
    'unknown client_id',
    'invalid started_on',
    'missing service',
  ]);
  await writeSmallDataset(
    context,
    frame,
    'services',
    (function* () {
      for (const client of book)
        for (const span of client.spans) yield serviceRow(context, client, span, frame.keepRows);
    })(),
    goodRows,
    plan,
    (kind, n, previous) => {
      const client = firstField(previous);
      switch (kind) {
        case 'unknown client_id':
          return `C-Z${pad(n, 6)},reporting,${year - 1}-01-01,`;
        case 'invalid started_on':
          return `${client},training,${year}-13-01,`;
        default:
          return `${client},,${year - 1}-09-01,`;
      }
    },
  );
}

async function writeSurveys(
  context: Context,
  frame: QuarterFrame,
  active: readonly ActiveClient[],
  trend: Trend,
  bad: Prng,
): Promise<void> {
  const rng = context.rng(quarterOrdinal(frame.quarter), STREAM_SURVEYS);
  const prefix = `R${frame.label.replace('-', '')}-`;
  const lines: string[] = [];
  const next = (entry: ActiveClient): string => {
    const day = entry.from + rng.int(entry.to - entry.from + 1);
    return `${prefix}${pad(lines.length + 1, 6)},${entry.client.id},${moment(rng, frame, day)}`;
  };
  for (const entry of active) {
    const client = entry.client;
    const enterprise = client.size === 2;
    const lean = entry.share - 0.5;
    const responses = rng.chance(enterprise ? 0.45 : 0.28) ? (rng.chance(0.2) ? 2 : 1) : 0;
    for (let i = 0; i < responses; i++) {
      const percent = clamp(
        Math.round(
          70 +
            trend.cessShift +
            10 * lean +
            (CESS_BY_SIZE[client.size] ?? 0) +
            6 * client.satisfaction +
            12 * rng.normal(),
        ),
        0,
        100,
      );
      const label = rng.chance(0.02) ? 'CESS' : 'cess';
      const scale = rng.next();
      if (scale < 0.75) lines.push(`${next(entry)},${label},${percent},`);
      else if (scale < 0.8) lines.push(`${next(entry)},${label},${percent},100`);
      else if (scale < 0.92) lines.push(`${next(entry)},${label},${Math.round(percent / 10)},10`);
      else lines.push(`${next(entry)},${label},${Math.round(percent / 20)},5`);
    }
    if (rng.chance(enterprise ? 0.4 : 0.3)) {
      const score = clamp(
        Math.round(
          7.7 +
            trend.npsShift +
            1.2 * lean +
            (NPS_BY_SIZE[client.size] ?? 0) +
            (NPS_BY_PRODUCT[client.product] ?? 0) +
            0.5 * client.satisfaction +
            1.7 * rng.normal(),
        ),
        0,
        10,
      );
      const label = rng.chance(0.02) ? 'NPS' : 'nps';
      lines.push(`${next(entry)},${label},${score},${rng.chance(0.1) ? '10' : ''}`);
    }
  }
  const plan = planBadRows(bad, lines.length, context.badRowShare, [
    'nps score 11',
    'cess score above scale_max',
    'duplicate response_id',
    "survey 'csat'",
    'unknown client_id',
  ]);
  const day = frame.dayNames[1 + Math.floor((frame.end - frame.start) / 2)] ?? '';
  await writeSmallDataset(context, frame, 'surveys', lines, lines.length, plan, (kind, n, previous) => {
    const [id = '', client = ''] = previous.split(',');
    const fresh = `${prefix}X${pad(n, 5)}`;
    switch (kind) {
      case 'nps score 11':
        return `${fresh},${client},${day},nps,11,`;
      case 'cess score above scale_max':
        return `${fresh},${client},${day},cess,6,5`;
      case 'duplicate response_id':
        return `${id},${client},${day},nps,9,`;
      case "survey 'csat'":
        return `${fresh},${client},${day},csat,4,5`;
      default:
        return `${fresh},C-Z${pad(n, 6)},${day},nps,8,`;
    }
  });
}

interface CostRow {
  readonly day: number;
  readonly cents: number;
  readonly client: string;
  readonly category: string;
}

async function writeSupportCosts(
  context: Context,
  frame: QuarterFrame,
  active: readonly ActiveClient[],
  assisted: number,
  trend: Trend,
  bad: Prng,
): Promise<void> {
  const rng = context.rng(quarterOrdinal(frame.quarter), STREAM_COSTS);
  const noise = 0.92 + 0.16 * rng.next();
  const variable = assisted * trend.costPerAssistedCents * noise;
  const fixed = active.length * 1500;
  const total = variable + fixed;
  const rows: CostRow[] = [];

  // The pool: support desk rows every day, a vendor every week, tooling and training every month.
  const pooled: { day: number; weight: number; category: string; fixedPart: boolean }[] = [];
  for (let day = frame.start; day <= frame.end; day++) {
    const weekday = (day + 3) % 7; // 0 = Monday (day 0, 1970-01-01, was a Thursday)
    if (weekday < 5) {
      pooled.push({ day, weight: 1 + 0.3 * rng.normal(), category: 'tier1', fixedPart: false });
      pooled.push({ day, weight: 1 + 0.3 * rng.normal(), category: 'tier1', fixedPart: false });
      pooled.push({ day, weight: 0.9 + 0.3 * rng.normal(), category: 'tier2', fixedPart: false });
    } else {
      pooled.push({ day, weight: 0.3 + 0.1 * rng.normal(), category: 'tier1 weekend', fixedPart: false });
    }
    if (weekday === 0) {
      pooled.push({
        day,
        weight: 2.5 + 0.4 * rng.normal(),
        category: 'Vendor "Acme, Inc." escalations',
        fixedPart: false,
      });
    }
    if (context.days.of(day).endsWith('-01')) {
      pooled.push({ day, weight: 2, category: 'tooling', fixedPart: true });
      pooled.push({ day, weight: 1, category: 'training', fixedPart: true });
    }
  }
  const weightOf = (fixedPart: boolean): number =>
    pooled.reduce((sum, row) => (row.fixedPart === fixedPart ? sum + Math.max(0.05, row.weight) : sum), 0);
  const variableWeight = weightOf(false);
  const fixedWeight = weightOf(true);
  for (const row of pooled) {
    const amount = row.fixedPart
      ? (0.8 * fixed * Math.max(0.05, row.weight)) / fixedWeight
      : (0.8 * variable * Math.max(0.05, row.weight)) / variableWeight;
    rows.push({ day: row.day, cents: Math.round(amount), client: '', category: row.category });
  }
  // Credits from vendors and goodwill.
  const credits = rng.between(2, 5);
  for (let i = 0; i < credits; i++) {
    const cents = -Math.round((total * (0.001 + 0.004 * rng.next())) / 10) * 10;
    rows.push({
      day: frame.start + rng.int(frame.end - frame.start + 1),
      cents,
      client: '',
      category: 'credit',
    });
  }
  // Direct costs: professional services and dedicated managers, mostly for larger clients.
  if (active.length > 0) {
    const table = new WeightedTable(active.map((entry) => [1, 2, 6][entry.client.size] ?? 1));
    const direct = clamp(Math.round(active.length * 0.08), 10, 120);
    const shares = Array.from({ length: direct }, () => 0.2 + rng.next());
    const shareSum = shares.reduce((sum, share) => sum + share, 0);
    for (const share of shares) {
      const entry = active[table.pick(rng)];
      if (!entry) continue;
      rows.push({
        day: entry.from + rng.int(entry.to - entry.from + 1),
        cents: Math.round((0.2 * total * share) / shareSum),
        client: entry.client.id,
        category: rng.chance(0.6) ? 'professional services' : 'dedicated CSM',
      });
    }
  }
  const ordered = rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => a.row.day - b.row.day || a.index - b.index)
    .map(
      ({ row }) =>
        `${context.days.of(row.day)},${formatCents(row.cents)},${row.client},${csvField(row.category)}`,
    );

  const plan = planBadRows(bad, ordered.length, context.badRowShare, [
    'non-numeric amount',
    'invalid incurred_on',
    'unknown client_id',
  ]);
  const year = frame.quarter.year;
  const day = frame.dayNames[1 + Math.floor((frame.end - frame.start) / 3)] ?? '';
  await writeSmallDataset(context, frame, 'support_costs', ordered, ordered.length, plan, (kind, n) => {
    switch (kind) {
      case 'non-numeric amount':
        return `${day},${['abc', 'n/a', '"12,50"'][n % 3]},,tier1`;
      case 'invalid incurred_on':
        return `${year}-13-01,120.00,,tier1`;
      default:
        return `${day},75.00,C-Z${pad(n, 6)},professional services`;
    }
  });
}
