/**
 * Trends and deltas (spec/kpis.md "Trends and deltas"): previous and year-ago values,
 * deltas, 8-quarter trends, and where prior values come from (a published snapshot, else
 * the quarter's export set), through `runQuarter` and `backfill` on hand-built export sets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { parseConfig } from '../../src/core/config';
import {
  formatDay,
  formatQuarter,
  parseQuarter,
  type Quarter,
  quarterPeriod,
  shiftQuarter,
} from '../../src/core/quarter';
import { formatKpiDelta } from '../../src/core/report/format/format-values';
import { backfill } from '../../src/use-cases/backfill';
import { runQuarter } from '../../src/use-cases/run-quarter';
import {
  createExports,
  type ExportFiles,
  filesUnder,
  readReport,
  readSnapshot,
  removeDataRoots,
  writeReport,
} from '../support/export-fixtures';

const NOW = new Date('2026-10-05T06:00:00Z');
const CONFIG = parseConfig({});

/** One client: its product and its interactions in the quarter by channel. */
interface ClientActivity {
  readonly id: string;
  readonly product?: string;
  readonly selfService: number;
  readonly assisted: number;
}

/** A day well inside the quarter, as `YYYY-MM-DD`. */
function dayIn(quarter: string): string {
  return formatDay(quarterPeriod(parseQuarter(quarter) as Quarter).start + 14);
}

/**
 * An export set whose clients have been customers since 2020 and have the given
 * interactions in `quarter`; `extra` adds or replaces files.
 */
function exportSet(
  quarter: string,
  clients: readonly ClientActivity[],
  extra: ExportFiles = {},
): ExportFiles {
  const day = dayIn(quarter);
  const interactions: string[][] = [];
  for (const client of clients) {
    for (let i = 0; i < client.selfService; i++) {
      interactions.push([`${client.id}-S${i}`, client.id, day, 'self_service']);
    }
    for (let i = 0; i < client.assisted; i++) {
      interactions.push([`${client.id}-A${i}`, client.id, day, 'assisted']);
    }
  }
  return {
    'clients.csv': [
      ['client_id', 'customer_since', 'churned_on', 'product'],
      ...clients.map((client) => [client.id, '2020-01-01', '', client.product ?? 'Core']),
    ],
    'interactions.csv': [['interaction_id', 'client_id', 'occurred_at', 'channel'], ...interactions],
    ...extra,
  };
}

/** `served` clients with one interaction each, the first `independent` of them self-service. */
function independence(
  quarter: string,
  served: number,
  independent: number,
  extra?: ExportFiles,
): ExportFiles {
  const clients = Array.from({ length: served }, (_, i) => ({
    id: `C${String(i + 1).padStart(2, '0')}`,
    selfService: i < independent ? 1 : 0,
    assisted: i < independent ? 0 : 1,
  }));
  return exportSet(quarter, clients, extra);
}

function run(root: string, quarter: string) {
  return runQuarter({
    store: new LocalExportStore(root),
    config: CONFIG,
    quarter: parseQuarter(quarter) as Quarter,
    now: NOW,
  });
}

afterEach(async () => {
  await removeDataRoots();
});

