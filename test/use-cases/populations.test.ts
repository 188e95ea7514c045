/**
 * Client populations, quarter boundaries and the KPI formulas of spec/kpis.md, checked
 * through `runQuarter` on tiny export sets whose every figure is computed by hand in the
 * test. Quarter 2026-Q3 runs from 2026-07-01 (Q.start) to 2026-09-30 (Q.end).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { parseConfig } from '../../src/core/config';
import { ExportSetError } from '../../src/core/errors';
import type { DatasetName } from '../../src/core/export-set/contract';
import { KPI_IDS, type KpiId } from '../../src/core/kpi-ids';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import type { Snapshot } from '../../src/core/snapshot';
import { runQuarter } from '../../src/use-cases/run-quarter';
import {
  cloneFixture,
  createExports,
  type ExportFiles,
  hashExports,
  readReport,
  removeDataRoots,
} from '../support/export-fixtures';

const NOW = new Date('2026-10-05T06:00:00Z');
const CLIENTS = ['client_id', 'customer_since', 'churned_on', 'product'];
const INTERACTIONS = ['interaction_id', 'client_id', 'occurred_at', 'channel'];
const SERVICES = ['client_id', 'service', 'started_on', 'ended_on'];
const SURVEYS = ['response_id', 'client_id', 'submitted_at', 'survey', 'score', 'scale_max'];
const COSTS = ['incurred_on', 'amount', 'client_id', 'category'];

/**
 * These sets hold a handful of rows, often mostly outside Q on purpose, so the share of
 * rows in the period says nothing here: the plausibility guards have tests of their own.
 */
function run(root: string, config: Record<string, unknown> = {}, quarter = '2026-Q3') {
  return runQuarter({
    store: new LocalExportStore(root),
    config: parseConfig({ minRowsInPeriodPercent: 0, ...config }),
    quarter: parseQuarter(quarter) as Quarter,
    now: NOW,
  });
}

/** interactions.csv with one row long before Q: no KPI sees it, and the dataset is not empty. */
function interactionsBeforeQ(client: string): string[][] {
  return [INTERACTIONS, ['I-EARLY', client, '2020-01-15', 'assisted']];
}

afterEach(async () => {
  await removeDataRoots();
});

describe('client populations at the quarter boundaries', () => {
  it.each([
    // case, customer_since, churned_on, active, in S, retained
    ['customer_since on Q.start is active but not a customer at start', '2026-07-01', '', 1, 0, 0],
    ['customer_since on Q.end is active but not a customer at start', '2026-09-30', '', 1, 0, 0],
    ['customer_since the day after Q.end is not active', '2026-10-01', '', 0, 0, 0],
    ['churned_on Q.start is neither active nor a customer at start', '2025-01-01', '2026-07-01', 0, 0, 0],
    [
      'churned_on the day after Q.start is active and at start, not retained',
      '2025-01-01',
      '2026-07-02',
      1,
      1,
      0,
    ],
    ['churned_on Q.end is active and at start but not retained', '2025-01-01', '2026-09-30', 1, 1, 0],
    ['churned_on the day after Q.end is retained', '2025-01-01', '2026-10-01', 1, 1, 1],
    ['customer_since the day before Q.start is at start and retained', '2026-06-30', '', 1, 1, 1],
  ])('a client with %s', async (_case, since, churned, active, atStart, retained) => {
    // Arrange
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [CLIENTS, ['X', since, churned, 'P']],
        'interactions.csv': interactionsBeforeQ('X'),
      },
    });

    // Act
    const { snapshot } = await run(root);

    // Assert
    expect(snapshot.kpis.selfServiceAdoptionRate.denominator).toBe(active);
    expect(snapshot.kpis.customerRetentionRate).toMatchObject({ numerator: retained, denominator: atStart });
  });

  it('counts a client churned on Q.start as served when it has an interaction in Q', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [CLIENTS, ['GONE', '2025-03-01', '2026-07-01', 'P']],
        'interactions.csv': [INTERACTIONS, ['I1', 'GONE', '2026-07-05', 'assisted']],
      },
    });

    // Act
    const { snapshot } = await run(root);

    // Assert
    expect(snapshot.kpis.clientIndependenceRate).toMatchObject({ value: 0, numerator: 0, denominator: 1 });
    expect(snapshot.kpis.selfServiceAdoptionRate).toMatchObject({ value: null, denominator: 0 });
  });

  it('computes retention over S only: a client new in Q is neither retained nor lost', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [
          CLIENTS,
          ['OLD', '2020-01-01', '', 'P'],
          ['NEW', '2026-07-01', '', 'P'],
          ['LOST', '2020-01-01', '2026-09-30', 'P'],
          ['KEPT', '2020-01-01', '2026-10-01', 'P'],
        ],
        'interactions.csv': interactionsBeforeQ('LOST'),
      },
    });

    // Act
    const { snapshot } = await run(root);

    // Assert: R = {OLD, KEPT}, S = {OLD, LOST, KEPT}.
    expect(snapshot.kpis.customerRetentionRate.numerator).toBe(2);
    expect(snapshot.kpis.customerRetentionRate.denominator).toBe(3);
    expect(snapshot.kpis.customerRetentionRate.value).toBeCloseTo(200 / 3, 10);
  });
});

