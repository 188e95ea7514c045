/**
 * The demo/bench export generator: deterministic, contract-shaped, with exactly the bad
 * rows it says it injected, and streaming to plain or gzipped parts.
 *
 * The bad-row checks use a small validator written here from `spec/exports.md`, not the
 * engine's, so that the generator's own claims are checked independently.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DatasetName,
  type GeneratedSummary,
  type GenerateOptions,
  generateExports,
} from '../../src/demo/generate-exports';

const QUARTERS = ['2026-Q1', '2026-Q2', '2026-Q3'];
const SMALL: Omit<GenerateOptions, 'root'> = { quarters: QUARTERS, clients: 200, seed: 42 };
const CONTRACT_COLUMNS: Record<DatasetName, string[]> = {
  clients: ['client_id', 'customer_since', 'churned_on', 'product', 'size', 'industry', 'region'],
  interactions: ['interaction_id', 'client_id', 'occurred_at', 'channel'],
  services: ['client_id', 'service', 'started_on', 'ended_on'],
  surveys: ['response_id', 'client_id', 'submitted_at', 'survey', 'score', 'scale_max'],
  support_costs: ['incurred_on', 'amount', 'client_id', 'category'],
};
const DATASETS = Object.keys(CONTRACT_COLUMNS) as DatasetName[];

const roots: string[] = [];
async function freshRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'kpi-demo-'));
  roots.push(root);
  return root;
}

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

/** Every file under `root`, as `/`-separated relative paths, sorted. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

type Row = Record<string, string>;

async function readCsv(root: string, path: string): Promise<{ header: string[]; rows: Row[] }> {
  const bytes = await readFile(join(root, path));
  const text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const records = parse(text) as string[][];
  const [header = [], ...data] = records;
  return {
    header,
    rows: data.map((values) => Object.fromEntries(header.map((name, i) => [name, values[i] ?? '']))),
  };
}

/** All rows of a dataset in a quarter, across parts, in key order. */
async function readDataset(root: string, quarter: string, dataset: DatasetName) {
  const prefix = `exports/${quarter}/`;
  const paths = (await filesUnder(root)).filter(
    (path) => path === `${prefix}${dataset}.csv` || path.startsWith(`${prefix}${dataset}/`),
  );
  const files = await Promise.all(paths.map((path) => readCsv(root, path)));
  return { headers: files.map((file) => file.header), rows: files.flatMap((file) => file.rows) };
}

// A contract validator, from spec/exports.md.
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/;

function dayOf(text: string): number | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return ms / 86_400_000;
}

/** The UTC day of a date or date-time, or undefined when it is not valid. */
function utcDayOf(text: string): number | undefined {
  if (DATE.test(text)) return dayOf(text);
  const match = DATE_TIME.exec(text);
  if (!match || dayOf(match[1] ?? '') === undefined) return undefined;
  const ms = Date.parse(match[5] ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 86_400_000);
}

function quarterDays(quarter: string): { start: number; end: number } {
  const year = Number(quarter.slice(0, 4));
  const index = Number(quarter.slice(6));
  return {
    start: Date.UTC(year, (index - 1) * 3, 1) / 86_400_000,
    end: Date.UTC(year, index * 3, 1) / 86_400_000 - 1,
  };
}

interface Checked {
  rejected: Record<DatasetName, number>;
  rows: Record<DatasetName, number>;
  /** Good interactions whose instant falls outside the quarter. */
  interactionsOutsideQuarter: number;
  duplicateInteractionIds: number;
}

