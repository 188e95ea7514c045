/**
 * Bad input (spec/exports.md "Bad input"): a bad row is rejected with its file, line and
 * reason and counts toward nothing; a missing dataset or column, or too many bad rows,
 * fails the run with a message saying what to fix. Every case also proves that nothing
 * under exports/ was changed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { parseConfig } from '../../src/core/config';
import { ExportSetError } from '../../src/core/errors';
import type { DatasetName } from '../../src/core/export-set/contract';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import type { Snapshot } from '../../src/core/snapshot';
import { runQuarter } from '../../src/use-cases/run-quarter';
import { validateQuarter } from '../../src/use-cases/validate-quarter';
import {
  createExports,
  type ExportFiles,
  filesUnder,
  hashExports,
  readReport,
  removeDataRoots,
} from '../support/export-fixtures';

const QUARTER = parseQuarter('2026-Q3') as Quarter;
const NOW = new Date('2026-10-05T06:00:00Z');
/** Lets every bad row through to the data-quality report instead of failing the run. */
const LENIENT = { rejectLimitPercent: 100 };

const HEADERS = {
  clients: ['client_id', 'customer_since', 'churned_on', 'product'],
  interactions: ['interaction_id', 'client_id', 'occurred_at', 'channel'],
  services: ['client_id', 'service', 'started_on', 'ended_on'],
  surveys: ['response_id', 'client_id', 'submitted_at', 'survey', 'score', 'scale_max'],
  support_costs: ['incurred_on', 'amount', 'client_id', 'category'],
} satisfies Record<DatasetName, string[]>;

/** A clean set: A is independent, B is not; every row is in Q. */
const BASE_ROWS: Record<DatasetName, string[][]> = {
  clients: [
    ['A', '2020-01-01', '', 'P'],
    ['B', '2020-01-01', '', 'P'],
  ],
  interactions: [
    ['I1', 'A', '2026-07-10', 'self_service'],
    ['I2', 'B', '2026-07-11', 'assisted'],
  ],
  services: [['A', 'onboarding', '2026-01-01', '']],
  surveys: [
    ['R1', 'A', '2026-08-01', 'nps', '10', ''],
    ['R2', 'B', '2026-08-01', 'cess', '60', ''],
  ],
  support_costs: [['2026-08-01', '100', 'A', 'tier1']],
};

/** The clean set with `extra` rows appended to one dataset. */
function baseSet(dataset?: DatasetName, extra: string[][] = []): ExportFiles {
  return Object.fromEntries(
    (Object.keys(BASE_ROWS) as DatasetName[]).map((name) => [
      `${name}.csv`,
      [HEADERS[name], ...BASE_ROWS[name], ...(name === dataset ? extra : [])],
    ]),
  );
}

function without(files: ExportFiles, name: string): ExportFiles {
  return Object.fromEntries(Object.entries(files).filter(([file]) => file !== name));
}

function run(root: string, config: Record<string, unknown> = {}) {
  return runQuarter({
    store: new LocalExportStore(root),
    config: parseConfig(config),
    quarter: QUARTER,
    now: NOW,
  });
}

const valuesOf = (snapshot: Snapshot) =>
  Object.fromEntries(Object.entries(snapshot.kpis).map(([id, kpi]) => [id, kpi.value]));

afterEach(async () => {
  await removeDataRoots();
});