describe('events near the quarter boundaries', () => {
  /** One client per event, each in its own product segment, so each event's quarter shows alone. */
  function oneClientPerEvent(events: Record<string, string>): ExportFiles {
    const names = Object.keys(events);
    return {
      'clients.csv': [CLIENTS, ...names.map((name) => [name, '2020-01-01', '', name])],
      'interactions.csv': [
        INTERACTIONS,
        ...names.map((name, i) => [`I${i + 1}`, name, events[name] as string, 'self_service']),
      ],
    };
  }

  /** Served clients (the independence denominator) per product segment. */
  const servedBySegment = (snapshot: Snapshot) =>
    Object.fromEntries(
      Object.entries(snapshot.segments.product ?? {}).map(([name, kpis]) => [
        name,
        kpis.clientIndependenceRate.denominator,
      ]),
    );

  it('places date-times with offsets by their UTC day when the reporting zone is UTC', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': oneClientPerEvent({
        chicagoEveningBefore: '2026-06-30T22:30:00-05:00', // 2026-07-01 03:30 UTC: in
        tokyoEarlyFirstDay: '2026-07-01T01:00:00+09:00', // 2026-06-30 16:00 UTC: out
        parisNightAfter: '2026-10-01T00:30:00+02:00', // 2026-09-30 22:30 UTC: in
        azoresLastEvening: '2026-09-30T23:30:00-01:00', // 2026-10-01 00:30 UTC: out
        zuluEarlyFirstDay: '2026-07-01T03:00:00Z', // in
        noOffsetLastMinute: '2026-09-30T23:59:59', // read in UTC: in
      }),
    });

    // Act
    const { snapshot } = await run(root, { timeZone: 'UTC' });

    // Assert
    expect(servedBySegment(snapshot)).toEqual({
      chicagoEveningBefore: 1,
      tokyoEarlyFirstDay: 0,
      parisNightAfter: 1,
      azoresLastEvening: 0,
      zuluEarlyFirstDay: 1,
      noOffsetLastMinute: 1,
    });
    expect(snapshot.kpis.clientIndependenceRate.denominator).toBe(4);
  });

  it('places date-times by their day in a non-UTC reporting zone (America/New_York, UTC−4 in summer)', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': oneClientPerEvent({
        zuluBeforeNewYorkMidnight: '2026-07-01T03:00:00Z', // 2026-06-30 23:00 in New York: Q2
        zuluAtNewYorkMidnight: '2026-07-01T04:00:00Z', // 2026-07-01 00:00 in New York: in
        zuluLastNewYorkEvening: '2026-10-01T03:30:00Z', // 2026-09-30 23:30 in New York: in
        zuluAfterLastNewYorkDay: '2026-10-01T04:00:00Z', // 2026-10-01 00:00 in New York: Q4
        noOffsetReadInNewYork: '2026-07-01T00:30:00', // 2026-07-01 in New York: in
        plainDate: '2026-07-01', // a date is that civil day: in
      }),
    });

    // Act
    const { snapshot } = await run(root, { timeZone: 'America/New_York' });

    // Assert
    expect(servedBySegment(snapshot)).toEqual({
      zuluBeforeNewYorkMidnight: 0,
      zuluAtNewYorkMidnight: 1,
      zuluLastNewYorkEvening: 1,
      zuluAfterLastNewYorkDay: 0,
      noOffsetReadInNewYork: 1,
      plainDate: 1,
    });
    expect(snapshot.period.timeZone).toBe('America/New_York');
  });

  it('counts a Z time early on 2026-07-01 in Q2 for New York but in Q3 for UTC', async () => {
    // Arrange
    const files = oneClientPerEvent({ early: '2026-07-01T03:00:00Z' });
    const root = await createExports({ '2026-Q2': files, '2026-Q3': files });

    // Act
    const newYorkQ2 = await run(root, { timeZone: 'America/New_York' }, '2026-Q2');
    const newYorkQ3 = await run(root, { timeZone: 'America/New_York' }, '2026-Q3');
    const utcQ3 = await run(root, { timeZone: 'UTC' }, '2026-Q3');

    // Assert
    expect(newYorkQ2.snapshot.kpis.clientIndependenceRate.denominator).toBe(1);
    expect(newYorkQ3.snapshot.kpis.clientIndependenceRate.denominator).toBe(0);
    expect(utcQ3.snapshot.kpis.clientIndependenceRate.denominator).toBe(1);
  });
});