async function validateQuarter(root: string, quarter: string): Promise<Checked> {
  const data = Object.fromEntries(
    await Promise.all(DATASETS.map(async (dataset) => [dataset, await readDataset(root, quarter, dataset)])),
  ) as Record<DatasetName, { rows: Row[] }>;
  const rejected = Object.fromEntries(DATASETS.map((dataset) => [dataset, 0])) as Record<DatasetName, number>;
  const rows = Object.fromEntries(DATASETS.map((dataset) => [dataset, data[dataset].rows.length])) as Record<
    DatasetName,
    number
  >;

  const clients = new Set<string>();
  for (const row of data.clients.rows) {
    const id = row.client_id ?? '';
    const since = dayOf(row.customer_since ?? '');
    const churned = row.churned_on ? dayOf(row.churned_on) : Number.POSITIVE_INFINITY;
    if (!id || clients.has(id) || since === undefined || churned === undefined || churned <= since) {
      rejected.clients++;
    } else {
      clients.add(id);
    }
  }

  const { start, end } = quarterDays(quarter);
  const interactionIds = new Set<string>();
  let interactionsOutsideQuarter = 0;
  let duplicateInteractionIds = 0;
  for (const row of data.interactions.rows) {
    const id = row.interaction_id ?? '';
    const day = utcDayOf(row.occurred_at ?? '');
    const channel = (row.channel ?? '').toLowerCase();
    if (interactionIds.has(id)) duplicateInteractionIds++;
    if (
      !id ||
      interactionIds.has(id) ||
      !clients.has(row.client_id ?? '') ||
      day === undefined ||
      (channel !== 'self_service' && channel !== 'assisted')
    ) {
      rejected.interactions++;
    } else if (day < start || day > end) {
      interactionsOutsideQuarter++;
    }
    interactionIds.add(id);
  }

  for (const row of data.services.rows) {
    const ended = row.ended_on ? dayOf(row.ended_on) : 0;
    if (!clients.has(row.client_id ?? '') || !row.service || dayOf(row.started_on ?? '') === undefined) {
      rejected.services++;
    } else if (ended === undefined) {
      rejected.services++;
    }
  }

  const responseIds = new Set<string>();
  for (const row of data.surveys.rows) {
    const id = row.response_id ?? '';
    const survey = (row.survey ?? '').toLowerCase();
    const score = Number(row.score);
    const scale = row.scale_max ? Number(row.scale_max) : survey === 'nps' ? 10 : 100;
    const scoreOk =
      row.score !== '' &&
      Number.isFinite(score) &&
      (survey === 'nps'
        ? Number.isInteger(score) && score >= 0 && score <= 10 && scale === 10
        : score >= 0 && score <= scale);
    if (
      !id ||
      responseIds.has(id) ||
      !clients.has(row.client_id ?? '') ||
      utcDayOf(row.submitted_at ?? '') === undefined ||
      (survey !== 'cess' && survey !== 'nps') ||
      !scoreOk
    ) {
      rejected.surveys++;
    }
    responseIds.add(id);
  }

  for (const row of data.support_costs.rows) {
    const amount = row.amount ?? '';
    if (
      dayOf(row.incurred_on ?? '') === undefined ||
      !/^-?\d+(\.\d+)?$/.test(amount) ||
      (row.client_id !== '' && !clients.has(row.client_id ?? ''))
    ) {
      rejected.support_costs++;
    }
  }

  return { rejected, rows, interactionsOutsideQuarter, duplicateInteractionIds };
}

function injected(summary: GeneratedSummary, quarter: string, dataset: DatasetName, kind?: string): number {
  const files = summary.quarters.find((entry) => entry.quarter === quarter)?.files ?? [];
  return files
    .filter((file) => file.dataset === dataset)
    .reduce((sum, file) => sum + (kind === undefined ? file.badRows : (file.badRowKinds[kind] ?? 0)), 0);
}