describe('a bad row', () => {
  it.each<[string, DatasetName, string[], string]>([
    [
      'an unknown client id in interactions',
      'interactions',
      ['I3', 'Z', '2026-07-12', 'self_service'],
      "unknown client_id 'Z': it is not in clients.csv",
    ],
    ['an unknown client id in services', 'services', ['Z', 'api', '2026-01-01', ''], "unknown client_id 'Z'"],
    [
      'an unknown client id in surveys',
      'surveys',
      ['R3', 'Z', '2026-08-01', 'nps', '0', ''],
      "unknown client_id 'Z'",
    ],
    [
      'an unknown client id in support_costs',
      'support_costs',
      ['2026-08-01', '5', 'Z', ''],
      "unknown client_id 'Z'",
    ],
    [
      'an impossible customer_since',
      'clients',
      ['C', '2026-02-30', '', 'P'],
      "customer_since '2026-02-30' is not a valid date",
    ],
    [
      'an impossible churned_on',
      'clients',
      ['C', '2020-01-01', '2026-02-30', 'P'],
      "churned_on '2026-02-30' is not a valid date",
    ],
    [
      'an impossible occurred_at',
      'interactions',
      ['I3', 'B', '2026-02-30', 'self_service'],
      "occurred_at '2026-02-30' is not a valid date or date-time",
    ],
    [
      'an impossible time',
      'interactions',
      ['I3', 'B', '2026-07-12T24:30:00Z', 'self_service'],
      "occurred_at '2026-07-12T24:30:00Z'",
    ],
    [
      'an impossible started_on',
      'services',
      ['B', 'api', '2026-02-30', ''],
      "started_on '2026-02-30' is not a valid date",
    ],
    [
      'an impossible submitted_at',
      'surveys',
      ['R3', 'B', '2026-02-30T10:00:00Z', 'nps', '0', ''],
      "submitted_at '2026-02-30T10:00:00Z'",
    ],
    [
      'an impossible incurred_on',
      'support_costs',
      ['2026-02-30', '5', 'B', ''],
      "incurred_on '2026-02-30' is not a valid date",
    ],
    [
      'the survey csat',
      'surveys',
      ['R3', 'B', '2026-08-01', 'csat', '5', ''],
      "survey 'csat' is not cess or nps",
    ],
    [
      'the channel phone',
      'interactions',
      ['I3', 'B', '2026-07-12', 'phone'],
      "channel 'phone' is not one of assisted, self_service",
    ],
    [
      'an nps score of 11',
      'surveys',
      ['R3', 'B', '2026-08-01', 'nps', '11', ''],
      'nps score 11 is not a whole number from 0 to 10',
    ],
    [
      'an nps score of 7.5',
      'surveys',
      ['R3', 'B', '2026-08-01', 'nps', '7.5', ''],
      'nps score 7.5 is not a whole number from 0 to 10',
    ],
    [
      'an nps score of -1',
      'surveys',
      ['R3', 'B', '2026-08-01', 'nps', '-1', ''],
      'nps score -1 is not a whole number',
    ],
    [
      'an nps scale_max other than 10',
      'surveys',
      ['R3', 'B', '2026-08-01', 'nps', '3', '5'],
      'scale_max 5 is not allowed for nps',
    ],
    [
      'a cess score above its scale_max',
      'surveys',
      ['R3', 'B', '2026-08-01', 'cess', '6', '5'],
      'cess score 6 is outside 0 to 5',
    ],
    [
      'a cess score above the default scale of 100',
      'surveys',
      ['R3', 'B', '2026-08-01', 'cess', '101', ''],
      'cess score 101 is outside 0 to 100',
    ],
    [
      'a negative cess score',
      'surveys',
      ['R3', 'B', '2026-08-01', 'cess', '-1', '5'],
      'cess score -1 is outside 0 to 5',
    ],
    [
      'a score that is not a number',
      'surveys',
      ['R3', 'B', '2026-08-01', 'cess', 'high', ''],
      "score 'high' is not a number",
    ],
    [
      'churned_on before customer_since',
      'clients',
      ['C', '2026-05-01', '2026-04-01', 'P'],
      'churned_on must be after customer_since',
    ],
    [
      'churned_on equal to customer_since',
      'clients',
      ['C', '2026-05-01', '2026-05-01', 'P'],
      'churned_on must be after customer_since',
    ],
    [
      'a repeated client_id',
      'clients',
      ['A', '2020-01-01', '2026-08-01', 'Q'],
      "client_id 'A' repeats an earlier row; the first is kept",
    ],
    [
      'a repeated response_id',
      'surveys',
      ['R1', 'B', '2026-08-01', 'nps', '0', ''],
      "response_id 'R1' repeats an earlier row",
    ],
    [
      'an amount with a thousands separator',
      'support_costs',
      ['2026-08-01', '1,000', 'B', ''],
      "amount '1,000' is not a decimal number",
    ],
    [
      'an amount with a currency sign',
      'support_costs',
      ['2026-08-01', '$5', 'B', ''],
      "amount '$5' is not a decimal number",
    ],
    [
      'an empty required value',
      'interactions',
      ['I3', '', '2026-07-12', 'self_service'],
      'client_id is empty; it is required',
    ],
    [
      'too few fields',
      'interactions',
      ['I3', 'B', '2026-07-12'],
      'the row has 3 fields but the header has 4',
    ],
    [
      'an amount of 400 digits',
      'support_costs',
      ['2026-08-01', '9'.repeat(400), 'B', ''],
      'is out of range: a support cost must be below 1,000,000,000,000,000 (either sign)',
    ],
    [
      'a cess score and scale_max of 400 digits',
      'surveys',
      ['R3', 'B', '2026-08-01', 'cess', `1${'0'.repeat(399)}`, `1${'0'.repeat(399)}`],
      'is too large to be a number',
    ],
    [
      'the channel constructor',
      'interactions',
      ['I3', 'B', '2026-07-12', 'constructor'],
      "channel 'constructor' is not one of assisted, self_service",
    ],
    [
      'the channel __proto__',
      'interactions',
      ['I3', 'B', '2026-07-12', '__proto__'],
      "channel '__proto__' is not one of assisted, self_service",
    ],
    [
      'the channel toString',
      'interactions',
      ['I3', 'B', '2026-07-12', 'toString'],
      "channel 'toString' is not one of assisted, self_service",
    ],
  ])(
    'is rejected for %s, with its line and reason, and counts toward nothing',
    async (_case, dataset, row, reason) => {
      // Arrange
      const clean = await createExports({ '2026-Q3': baseSet() });
      const root = await createExports({ '2026-Q3': baseSet(dataset, [row]) });
      const before = await hashExports(root);

      // Act
      const { snapshot } = await run(root, LENIENT);

      // Assert
      const line = BASE_ROWS[dataset].length + 2;
      expect(snapshot.dataQuality[dataset]).toMatchObject({
        rows: BASE_ROWS[dataset].length + 1,
        rejected: 1,
        examples: [{ file: `${dataset}.csv`, line, reason: expect.stringContaining(reason) }],
      });
      expect(valuesOf(snapshot)).toEqual(valuesOf((await run(clean)).snapshot));
      expect(await hashExports(root)).toEqual(before);
    },
  );

  it('rejects the interactions of a client whose clients.csv row was rejected, saying why', async () => {
    // Arrange
    const files = baseSet('clients', [['C', '2026-02-30', '', 'P']]);
    const root = await createExports({
      '2026-Q3': {
        ...files,
        'interactions.csv': [
          ...(files['interactions.csv'] as string[][]),
          ['I3', 'C', '2026-07-12', 'assisted'],
        ],
      },
    });
    const before = await hashExports(root);

    // Act
    const { snapshot } = await run(root, LENIENT);

    // Assert
    expect(snapshot.dataQuality.interactions.examples).toEqual([
      {
        file: 'interactions.csv',
        line: 4,
        reason: "client_id 'C' is in clients.csv but its row there was rejected",
      },
    ]);
    expect(await hashExports(root)).toEqual(before);
  });

  it.each([
    [
      'a double quote inside an unquoted field',
      'I2,B,2026-07-11,assi"sted',
      'a double quote inside unquoted field 4',
    ],
    ['text after a closing quote', 'I2,B,"2026-07-11"x,assisted', 'text after the closing quote of field 3'],
  ])(
    'is rejected as malformed CSV for %s, and the rows after it still count',
    async (_case, badLine, reason) => {
      // Arrange: were I3 lost with the bad row, B would not be served at all.
      const text = [
        'interaction_id,client_id,occurred_at,channel',
        'I1,A,2026-07-10,self_service',
        badLine,
        'I3,B,2026-07-12,self_service',
        'I4,"A",2026-07-13,"self_service"',
        '',
      ].join('\r\n');
      const root = await createExports({ '2026-Q3': { ...baseSet(), 'interactions.csv': text } });
      const before = await hashExports(root);

      // Act
      const { snapshot } = await run(root, LENIENT);

      // Assert
      expect(snapshot.dataQuality.interactions).toMatchObject({
        rows: 4,
        rejected: 1,
        examples: [
          { file: 'interactions.csv', line: 3, reason: expect.stringContaining(`malformed CSV: ${reason}`) },
        ],
      });
      expect(snapshot.kpis.clientIndependenceRate).toMatchObject({
        value: 100,
        numerator: 2,
        denominator: 2,
      });
      expect(await hashExports(root)).toEqual(before);
    },
  );
});