describe('the formulas', () => {
  it('keeps the first of two interactions with the same id and rejects the second', async () => {
    // Arrange: were the second kept, A would be independent (or 50% self-service with both).
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [CLIENTS, ['A', '2020-01-01', '', 'P']],
        'interactions.csv': [
          INTERACTIONS,
          ['I1', 'A', '2026-07-10', 'assisted'],
          ['I1', 'A', '2026-07-11', 'self_service'],
        ],
      },
    });

    // Act
    const { snapshot } = await run(root, { rejectLimitPercent: 50 });

    // Assert
    expect(snapshot.kpis.clientIndependenceRate).toMatchObject({ value: 0, numerator: 0, denominator: 1 });
    expect(snapshot.kpis.selfServiceAdoptionRate.value).toBe(0);
    expect(snapshot.dataQuality.interactions).toMatchObject({
      rows: 2,
      rejected: 1,
      examples: [{ file: 'interactions.csv', line: 3, reason: expect.stringContaining("'I1' repeats") }],
    });
  });

  it('counts a service named twice for one client once, and in the catalog once', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [CLIENTS, ['A', '2020-01-01', '', 'P'], ['B', '2020-01-01', '', 'P']],
        'interactions.csv': interactionsBeforeQ('A'),
        'services.csv': [
          SERVICES,
          ['A', 'onboarding', '2026-01-01', ''],
          ['A', 'onboarding', '2026-08-01', ''],
          ['A', 'reporting', '2026-01-01', ''],
          ['B', 'reporting', '2026-01-01', '2026-07-01'], // ended on Q.start: not in use
          ['B', 'training', '2026-10-01', ''], // starts after Q.end: not in use, still in the catalog
        ],
      },
    });

    // Act
    const { snapshot } = await run(root);

    // Assert: (2 + 0) / 2 active; 2 / (2 × 3) of the catalog.
    expect(snapshot.kpis.relationshipDepth).toMatchObject({ value: 1, numerator: 2, denominator: 2 });
    expect(snapshot.catalogSize).toBe(3);
    expect(snapshot.kpis.relationshipDepth.shareOfCatalog).toBeCloseTo(100 / 3, 10);
  });

  it('counts the independence threshold as inclusive and configurable', async () => {
    // Arrange: A is 3 of 4 self-service (0.75), B 4 of 5 (0.8).
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [CLIENTS, ['A', '2020-01-01', '', 'P'], ['B', '2020-01-01', '', 'P']],
        'interactions.csv': [
          INTERACTIONS,
          ...[1, 2, 3].map((i) => [`A${i}`, 'A', '2026-08-01', 'self_service']),
          ['A4', 'A', '2026-08-01', 'assisted'],
          ...[1, 2, 3, 4].map((i) => [`B${i}`, 'B', '2026-08-01', 'self_service']),
          ['B5', 'B', '2026-08-01', 'assisted'],
        ],
      },
    });

    // Act
    const byDefault = await run(root);
    const atThreeQuarters = await run(root, { independenceThreshold: 0.75 });

    // Assert
    expect(byDefault.snapshot.kpis.clientIndependenceRate).toMatchObject({ value: 50, numerator: 1 });
    expect(atThreeQuarters.snapshot.kpis.clientIndependenceRate).toMatchObject({ value: 100, numerator: 2 });
    expect(byDefault.snapshot.settings.independenceThreshold).toBe(0.8);
  });

  it('computes CESS on each response’s own scale and NPS from promoters minus detractors', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [CLIENTS, ['A', '2020-01-01', '', 'P']],
        'interactions.csv': interactionsBeforeQ('A'),
        'surveys.csv': [
          SURVEYS,
          ['R1', 'A', '2026-07-01', 'cess', '3', '4'], // 75
          ['R2', 'A', '2026-09-30', 'cess', '55', ''], // 55 of the default 100
          ['R3', 'A', '2026-06-30', 'cess', '0', ''], // before Q: ignored
          ['R4', 'A', '2026-08-01', 'nps', '9', ''], // promoter
          ['R5', 'A', '2026-08-01', 'nps', '7', '10'], // passive
          ['R6', 'A', '2026-08-01', 'NPS', '6', ''], // detractor
          ['R7', 'A', '2026-08-01', 'nps', '0', ''], // detractor
        ],
      },
    });

    // Act
    const { snapshot } = await run(root);

    // Assert
    expect(snapshot.kpis.empowermentSatisfactionScore).toMatchObject({ value: 65, denominator: 2 });
    expect(snapshot.kpis.netPromoterScore).toMatchObject({ value: -25, numerator: -1, denominator: 4 });
  });

  it('gives null, never 0, NaN or Infinity, for every KPI whose denominator is zero', async () => {
    // Arrange: the only client churned before Q, and nothing happened in Q.
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [CLIENTS, ['A', '2020-01-01', '2025-01-01', 'P']],
        'interactions.csv': interactionsBeforeQ('A'),
        'services.csv': [SERVICES],
        'surveys.csv': [SURVEYS],
        'support_costs.csv': [COSTS],
      },
    });

    // Act
    const { snapshot } = await run(root);

    // Assert
    for (const id of KPI_IDS) {
      expect(snapshot.kpis[id], id).toMatchObject({
        value: null,
        denominator: 0,
        band: null,
        lowSample: false,
      });
    }
    expect(snapshot.kpis.relationshipDepth.shareOfCatalog).toBeNull();
    const written = (await readReport(root, '2026-Q3', 'kpis.json')) as { kpis: Record<string, object> };
    expect(written.kpis.customerRetentionRate).toHaveProperty('value', null);
  });

  it('gives null CESS and NPS, not 0, when surveys.csv has no response in Q', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [CLIENTS, ['A', '2020-01-01', '', 'P']],
        'interactions.csv': interactionsBeforeQ('A'),
        'surveys.csv': [SURVEYS, ['R1', 'A', '2026-06-30', 'nps', '10', '']],
      },
    });

    // Act
    const { snapshot } = await run(root);

    // Assert
    expect(snapshot.kpis.empowermentSatisfactionScore.value).toBeNull();
    expect(snapshot.kpis.netPromoterScore.value).toBeNull();
    expect(snapshot.warnings.some((warning) => warning.startsWith('surveys'))).toBe(false);
  });

  it('spreads the cost pool evenly over active clients when none had an assisted interaction', async () => {
    // Arrange: GONE churned before Q, so its assisted interaction does not weigh the pool.
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [
          CLIENTS,
          ['A', '2020-01-01', '', 'X'],
          ['B', '2020-01-01', '', 'Y'],
          ['C', '2020-01-01', '', 'Y'],
          ['GONE', '2020-01-01', '2026-01-01', 'Z'],
        ],
        'interactions.csv': [
          INTERACTIONS,
          ['I1', 'A', '2026-07-10', 'self_service'],
          ['I2', 'GONE', '2026-07-10', 'assisted'],
        ],
        'support_costs.csv': [
          COSTS,
          ['2026-08-01', '300.00', '', 'tier1'], // pool: 100 each
          ['2026-08-02', '60', 'A', 'tier2'],
        ],
      },
    });

    // Act
    const { snapshot } = await run(root);

    // Assert
    expect(snapshot.kpis.costToSupportPerClient).toMatchObject({
      value: 120,
      numerator: 360,
      denominator: 3,
    });
    const product = snapshot.segments.product;
    expect(product?.X?.costToSupportPerClient.value).toBe(160);
    expect(product?.Y?.costToSupportPerClient.value).toBe(100);
    expect(product?.Z?.costToSupportPerClient.value).toBeNull();
  });

  it('accepts channel labels mapped by the configuration, whatever their case', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [CLIENTS, ['A', '2020-01-01', '', 'P'], ['B', '2020-01-01', '', 'P']],
        'interactions.csv': [
          INTERACTIONS,
          ['I1', 'A', '2026-07-10', 'portal'],
          ['I2', 'A', '2026-07-11', 'PORTAL'],
          ['I3', 'B', '2026-07-12', 'Phone'],
        ],
      },
    });
    const channelLabels = { portal: 'self_service', Phone: 'assisted' };

    // Act
    const mapped = await run(root, { channelLabels });
    const unmapped = run(root, { rejectLimitPercent: 0 });

    // Assert
    expect(mapped.snapshot.dataQuality.interactions.rejected).toBe(0);
    expect(mapped.snapshot.kpis.clientIndependenceRate).toMatchObject({
      value: 50,
      numerator: 1,
      denominator: 2,
    });
    expect(mapped.snapshot.kpis.selfServiceAdoptionRate.numerator).toBe(1);
    await expect(unmapped).rejects.toThrow(/interactions: 3 of 3 rows/);
  });
});