describe('the published example of the Client Independence Rate', () => {
  it('moves from 55% (weak) to 75% (moderate), a +20 point delta, over two quarters', async () => {
    // Arrange: 20 served clients, 11 then 15 of them independent.
    const root = await createExports({
      '2026-Q2': independence('2026-Q2', 20, 11),
      '2026-Q3': independence('2026-Q3', 20, 15),
    });

    // Act
    const outcomes = await backfill({ store: new LocalExportStore(root), config: CONFIG, now: NOW });

    // Assert
    expect(outcomes.map((outcome) => [outcome.quarter, outcome.ok])).toEqual([
      ['2026-Q2', true],
      ['2026-Q3', true],
    ]);
    const first = (await readSnapshot(root, '2026-Q2')).kpis.clientIndependenceRate;
    expect(first).toMatchObject({
      value: 55,
      numerator: 11,
      denominator: 20,
      band: 'weak',
      previous: null,
      deltaQoQ: null,
    });
    const second = (await readSnapshot(root, '2026-Q3')).kpis.clientIndependenceRate;
    expect(second).toMatchObject({
      value: 75,
      numerator: 15,
      denominator: 20,
      band: 'moderate',
      previous: 55,
      deltaQoQ: 20,
    });
    expect(formatKpiDelta('clientIndependenceRate', second.deltaQoQ, 'USD')).toBe('+20.0 pp');
    expect(second.trend.map((point) => point.quarter)).toEqual(['2026-Q2', '2026-Q3']);
  });
});

describe('where prior values come from', () => {
  it('takes the previous value from the published snapshot when one exists', async () => {
    // Arrange: publish both quarters, then hand-edit the earlier snapshot's value.
    const root = await createExports({
      '2026-Q2': independence('2026-Q2', 8, 2),
      '2026-Q3': independence('2026-Q3', 8, 6),
    });
    await backfill({ store: new LocalExportStore(root), config: CONFIG, now: NOW });
    const published = (await readReport(root, '2026-Q2', 'kpis.json')) as {
      kpis: { clientIndependenceRate: { value: number } };
    };
    expect(published.kpis.clientIndependenceRate.value).toBe(25);
    published.kpis.clientIndependenceRate.value = 40;
    await writeReport(root, '2026-Q2', 'kpis.json', JSON.stringify(published));

    // Act
    const { snapshot, priorSources } = await run(root, '2026-Q3');

    // Assert
    expect(priorSources.get('2026-Q2')).toBe('snapshot');
    expect(snapshot.kpis.clientIndependenceRate).toMatchObject({ value: 75, previous: 40, deltaQoQ: 35 });
  });

  it('recomputes the previous value from its export set when it has no snapshot, publishing nothing for it', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q2': independence('2026-Q2', 8, 2),
      '2026-Q3': independence('2026-Q3', 8, 6),
    });

    // Act
    const { snapshot, priorSources } = await run(root, '2026-Q3');

    // Assert
    expect(priorSources.get('2026-Q2')).toBe('exports');
    expect(snapshot.kpis.clientIndependenceRate).toMatchObject({ value: 75, previous: 25, deltaQoQ: 50 });
    expect(await filesUnder(root, 'reports')).toEqual(['2026-Q3/kpis.json', '2026-Q3/validation.json']);
  });

  it('recomputes from the export set, with a warning, when the published snapshot is not valid', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q2': independence('2026-Q2', 8, 2),
      '2026-Q3': independence('2026-Q3', 8, 6),
    });
    await writeReport(root, '2026-Q2', 'kpis.json', '{"schemaVersion": 1, "kpis": ');

    // Act
    const { snapshot, priorSources } = await run(root, '2026-Q3');

    // Assert
    expect(priorSources.get('2026-Q2')).toBe('exports');
    expect(snapshot.kpis.clientIndependenceRate.previous).toBe(25);
    expect(snapshot.warnings).toContainEqual(
      expect.stringContaining('reports/2026-Q2/kpis.json is not a valid version 1 snapshot'),
    );
  });

  it('leaves out, with a warning, an earlier quarter whose exports cannot be reported on', async () => {
    // Arrange: 2026-Q2 has no interactions.
    const root = await createExports({
      '2026-Q1': independence('2026-Q1', 8, 2),
      '2026-Q2': { 'clients.csv': [['client_id', 'customer_since']] },
      '2026-Q3': independence('2026-Q3', 8, 6),
    });

    // Act
    const { snapshot, priorSources } = await run(root, '2026-Q3');

    // Assert
    expect([...priorSources.keys()]).toEqual(['2026-Q1']);
    expect(snapshot.kpis.clientIndependenceRate).toMatchObject({
      previous: null,
      deltaQoQ: null,
      trend: [
        { quarter: '2026-Q1', value: 25 },
        { quarter: '2026-Q3', value: 75 },
      ],
    });
    expect(snapshot.warnings).toContain(
      '2026-Q2 has exports that cannot be reported on, so its values are missing from trends',
    );
  });

  it('takes yearAgo from Q−4, and leaves previous null when Q−1 has neither snapshot nor exports', async () => {
    // Arrange
    const root = await createExports({
      '2025-Q3': independence('2025-Q3', 8, 2),
      '2026-Q3': independence('2026-Q3', 8, 6),
    });

    // Act
    const { snapshot, priorSources } = await run(root, '2026-Q3');

    // Assert
    expect([...priorSources.keys()]).toEqual(['2025-Q3']);
    expect(snapshot.kpis.clientIndependenceRate).toMatchObject({
      value: 75,
      previous: null,
      deltaQoQ: null,
      yearAgo: 25,
      deltaYoY: 50,
      trend: [
        { quarter: '2025-Q3', value: 25 },
        { quarter: '2026-Q3', value: 75 },
      ],
    });
  });
});

