/**
 * The hand-worked example of spec/example/README.md (six clients, quarter 2026-Q3), run
 * end to end through `runQuarter` against a local data root. Every figure asserted here
 * is one the README works out by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { type Config, parseConfig } from '../../src/core/config';
import { ExportSetError } from '../../src/core/errors';
import type { KpiId } from '../../src/core/kpi-ids';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import { snapshotSchema } from '../../src/core/snapshot';
import { runQuarter } from '../../src/use-cases/run-quarter';
import {
  cloneFixture,
  filesUnder,
  hashExports,
  readReport,
  removeDataRoots,
} from '../support/export-fixtures';

const QUARTER = parseQuarter('2026-Q3') as Quarter;
const NOW = new Date('2026-10-05T06:00:03.120Z');
/** About a fifth of the example's rows are bad on purpose; 50% lets the run through. */
const LENIENT = parseConfig({ rejectLimitPercent: 50 });

async function runExample(config: Config) {
  const root = await cloneFixture('example');
  const before = await hashExports(root);
  const run = () => runQuarter({ store: new LocalExportStore(root), config, quarter: QUARTER, now: NOW });
  return { root, before, run };
}

afterEach(async () => {
  await removeDataRoots();
});

describe('the worked example with the default configuration', () => {
  it('fails naming interactions, surveys and support_costs as over the 1% reject limit', async () => {
    // Arrange
    const { run } = await runExample(parseConfig({}));

    // Act
    const outcome = run();

    // Assert
    await expect(outcome).rejects.toThrow(ExportSetError);
    await expect(outcome).rejects.toMatchObject({
      quarter: '2026-Q3',
      problems: [
        expect.stringMatching(/^interactions: 4 of 19 rows \(21\.1%\) were rejected, over the 1% limit/),
        expect.stringMatching(/^surveys: 2 of 12 rows \(16\.7%\) were rejected, over the 1% limit/),
        expect.stringMatching(/^support_costs: 1 of 6 rows \(16\.7%\) were rejected, over the 1% limit/),
      ],
    });
  });

  it('writes validation.json with ok false and publishes no kpis.json', async () => {
    // Arrange
    const { root, run } = await runExample(parseConfig({}));

    // Act
    await expect(run()).rejects.toThrow(ExportSetError);

    // Assert
    expect(await filesUnder(root, 'reports')).toEqual(['2026-Q3/validation.json']);
    const validation = await readReport(root, '2026-Q3', 'validation.json');
    expect(validation).toMatchObject({
      quarter: '2026-Q3',
      ok: false,
      checkedAt: NOW.toISOString(),
      problems: [
        expect.stringContaining('interactions'),
        expect.stringContaining('surveys'),
        expect.stringContaining('support_costs'),
      ],
      dataQuality: { interactions: { rows: 19, rejected: 4 } },
    });
  });

  it('leaves every file under exports/ unchanged', async () => {
    // Arrange
    const { root, before, run } = await runExample(parseConfig({}));

    // Act
    await expect(run()).rejects.toThrow(ExportSetError);

    // Assert
    expect(Object.keys(before)).toHaveLength(5);
    expect(await hashExports(root)).toEqual(before);
  });
});