describe('the shape of the files', () => {
  const canonical: ExportFiles = {
    'clients.csv': [
      CLIENTS,
      ['A', '2020-01-01', '', 'X'],
      ['B', '2026-07-15', '', 'Y'],
      ['C', '2020-01-01', '2026-08-01', 'Y'],
    ],
    'interactions.csv': [
      INTERACTIONS,
      ['I1', 'A', '2026-07-02', 'self_service'],
      ['I2', 'A', '2026-07-03', 'assisted'],
      ['I3', 'B', '2026-08-01T12:00:00Z', 'self_service'],
      ['I4', 'C', '2026-07-20', 'assisted'],
      ['I5', 'C', '2026-06-20', 'self_service'],
    ],
  };

  it('ignores extra columns and reads columns in any order, with headers matched case-insensitively', async () => {
    // Arrange
    const reference = await createExports({ '2026-Q3': canonical });
    const shuffled = await createExports({
      '2026-Q3': {
        'clients.csv': [
          [' Product ', 'NOTES', 'Churned_On', 'CLIENT_ID', 'Customer_Since'],
          ['X', 'big, old', '', 'A', '2020-01-01'],
          ['Y', 'said "hi"', '', 'B', '2026-07-15'],
          ['Y', '', '2026-08-01', 'C', '2020-01-01'],
        ],
        'interactions.csv': [
          ['Channel', 'agent', 'OCCURRED_AT', 'Client_Id', 'Interaction_ID'],
          ['self_service', 'bot', '2026-07-02', 'A', 'I1'],
          ['assisted', 'Ann', '2026-07-03', 'A', 'I2'],
          ['self_service', '', '2026-08-01T12:00:00Z', 'B', 'I3'],
          ['assisted', 'Bo', '2026-07-20', 'C', 'I4'],
          ['self_service', '', '2026-06-20', 'C', 'I5'],
        ],
      },
    });

    // Act
    const expected = await run(reference);
    const actual = await run(shuffled);

    // Assert
    expect(actual.snapshot.dataQuality.clients.rejected).toBe(0);
    expect(actual.snapshot.dataQuality.interactions.rejected).toBe(0);
    expect(actual.snapshot.kpis).toEqual(expected.snapshot.kpis);
    expect(actual.snapshot.segments).toEqual(expected.snapshot.segments);
    expect(Object.keys(actual.snapshot.segments)).toEqual(['product']);
  });

  it('reads a byte-order mark, CRLF line endings, blank lines and quoted commas, quotes and line breaks', async () => {
    // Arrange: the note on line 3 spans lines 3-4, so C's row starts on line 5 and D's on line 7.
    const clients = [
      '\uFEFFclient_id,customer_since,churned_on,product,note',
      'A,2020-01-01,,"Analytics, EU",plain',
      'B,2020-01-01,,"Say ""hi""","two',
      'lines"',
      'C,2020-01-01,,Payments,',
      '',
      'D,2026-02-30,,Payments,',
      '',
    ].join('\r\n');
    const root = await createExports({
      '2026-Q3': { 'clients.csv': clients, 'interactions.csv': interactionsBeforeQ('A') },
    });

    // Act
    const { snapshot } = await run(root, { rejectLimitPercent: 50 });

    // Assert
    expect(Object.keys(snapshot.segments.product ?? {})).toEqual(['Analytics, EU', 'Say "hi"', 'Payments']);
    expect(snapshot.dataQuality.clients).toMatchObject({
      rows: 4,
      rejected: 1,
      examples: [{ file: 'clients.csv', line: 7, reason: expect.stringContaining("'2026-02-30'") }],
    });
    expect(snapshot.kpis.selfServiceAdoptionRate.denominator).toBe(3);
  });

  it.each<[string, ExportFiles]>([
    ['a gzip-compressed single file', { 'interactions.csv.gz': canonical['interactions.csv'] as string[][] }],
    [
      'a folder of plain and gzip-compressed parts',
      {
        'interactions/part-1.csv': (canonical['interactions.csv'] as string[][]).slice(0, 3),
        'interactions/part-2.csv.gz': [
          INTERACTIONS,
          ...(canonical['interactions.csv'] as string[][]).slice(3),
        ],
      },
    ],
  ])('gives the same KPIs from %s as from one plain file', async (_case, interactionFiles) => {
    // Arrange
    const reference = await createExports({ '2026-Q3': canonical });
    const variant = await createExports({
      '2026-Q3': { 'clients.csv': canonical['clients.csv'] as string[][], ...interactionFiles },
    });

    // Act
    const expected = await run(reference);
    const actual = await run(variant);

    // Assert
    expect(actual.snapshot.kpis).toEqual(expected.snapshot.kpis);
    expect(actual.snapshot.segments).toEqual(expected.snapshot.segments);
    expect(actual.snapshot.kpis.clientIndependenceRate).toMatchObject({ numerator: 1, denominator: 3 });
    const quality = actual.snapshot.dataQuality.interactions;
    expect(quality).toMatchObject({ rows: 5, rejected: 0 });
    expect(quality.files.map((file) => file.file)).toEqual(Object.keys(interactionFiles));
  });

  it('names a rejected row of a part by the part’s file and its own line', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': {
        'clients.csv': [CLIENTS, ['A', '2020-01-01', '', 'X']],
        'interactions/part-1.csv': [INTERACTIONS, ['I1', 'A', '2026-07-02', 'self_service']],
        'interactions/part-2.csv.gz': [
          INTERACTIONS,
          ['I2', 'A', '2026-07-03', 'assisted'],
          ['I3', 'NOBODY', '2026-07-03', 'assisted'],
        ],
      },
    });

    // Act
    const { snapshot } = await run(root, { rejectLimitPercent: 50 });

    // Assert
    expect(snapshot.dataQuality.interactions.examples).toEqual([
      { file: 'interactions/part-2.csv.gz', line: 3, reason: expect.stringContaining("'NOBODY'") },
    ]);
  });

  it.each([
    [
      'clients.csv and a clients/ folder',
      { 'clients.csv': oneClientRows(), 'clients/part-1.csv': oneClientRows() },
    ],
    ['clients.csv and clients.csv.gz', { 'clients.csv': oneClientRows(), 'clients.csv.gz': oneClientRows() }],
  ])('fails as ambiguous when the set holds both %s', async (_case, clientFiles) => {
    // Arrange
    const root = await createExports({
      '2026-Q3': { ...clientFiles, 'interactions.csv': [INTERACTIONS] },
    });
    const before = await hashExports(root);

    // Act
    const outcome = run(root);

    // Assert
    await expect(outcome).rejects.toThrow(ExportSetError);
    await expect(outcome).rejects.toThrow(/clients is exported more than once/);
    expect(await hashExports(root)).toEqual(before);
  });
});