describe('text echoed from the data', () => {
  it('is cut to an excerpt in the reasons of validation.json and kpis.json', async () => {
    // Arrange: a 100,000-character channel.
    const root = await createExports({
      '2026-Q3': baseSet('interactions', [['I3', 'B', '2026-07-12', 'x'.repeat(100_000)]]),
    });

    // Act
    const { snapshot } = await run(root, LENIENT);

    // Assert
    const reason = `channel '${'x'.repeat(80)}… (100000 characters)' is not one of assisted, self_service; map other labels in the configuration's channelLabels`;
    expect(snapshot.dataQuality.interactions.examples).toEqual([
      { file: 'interactions.csv', line: 4, reason },
    ]);
    const validation = (await readReport(root, '2026-Q3', 'validation.json')) as Snapshot;
    expect(validation.dataQuality.interactions.examples[0]?.reason).toBe(reason);
  });

  it('is cut to an excerpt in a header problem', async () => {
    // Arrange: a header that is one 100,000-character name.
    const root = await createExports({
      '2026-Q3': { ...baseSet(), 'surveys.csv': `${'h'.repeat(100_000)}\n` },
    });

    // Act
    const outcome = run(root);

    // Assert
    await expect(outcome).rejects.toThrow(`(found: ${'h'.repeat(80)}… (100000 characters))`);
  });
});

