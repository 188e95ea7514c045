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
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatQuarter, parseQuarter, type Quarter, quarterPeriod, shiftQuarter } from '../core/quarter';
import { activeClients } from './generator/active-clients';
import { evolveBook, seedBook } from './generator/book';
import { DayNames, quarterOrdinal } from './generator/calendar';
import { writeClients } from './generator/clients-export';
import {
  type Context,
  DATASET_COLUMNS,
  type GeneratedFile,
  type GenerationProgress,
  type QuarterFrame,
  STREAM_BAD,
} from './generator/context';
import { writeInteractions } from './generator/interactions-export';
import { writeServices } from './generator/services-export';
import { writeSupportCosts } from './generator/support-costs-export';
import { writeSurveys } from './generator/surveys-export';
import { type Trend, trendFor } from './generator/trend';
import { mixSeed, Prng } from './prng';

export { badRowCount } from './generator/bad-rows';
export { DATASET_COLUMNS, type DatasetName, type GeneratedFile } from './generator/context';

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
  onProgress?: (event: GenerationProgress) => void;
}

export interface GeneratedSummary {
  quarters: {
    quarter: string;
    /** Clients who were a customer on at least one day of the quarter. */
    activeClients: number;
    files: GeneratedFile[];
  }[];
}

const DEFAULT_INTERACTIONS_PER_CLIENT = 12;
const DEFAULT_SEED = 1;
const DEFAULT_BAD_ROW_SHARE = 0.002;

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