/** A clients.csv with one ordinary client. */
function oneClientRows(): string[][] {
  return [CLIENTS, ['A', '2020-01-01', '', 'X']];
}

describe('optional datasets', () => {
  it.each<[DatasetName, KpiId[], string]>([
    ['surveys', ['empowermentSatisfactionScore', 'netPromoterScore'], 'CESS and Net Promoter Score'],
    ['services', ['relationshipDepth'], 'Client Relationship Depth'],
    ['support_costs', ['costToSupportPerClient'], 'Cost to Support'],
  ])(
    'without %s.csv, the worked example reports %j as null with a warning',
    async (dataset, nullKpis, what) => {
      // Arrange
      const root = await cloneFixture('example');
      await rm(path.join(root, 'exports', '2026-Q3', `${dataset}.csv`));

      // Act
      const { snapshot } = await run(root, { rejectLimitPercent: 50 });

      // Assert
      for (const id of KPI_IDS) {
        if (nullKpis.includes(id)) {
          expect(snapshot.kpis[id], id).toMatchObject({ value: null, band: null });
          for (const segment of Object.values(snapshot.segments.product ?? {})) {
            expect(segment[id].value, id).toBeNull();
          }
        } else {
          expect(snapshot.kpis[id].value, id).not.toBeNull();
        }
      }
      expect(snapshot.kpis.clientIndependenceRate).toMatchObject({ numerator: 2, denominator: 6 });
      expect(snapshot.warnings).toContain(
        `${dataset} is not in the export set, so ${what} cannot be computed (n/a)`,
      );
      expect(snapshot.dataQuality[dataset].present).toBe(false);
    },
  );
});