describe('segment values from the data', () => {
  it('keeps __proto__, constructor and toString as segments of their own, in kpis.json and in later trends', async () => {
    // Arrange: three clients whose product names are Object's own member names.
    const clients = [
      HEADERS.clients,
      ['A', '2020-01-01', '', '__proto__'],
      ['B', '2020-01-01', '', 'constructor'],
      ['C', '2020-01-01', '', 'toString'],
    ];
    const interactions = (day: string) => [
      HEADERS.interactions,
      ['I1', 'A', day, 'self_service'],
      ['I2', 'B', day, 'assisted'],
      ['I3', 'C', day, 'self_service'],
    ];
    const root = await createExports({
      '2026-Q2': { 'clients.csv': clients, 'interactions.csv': interactions('2026-05-10') },
      '2026-Q3': { 'clients.csv': clients, 'interactions.csv': interactions('2026-08-10') },
    });
    const store = new LocalExportStore(root);
    await runQuarter({
      store,
      config: parseConfig({}),
      quarter: parseQuarter('2026-Q2') as Quarter,
      now: NOW,
    });

    // Act
    const { snapshot } = await run(root);

    // Assert
    const product = (await readReport(root, '2026-Q3', 'kpis.json')) as Snapshot;
    expect(Object.keys(product.segments.product ?? {})).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.keys(snapshot.segments.product ?? {})).toEqual(['__proto__', 'constructor', 'toString']);
    const adoption = (value: string) => snapshot.segments.product?.[value]?.selfServiceAdoptionRate;
    expect(adoption('__proto__')).toMatchObject({ value: 100, previous: 100 });
    expect(adoption('constructor')).toMatchObject({ value: 0, previous: 0 });
    expect(adoption('toString')).toMatchObject({ value: 100, previous: 100 });
  });
});