describe('the worked example with a 50% reject limit', () => {
  it.each<[KpiId, number, number, number]>([
    ['selfServiceAdoptionRate', 60, 3, 5],
    ['relationshipDepth', 1.4, 7, 5],
    ['empowermentSatisfactionScore', 80, 240, 3],
    ['netPromoterScore', 0, 0, 6],
    ['customerRetentionRate', 75, 3, 4],
    ['costToSupportPerClient', 310, 1550, 5],
  ])('computes the company %s as %s (%s over %s)', async (id, value, numerator, denominator) => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    expect(snapshot.kpis[id]).toMatchObject({ value, numerator, denominator });
  });

  it('computes the company Client Independence Rate as 2 independent of 6 served clients', async () => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    const independence = snapshot.kpis.clientIndependenceRate;
    expect(independence.value).toBeCloseTo(100 / 3, 10);
    expect(independence).toMatchObject({ numerator: 2, denominator: 6 });
  });

  it('shows relationship depth as 28% of a catalog of 5 services', async () => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    expect(snapshot.catalogSize).toBe(5);
    // 7 services / (5 active clients × 5 in the catalog), exactly.
    expect(snapshot.kpis.relationshipDepth.shareOfCatalog).toBe(28);
  });

  it.each<[string, KpiId, number | null]>([
    ['Analytics', 'selfServiceAdoptionRate', 100],
    ['Analytics', 'relationshipDepth', 1],
    ['Analytics', 'empowermentSatisfactionScore', 75],
    ['Analytics', 'netPromoterScore', 0],
    ['Analytics', 'customerRetentionRate', 100],
    ['Analytics', 'costToSupportPerClient', 650],
    ['Payments', 'clientIndependenceRate', 50],
    ['Payments', 'selfServiceAdoptionRate', 50],
    ['Payments', 'relationshipDepth', 1],
    ['Payments', 'empowermentSatisfactionScore', 90],
    ['Payments', 'netPromoterScore', 50],
    ['Payments', 'customerRetentionRate', 0],
    ['Payments', 'costToSupportPerClient', 62.5],
    ['Platform', 'clientIndependenceRate', 0],
    ['Platform', 'selfServiceAdoptionRate', 0],
    ['Platform', 'relationshipDepth', 3],
    ['Platform', 'empowermentSatisfactionScore', null],
    ['Platform', 'netPromoterScore', -100],
    ['Platform', 'customerRetentionRate', 100],
    ['Platform', 'costToSupportPerClient', 125],
  ])('computes product %s %s as %s', async (product, id, value) => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    expect(snapshot.segments.product?.[product]?.[id].value).toBe(value);
  });

  it('computes product Analytics Client Independence Rate as 1 independent (E) of 3 served (A, B, E)', async () => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    const independence = snapshot.segments.product?.Analytics?.clientIndependenceRate;
    expect(independence?.value).toBeCloseTo(100 / 3, 10);
    expect(independence).toMatchObject({ numerator: 1, denominator: 3 });
  });

  it('allocates Analytics cost as A 1,125 + B 50 + E 125 over its 2 active clients', async () => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    expect(snapshot.segments.product?.Analytics?.costToSupportPerClient).toMatchObject({
      value: 650,
      numerator: 1300,
      denominator: 2,
    });
  });

  it('has exactly the three product segments and every segment dimension of clients.csv', async () => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    expect(Object.keys(snapshot.segments).sort()).toEqual(['industry', 'product', 'region', 'size']);
    expect(Object.keys(snapshot.segments.product ?? {}).sort()).toEqual([
      'Analytics',
      'Payments',
      'Platform',
    ]);
    // C has no industry.
    expect(snapshot.segments.industry?.['(unspecified)']?.selfServiceAdoptionRate.denominator).toBe(1);
  });

  it('bands each KPI with the default thresholds, depth on its share of the catalog and cost unbanded', async () => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    const bands = Object.fromEntries(Object.entries(snapshot.kpis).map(([id, kpi]) => [id, kpi.band]));
    expect(bands).toEqual({
      clientIndependenceRate: 'weak',
      selfServiceAdoptionRate: 'moderate',
      relationshipDepth: 'weak',
      empowermentSatisfactionScore: 'strong',
      netPromoterScore: 'moderate',
      customerRetentionRate: 'weak',
      costToSupportPerClient: null,
    });
  });

  it('flags every company KPI as low-sample, since every denominator is under 30', async () => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    for (const kpi of Object.values(snapshot.kpis)) {
      expect(kpi.denominator).toBeLessThan(30);
      expect(kpi.lowSample).toBe(true);
    }
  });

  it('counts rejected rows per dataset as 0, 4, 0, 2 and 1', async () => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    const rejected = Object.fromEntries(
      Object.entries(snapshot.dataQuality).map(([name, quality]) => [name, quality.rejected]),
    );
    expect(rejected).toEqual({ clients: 0, interactions: 4, services: 0, surveys: 2, support_costs: 1 });
  });

  it('names each rejected interaction with its file, line and reason', async () => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot } = await run();

    // Assert
    expect(snapshot.dataQuality.interactions.examples).toEqual([
      { file: 'interactions.csv', line: 16, reason: expect.stringContaining("unknown client_id 'Z'") },
      { file: 'interactions.csv', line: 17, reason: expect.stringContaining("interaction_id 'I13' repeats") },
      {
        file: 'interactions.csv',
        line: 19,
        reason: expect.stringContaining("'2026-13-01' is not a valid date"),
      },
      { file: 'interactions.csv', line: 20, reason: expect.stringContaining("channel 'phone'") },
    ]);
    expect(snapshot.dataQuality.surveys.examples.map((example) => example.line)).toEqual([6, 13]);
    expect(snapshot.dataQuality.support_costs.examples).toEqual([
      { file: 'support_costs.csv', line: 6, reason: expect.stringContaining("amount 'abc'") },
    ]);
  });

  it('has no earlier quarter to compare with, so deltas are null and the trend is one point', async () => {
    // Arrange
    const { run } = await runExample(LENIENT);

    // Act
    const { snapshot, priorSources } = await run();

    // Assert
    expect(priorSources.size).toBe(0);
    expect(snapshot.kpis.netPromoterScore).toMatchObject({
      previous: null,
      deltaQoQ: null,
      yearAgo: null,
      deltaYoY: null,
      trend: [{ quarter: '2026-Q3', value: 0 }],
    });
  });

  it('writes a kpis.json that validates against the snapshot schema and equals the returned snapshot', async () => {
    // Arrange
    const { root, run } = await runExample(LENIENT);

    // Act
    const { snapshot, snapshotKey } = await run();

    // Assert
    expect(snapshotKey).toBe('reports/2026-Q3/kpis.json');
    const written = snapshotSchema.parse(await readReport(root, '2026-Q3', 'kpis.json'));
    expect(written).toEqual(snapshot);
    expect(written).toMatchObject({
      schemaVersion: 1,
      quarter: '2026-Q3',
      period: { start: '2026-07-01', end: '2026-09-30', timeZone: 'UTC' },
      generatedAt: NOW.toISOString(),
    });
    expect((await readReport(root, '2026-Q3', 'validation.json')) as object).toMatchObject({ ok: true });
  });

  it('leaves every file under exports/ unchanged', async () => {
    // Arrange
    const { root, before, run } = await runExample(LENIENT);

    // Act
    await run();

    // Assert
    expect(await hashExports(root)).toEqual(before);
  });
});