describe('trends', () => {
  it('lists the last 8 quarters, oldest first and ending with Q, after a backfill of 9', async () => {
    // Arrange: quarter k (0 to 8, from 2024-Q3) has k of 8 served clients independent.
    const first = parseQuarter('2024-Q3') as Quarter;
    const labels = Array.from({ length: 9 }, (_, k) => formatQuarter(shiftQuarter(first, k)));
    const root = await createExports(
      Object.fromEntries(labels.map((label, k) => [label, independence(label, 8, k)])),
    );

    // Act
    const outcomes = await backfill({ store: new LocalExportStore(root), config: CONFIG, now: NOW });

    // Assert
    expect(outcomes.map((outcome) => outcome.quarter)).toEqual(labels);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const last = outcomes.at(-1);
    if (!last?.ok) throw new Error('the last quarter failed');
    const kpi = last.result.snapshot.kpis.clientIndependenceRate;
    expect(kpi.trend).toEqual(labels.slice(1).map((quarter, k) => ({ quarter, value: (k + 1) * 12.5 })));
    expect(kpi).toMatchObject({ value: 100, previous: 87.5, deltaQoQ: 12.5, yearAgo: 50, deltaYoY: 50 });
    expect([...last.result.priorSources.keys()].sort()).toEqual(labels.slice(1, 8));
    expect(new Set(last.result.priorSources.values())).toEqual(new Set(['snapshot']));
    expect((await filesUnder(root, 'reports')).filter((file) => file.endsWith('kpis.json'))).toHaveLength(9);
  });

  it('gives a null delta when either side is null, and keeps the null in the trend', async () => {
    // Arrange: surveys in Q1 and Q3 only, so Q2's CESS and NPS are null.
    const surveys = (quarter: string): ExportFiles => ({
      'surveys.csv': [
        ['response_id', 'client_id', 'submitted_at', 'survey', 'score', 'scale_max'],
        ['R1', 'C01', dayIn(quarter), 'cess', '80', ''],
        ['R2', 'C01', dayIn(quarter), 'nps', '10', ''],
      ],
    });
    const root = await createExports({
      '2026-Q1': independence('2026-Q1', 4, 1, surveys('2026-Q1')),
      '2026-Q2': independence('2026-Q2', 4, 1),
      '2026-Q3': independence('2026-Q3', 4, 1, surveys('2026-Q3')),
    });

    // Act
    const outcomes = await backfill({ store: new LocalExportStore(root), config: CONFIG, now: NOW });

    // Assert
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const q2 = (await readSnapshot(root, '2026-Q2')).kpis.empowermentSatisfactionScore;
    expect(q2).toMatchObject({ value: null, previous: 80, deltaQoQ: null });
    const q3 = await readSnapshot(root, '2026-Q3');
    expect(q3.kpis.empowermentSatisfactionScore).toMatchObject({
      value: 80,
      previous: null,
      deltaQoQ: null,
      trend: [
        { quarter: '2026-Q1', value: 80 },
        { quarter: '2026-Q2', value: null },
        { quarter: '2026-Q3', value: 80 },
      ],
    });
    expect(q3.kpis.netPromoterScore).toMatchObject({ value: 100, previous: null, deltaQoQ: null });
    // Independence is known in both quarters, so its delta is a number.
    expect(q3.kpis.clientIndependenceRate.deltaQoQ).toBe(0);
  });

  it('gives Cost to Support its relative change in percent as well', async () => {
    // Arrange: 4 active clients; 400 of costs in Q2, 600 in Q3.
    const costs = (quarter: string, amount: string): ExportFiles => ({
      'support_costs.csv': [
        ['incurred_on', 'amount', 'client_id', 'category'],
        [dayIn(quarter), amount, '', 'tier1'],
      ],
    });
    const root = await createExports({
      '2026-Q2': independence('2026-Q2', 4, 1, costs('2026-Q2', '400')),
      '2026-Q3': independence('2026-Q3', 4, 1, costs('2026-Q3', '600.00')),
    });

    // Act
    await backfill({ store: new LocalExportStore(root), config: CONFIG, now: NOW });

    // Assert
    const { kpis } = await readSnapshot(root, '2026-Q3');
    expect(kpis.costToSupportPerClient).toMatchObject({
      value: 150,
      previous: 100,
      deltaQoQ: 50,
      deltaQoQPercent: 50,
      yearAgo: null,
      deltaYoY: null,
      deltaYoYPercent: null,
      band: null,
    });
    expect(kpis.clientIndependenceRate).not.toHaveProperty('deltaQoQPercent');
  });

  it('gives each segment its own previous value, delta and trend', async () => {
    // Arrange: product X goes from 1 of 2 to 2 of 2 independent, Y from 2 of 2 to 0 of 2; Z is new in Q3.
    const root = await createExports({
      '2026-Q2': exportSet('2026-Q2', [
        { id: 'X1', product: 'X', selfService: 1, assisted: 0 },
        { id: 'X2', product: 'X', selfService: 0, assisted: 1 },
        { id: 'Y1', product: 'Y', selfService: 1, assisted: 0 },
        { id: 'Y2', product: 'Y', selfService: 1, assisted: 0 },
      ]),
      '2026-Q3': exportSet('2026-Q3', [
        { id: 'X1', product: 'X', selfService: 1, assisted: 0 },
        { id: 'X2', product: 'X', selfService: 1, assisted: 0 },
        { id: 'Y1', product: 'Y', selfService: 0, assisted: 1 },
        { id: 'Y2', product: 'Y', selfService: 0, assisted: 1 },
        { id: 'Z1', product: 'Z', selfService: 1, assisted: 0 },
      ]),
    });

    // Act
    await backfill({ store: new LocalExportStore(root), config: CONFIG, now: NOW });

    // Assert
    const { segments, kpis } = await readSnapshot(root, '2026-Q3');
    expect(segments.product?.X?.clientIndependenceRate).toMatchObject({
      value: 100,
      previous: 50,
      deltaQoQ: 50,
      trend: [
        { quarter: '2026-Q2', value: 50 },
        { quarter: '2026-Q3', value: 100 },
      ],
    });
    expect(segments.product?.Y?.clientIndependenceRate).toMatchObject({
      value: 0,
      previous: 100,
      deltaQoQ: -100,
    });
    expect(segments.product?.Z?.clientIndependenceRate).toMatchObject({
      value: 100,
      previous: null,
      deltaQoQ: null,
    });
    expect(kpis.clientIndependenceRate).toMatchObject({ value: 60, previous: 75, deltaQoQ: -15 });
  });
});