describe('an export set that cannot be reported on', () => {
  it.each<[string, ExportFiles, RegExp[]]>([
    [
      'the required dataset interactions is missing',
      { 'clients.csv': [HEADERS.clients, ...BASE_ROWS.clients] },
      [
        /the required dataset interactions is missing/,
        /upload exports\/2026-Q3\/interactions\.csv \(or \.csv\.gz, or a interactions\/ folder of parts\)/,
      ],
    ],
    [
      'the required dataset clients is missing, and a misspelt file is named',
      { 'client.csv': [HEADERS.clients], 'interactions.csv': [HEADERS.interactions] },
      [/the required dataset clients is missing/, /\(found client\.csv\)/],
    ],
    [
      'the interactions header has no occurred_at',
      {
        'clients.csv': [HEADERS.clients, ...BASE_ROWS.clients],
        'interactions.csv': [
          ['interaction_id', 'client_id', 'when', 'channel'],
          ['I1', 'A', '2026-07-10', 'self_service'],
        ],
      },
      [
        /interactions\.csv has no occurred_at column/,
        /its header must include interaction_id, client_id, occurred_at, channel/,
      ],
    ],
    [
      'an optional dataset lacks a required column',
      {
        ...baseSet(),
        'surveys.csv': [
          ['response_id', 'client_id', 'submitted_at', 'survey'],
          ['R1', 'A', '2026-08-01', 'nps'],
        ],
      },
      [/surveys\.csv has no score column/],
    ],
    [
      'clients.csv is empty',
      { ...baseSet(), 'clients.csv': '' },
      [/clients\.csv is empty; it needs at least a header row/],
    ],
    [
      'a part has a different header',
      {
        ...without(baseSet(), 'interactions.csv'),
        'interactions/part-1.csv': [HEADERS.interactions],
        'interactions/part-2.csv': [[...HEADERS.interactions, 'agent']],
      },
      [/interactions\/part-2\.csv has a different header/],
    ],
  ])('fails when %s, saying what to fix', async (_case, files, messages) => {
    // Arrange
    const root = await createExports({ '2026-Q3': files });
    const before = await hashExports(root);

    // Act
    const outcome = run(root, LENIENT);

    // Assert
    await expect(outcome).rejects.toThrow(ExportSetError);
    for (const message of messages) await expect(outcome).rejects.toThrow(message);
    expect(await filesUnder(root, 'reports')).toEqual(['2026-Q3/validation.json']);
    expect(await readReport(root, '2026-Q3', 'validation.json')).toMatchObject({ ok: false });
    expect(await hashExports(root)).toEqual(before);
  });

  it('fails when the rejected share of a dataset exceeds the limit: 1 bad row in 99 is over 1%', async () => {
    // Arrange
    const root = await createExports({ '2026-Q3': interactionsWithOneBadRow(99) });
    const before = await hashExports(root);

    // Act
    const outcome = run(root);

    // Assert
    await expect(outcome).rejects.toThrow(ExportSetError);
    await expect(outcome).rejects.toThrow(
      'interactions: 1 of 99 rows (1.0%) were rejected, over the 1% limit; fix the rows listed in the data-quality report (or raise rejectLimitPercent) and run again',
    );
    const validation = await readReport(root, '2026-Q3', 'validation.json');
    expect(validation).toMatchObject({
      ok: false,
      dataQuality: { interactions: { rows: 99, rejected: 1, examples: [{ line: 2 }] } },
    });
    expect(await filesUnder(root, 'reports')).toEqual(['2026-Q3/validation.json']);
    expect(await hashExports(root)).toEqual(before);
  });

  it('passes when the rejected share is exactly the limit: 1 bad row in 100 is 1%', async () => {
    // Arrange
    const root = await createExports({ '2026-Q3': interactionsWithOneBadRow(100) });
    const before = await hashExports(root);

    // Act
    const { snapshot } = await run(root);

    // Assert
    expect(snapshot.dataQuality.interactions).toMatchObject({ rows: 100, rejected: 1 });
    expect(snapshot.kpis.clientIndependenceRate.denominator).toBe(99);
    expect(await hashExports(root)).toEqual(before);
  });

  it('fails on a single bad row when the limit is 0%', async () => {
    // Arrange
    const root = await createExports({ '2026-Q3': interactionsWithOneBadRow(100) });
    const before = await hashExports(root);

    // Act
    const outcome = run(root, { rejectLimitPercent: 0 });

    // Assert
    await expect(outcome).rejects.toThrow(
      /interactions: 1 of 100 rows \(1\.0%\) were rejected, over the 0% limit/,
    );
    expect(await hashExports(root)).toEqual(before);
  });
});