describe('generateExports on a small book (200 clients, three quarters)', () => {
  let root: string;
  let summary: GeneratedSummary;

  beforeAll(async () => {
    root = await freshRoot();
    summary = await generateExports({ ...SMALL, root });
  });

  it('produces byte-identical files when run again with the same seed and options', async () => {
    // Arrange
    const again = await freshRoot();

    // Act
    await generateExports({ ...SMALL, root: again });

    // Assert
    const files = await filesUnder(root);
    expect(await filesUnder(again)).toEqual(files);
    for (const path of files) {
      const [first, second] = await Promise.all([readFile(join(root, path)), readFile(join(again, path))]);
      expect(second.equals(first), path).toBe(true);
    }
  });

  it('produces different data with a different seed', async () => {
    // Arrange
    const other = await freshRoot();

    // Act
    await generateExports({ ...SMALL, seed: 43, root: other });

    // Assert
    const path = 'exports/2026-Q3/interactions.csv';
    const [first, second] = await Promise.all([readFile(join(root, path)), readFile(join(other, path))]);
    expect(second.equals(first)).toBe(false);
  });

  it('writes the five datasets for every quarter with the contract header columns', async () => {
    // Arrange
    const expected = QUARTERS.flatMap((quarter) =>
      DATASETS.map((dataset) => `exports/${quarter}/${dataset}.csv`),
    );

    // Act
    const files = await filesUnder(root);

    // Assert
    expect(files).toEqual([...expected].sort());
    for (const quarter of QUARTERS) {
      for (const dataset of DATASETS) {
        const { header } = await readCsv(root, `exports/${quarter}/${dataset}.csv`);
        expect(header, `${quarter} ${dataset}`).toEqual(CONTRACT_COLUMNS[dataset]);
      }
    }
  });

  it('reports every file it wrote with its row count and size on disk', async () => {
    // Arrange
    const written = await filesUnder(root);

    // Act
    const reported = summary.quarters.flatMap((quarter) => quarter.files);

    // Assert
    expect(summary.quarters.map((quarter) => quarter.quarter)).toEqual(QUARTERS);
    expect(reported.map((file) => file.path).sort()).toEqual(written);
    for (const file of reported) {
      const bytes = await readFile(join(root, file.path));
      const { rows } = await readCsv(root, file.path);
      expect(file.bytes, file.path).toBe(bytes.length);
      expect(file.rows, file.path).toBe(rows.length);
    }
  });

  it('injects exactly the bad rows it reports, under 1% of every dataset, and nothing else breaks the contract', async () => {
    // Arrange
    const checked = await Promise.all(QUARTERS.map((quarter) => validateQuarter(root, quarter)));

    // Act
    const outcomes = QUARTERS.flatMap((quarter, i) =>
      DATASETS.map((dataset) => ({
        label: `${quarter} ${dataset}`,
        rows: checked[i]?.rows[dataset] ?? 0,
        rejected: checked[i]?.rejected[dataset] ?? -1,
        reported: injected(summary, quarter, dataset),
      })),
    );

    // Assert
    for (const outcome of outcomes) {
      expect(outcome.rejected, outcome.label).toBe(outcome.reported);
      expect(outcome.rejected / outcome.rows, outcome.label).toBeLessThan(0.01);
    }
    // The default share still exercises rejection in every dataset of 200 rows or more.
    const sizable = outcomes.filter((outcome) => outcome.rows >= 200);
    expect(sizable.length).toBeGreaterThanOrEqual(QUARTERS.length * 4);
    expect(sizable.filter((outcome) => outcome.reported < 1)).toEqual([]);
  });

  it('keeps interaction ids unique except for the injected duplicates, and every interaction inside its quarter', async () => {
    // Arrange
    const checked = await Promise.all(QUARTERS.map((quarter) => validateQuarter(root, quarter)));

    // Act
    const duplicates = checked.map((result) => result.duplicateInteractionIds);
    const outside = checked.map((result) => result.interactionsOutsideQuarter);

    // Assert
    expect(duplicates).toEqual(
      QUARTERS.map((quarter) => injected(summary, quarter, 'interactions', 'duplicate interaction_id')),
    );
    expect(outside).toEqual([0, 0, 0]);
    const all = await Promise.all(QUARTERS.map((quarter) => readDataset(root, quarter, 'interactions')));
    const ids = all.flatMap((dataset) => dataset.rows.map((row) => row.interaction_id));
    const totalDuplicates = duplicates.reduce((sum, count) => sum + count, 0);
    expect(new Set(ids).size).toBe(ids.length - totalDuplicates);
  });

  it('mixes dates, UTC date-times and offset date-times, and quotes fields that contain commas or quotes', async () => {
    // Arrange
    const interactions = await readFile(join(root, 'exports/2026-Q3/interactions.csv'), 'utf8');
    const clients = await readFile(join(root, 'exports/2026-Q3/clients.csv'), 'utf8');
    const costs = await readFile(join(root, 'exports/2026-Q3/support_costs.csv'), 'utf8');

    // Act
    const lines = interactions.split('\n');

    // Assert
    expect(lines.some((line) => /,\d{4}-\d{2}-\d{2},/.test(line))).toBe(true);
    expect(lines.some((line) => /T\d{2}:\d{2}:\d{2}Z,/.test(line))).toBe(true);
    expect(lines.some((line) => /T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2},/.test(line))).toBe(true);
    expect(clients).toContain('"Public Sector, Federal"');
    expect(costs).toContain('"Vendor ""Acme, Inc."" escalations"');
  });

  it('grows the book and records churn: each export holds every client so far, some with churned_on', async () => {
    // Arrange
    const books = await Promise.all(QUARTERS.map((quarter) => readDataset(root, quarter, 'clients')));

    // Act
    const sizes = books.map((book) => book.rows.length);
    const churnedInQ3 = books[2]?.rows.filter(
      (row) => (row.churned_on ?? '') >= '2026-07-02' && (row.churned_on ?? '') <= '2026-10-01',
    );

    // Assert
    expect(sizes[1]).toBeGreaterThan(sizes[0] ?? 0);
    expect(sizes[2]).toBeGreaterThan(sizes[1] ?? 0);
    expect(churnedInQ3?.length).toBeGreaterThan(0);
    const earlier = new Set(books[0]?.rows.map((row) => row.client_id ?? ''));
    const later = new Set(books[2]?.rows.map((row) => row.client_id ?? ''));
    expect([...earlier].filter((id) => !id.startsWith('C-X') && !later.has(id))).toEqual([]);
  });
});