/** `rows` interactions, one per client, the first of them for an unknown client. */
function interactionsWithOneBadRow(rows: number): ExportFiles {
  const ids = Array.from({ length: rows - 1 }, (_, i) => `C${i + 1}`);
  return {
    'clients.csv': [HEADERS.clients, ...ids.map((id) => [id, '2020-01-01', '', 'P'])],
    'interactions.csv': [
      HEADERS.interactions,
      ['I0', 'NOBODY', '2026-07-10', 'assisted'],
      ...ids.map((id, i) => [`I${i + 1}`, id, '2026-07-10', 'self_service']),
    ],
  };
}

describe('validateQuarter', () => {
  it('says a clean set would pass and writes nothing at all', async () => {
    // Arrange
    const root = await createExports({ '2026-Q3': baseSet() });
    const before = await hashExports(root);

    // Act
    const report = await validateQuarter({
      store: new LocalExportStore(root),
      config: parseConfig({}),
      quarter: QUARTER,
      now: NOW,
    });

    // Assert
    expect(report).toMatchObject({
      quarter: '2026-Q3',
      ok: true,
      problems: [],
      checkedAt: NOW.toISOString(),
    });
    expect(existsSync(path.join(root, 'reports'))).toBe(false);
    expect(await hashExports(root)).toEqual(before);
  });

  it('lists what a run would reject and why it would fail, and writes nothing at all', async () => {
    // Arrange
    const root = await createExports({ '2026-Q3': interactionsWithOneBadRow(99) });
    const before = await hashExports(root);

    // Act
    const report = await validateQuarter({
      store: new LocalExportStore(root),
      config: parseConfig({}),
      quarter: QUARTER,
      now: NOW,
    });

    // Assert
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.stringMatching(/^interactions: 1 of 99 rows/)]);
    expect(report.dataQuality.interactions.examples).toEqual([
      { file: 'interactions.csv', line: 2, reason: expect.stringContaining("unknown client_id 'NOBODY'") },
    ]);
    expect(existsSync(path.join(root, 'reports'))).toBe(false);
    expect(await hashExports(root)).toEqual(before);
  });

  it('reports a missing dataset without writing anything', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': { 'clients.csv': [HEADERS.clients, ...BASE_ROWS.clients] },
    });
    const before = await hashExports(root);

    // Act
    const report = await validateQuarter({
      store: new LocalExportStore(root),
      config: parseConfig({}),
      quarter: QUARTER,
      now: NOW,
    });

    // Assert
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.stringContaining('the required dataset interactions is missing'),
    ]);
    expect(existsSync(path.join(root, 'reports'))).toBe(false);
    expect(await hashExports(root)).toEqual(before);
  });
});