describe('generateExports with interaction parts', () => {
  it('splits interactions into gzipped parts that hold, in order, the rows of the plain file', async () => {
    // Arrange
    const plainRoot = await freshRoot();
    const partsRoot = await freshRoot();
    const options = { quarters: ['2026-Q3'], clients: 150, seed: 7 };
    await generateExports({ ...options, root: plainRoot });

    // Act
    const summary = await generateExports({ ...options, root: partsRoot, interactionParts: 3 });

    // Assert
    const files = await filesUnder(partsRoot);
    const parts = files.filter((path) => path.includes('/interactions'));
    expect(parts).toEqual([
      'exports/2026-Q3/interactions/part-001.csv.gz',
      'exports/2026-Q3/interactions/part-002.csv.gz',
      'exports/2026-Q3/interactions/part-003.csv.gz',
    ]);
    const split = await readDataset(partsRoot, '2026-Q3', 'interactions');
    const plain = await readDataset(plainRoot, '2026-Q3', 'interactions');
    expect(split.headers).toEqual([
      CONTRACT_COLUMNS.interactions,
      CONTRACT_COLUMNS.interactions,
      CONTRACT_COLUMNS.interactions,
    ]);
    expect(split.rows).toEqual(plain.rows);
    expect(injected(summary, '2026-Q3', 'interactions')).toBe(
      (await validateQuarter(partsRoot, '2026-Q3')).rejected.interactions,
    );
  });

  it('replaces a plain interactions file left by an earlier run, so only one layout remains', async () => {
    // Arrange
    const root = await freshRoot();
    const options = { quarters: ['2026-Q3'], clients: 50, seed: 7 };
    await generateExports({ ...options, root });

    // Act
    await generateExports({ ...options, root, interactionParts: 2 });

    // Assert
    const files = await filesUnder(root);
    expect(files).not.toContain('exports/2026-Q3/interactions.csv');
    expect(files).toContain('exports/2026-Q3/interactions/part-002.csv.gz');
  });
});

describe('generateExports over two years', () => {
  it('moves the trends: self-service rises, the book grows, cost per client falls', async () => {
    // Arrange
    const root = await freshRoot();
    const quarters = ['2024-Q4', '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'];

    // Act
    const summary = await generateExports({ root, quarters, clients: 600, seed: 3 });

    // Assert
    const selfServiceShare = async (quarter: string) => {
      const { rows } = await readDataset(root, quarter, 'interactions');
      return rows.filter((row) => row.channel?.toLowerCase() === 'self_service').length / rows.length;
    };
    const costPerClient = async (quarter: string) => {
      const { rows } = await readDataset(root, quarter, 'support_costs');
      const total = rows.reduce((sum, row) => sum + (Number(row.amount) || 0), 0);
      const active = summary.quarters.find((entry) => entry.quarter === quarter)?.activeClients ?? 1;
      return total / active;
    };
    expect(await selfServiceShare('2026-Q3')).toBeGreaterThan((await selfServiceShare('2024-Q4')) + 0.1);
    expect(await costPerClient('2026-Q3')).toBeLessThan(await costPerClient('2024-Q4'));
    const active = summary.quarters.map((entry) => entry.activeClients);
    expect(active[active.length - 1]).toBeGreaterThan(active[0] ?? 0);
  });
});

describe('generateExports options', () => {
  it('rejects a bad-row share of 1% or more', async () => {
    // Arrange
    const root = await freshRoot();

    // Act
    const outcome = generateExports({ root, quarters: ['2026-Q3'], clients: 10, badRowShare: 0.01 });

    // Assert
    await expect(outcome).rejects.toThrow(/badRowShare/);
  });

  it('rejects a quarter label that is not YYYY-Qn', async () => {
    // Arrange
    const root = await freshRoot();

    // Act
    const outcome = generateExports({ root, quarters: ['2026-3'], clients: 10 });

    // Assert
    await expect(outcome).rejects.toThrow(/not a quarter/);
  });

  it('writes no bad rows when the bad-row share is 0', async () => {
    // Arrange
    const root = await freshRoot();

    // Act
    const summary = await generateExports({ root, quarters: ['2026-Q3'], clients: 300, badRowShare: 0 });

    // Assert
    const checked = await validateQuarter(root, '2026-Q3');
    expect(Object.values(checked.rejected)).toEqual([0, 0, 0, 0, 0]);
    expect(summary.quarters[0]?.files.every((file) => file.badRows === 0)).toBe(true);
  });
});
