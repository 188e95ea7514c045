/**
 * Plausibility guards, stated before any KPI: a set read without a bad row can still be
 * the wrong set. Exports of another quarter, a wrong fiscal year, an empty required dataset
 * or a quarter that has not ended fail the run (nothing published, exports untouched),
 * `validate` says so, and `backfill` skips what `run` would refuse.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { parseConfig } from '../../src/core/config';
import { ExportSetError, OpenQuarterError } from '../../src/core/errors';
import { parseQuarter, type Quarter } from '../../src/core/quarter';
import { createBytesReader } from '../../src/core/readers/bytes/bytes-reader';
import { inlineChunkExecutor } from '../../src/core/readers/bytes/inline-chunk-executor';
import type { ExportSetReader } from '../../src/core/readers/export-set-reader';
import { readExportSet } from '../../src/core/readers/simple/read-export-set';
import { backfill, type IgnoredFolder } from '../../src/use-cases/backfill';
import { runQuarter } from '../../src/use-cases/run-quarter';
import { validateQuarter } from '../../src/use-cases/validate-quarter';
import {
  cloneFixture,
  createExports,
  type ExportFiles,
  filesUnder,
  hashExports,
  readReport,
  removeDataRoots,
} from '../support/export-fixtures';

const NOW = new Date('2026-10-05T06:00:00Z');
const quarter = (label: string) => parseQuarter(label) as Quarter;

const readers: [string, ExportSetReader][] = [
  ['simple', readExportSet],
  ['bytes', createBytesReader({ executor: inlineChunkExecutor, chunkBytes: 64 })],
];

/** Two clients, `count` interactions and a support cost, all on `day`. */
function setOn(day: string, count = 4): ExportFiles {
  return {
    'clients.csv': [
      ['client_id', 'customer_since'],
      ['A', '2020-01-01'],
      ['B', '2020-01-01'],
    ],
    'interactions.csv': [
      ['interaction_id', 'client_id', 'occurred_at', 'channel'],
      ...Array.from({ length: count }, (_, i) => [`I${i}`, i % 2 ? 'A' : 'B', day, 'self_service']),
    ],
    'support_costs.csv': [
      ['incurred_on', 'amount'],
      [day, '10'],
    ],
  };
}

afterEach(async () => {
  await removeDataRoots();
});

describe.each(readers)('a run (%s reader) fails before any KPI', (_name, reader) => {
  async function runFails(root: string, label: string, settings: Record<string, unknown> = {}) {
    const before = await hashExports(root);
    const outcome = runQuarter({
      store: new LocalExportStore(root),
      config: parseConfig(settings),
      quarter: quarter(label),
      now: NOW,
      reader,
    });
    await expect(outcome).rejects.toThrow(ExportSetError);
    expect(await filesUnder(root, 'reports')).toEqual([`${label}/validation.json`]);
    expect(await hashExports(root)).toEqual(before);
    return (await outcome.catch((error: ExportSetError) => error)) as ExportSetError;
  }

  it('when the folder holds another quarter’s exports, naming the period, the dates found and the fix', async () => {
    // Arrange: 2026-Q3's exports copied to exports/2025-Q3/.
    const root = await cloneFixture('example');
    await mkdir(path.join(root, 'exports', '2025-Q3'));
    await cp(path.join(root, 'exports', '2026-Q3'), path.join(root, 'exports', '2025-Q3'), {
      recursive: true,
    });

    // Act
    const error = await runFails(root, '2025-Q3', { rejectLimitPercent: 50 });

    // Assert
    expect(error.problems).toContain(
      "interactions: only 0 of 16 dated rows (0.0%) fall in 2025-Q3 (2025-07-01 to 2025-09-30, UTC); they run from 2026-06-30 to 2026-09-30. Check that exports/2025-Q3/ holds 2025-Q3's exports, and the configuration's fiscalYearStartMonth (1) and timeZone (UTC); minRowsInPeriodPercent (50) sets this check",
    );
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^surveys: only 0 of \d+ dated rows/),
        expect.stringMatching(/^support_costs: only 0 of \d+ dated rows/),
      ]),
    );
    expect(await readReport(root, '2025-Q3', 'validation.json')).toMatchObject({
      ok: false,
      period: { start: '2025-07-01', end: '2025-09-30', timeZone: 'UTC', fiscalYearStartMonth: 1 },
      dataQuality: { interactions: { dated: { rows: 16, inPeriod: 0, first: '2026-06-30' } } },
    });
  });

  it('when fiscalYearStartMonth does not match the folders’ calendar quarters', async () => {
    // Arrange
    const root = await createExports({ '2026-Q3': setOn('2026-08-10') });

    // Act: with April, 2026-Q3 is October to December 2025.
    const error = await runFails(root, '2026-Q3', { fiscalYearStartMonth: 4 });

    // Assert
    expect(error.problems).toContain(
      "interactions: only 0 of 4 dated rows (0.0%) fall in 2026-Q3 (2025-10-01 to 2025-12-31, UTC); they run from 2026-08-10 to 2026-08-10. Check that exports/2026-Q3/ holds 2026-Q3's exports, and the configuration's fiscalYearStartMonth (4) and timeZone (UTC); minRowsInPeriodPercent (50) sets this check",
    );
  });

  it('when interactions.csv holds only its header', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': {
        ...setOn('2026-08-10'),
        'interactions.csv': [['interaction_id', 'client_id', 'occurred_at', 'channel']],
      },
    });

    // Act
    const error = await runFails(root, '2026-Q3');

    // Assert
    expect(error.problems).toEqual([
      'interactions has no data rows (interactions.csv: a header only), so its KPIs would read 0 or n/a; upload the full export',
    ]);
  });

  it('when fewer than minRowsInPeriodPercent of the rows are in the period, and not at exactly that share', async () => {
    // Arrange: 2 of 4 interactions in Q3 (50%), then 2 of 5 (40%).
    const half = setOn('2026-08-10');
    const interactions = half['interactions.csv'] as string[][];
    interactions[3] = ['I2', 'B', '2026-06-10', 'self_service'];
    interactions[4] = ['I3', 'A', '2026-06-10', 'self_service'];
    const root = await createExports({ '2026-Q3': half });
    const store = new LocalExportStore(root);
    const run = (settings: Record<string, unknown>) =>
      runQuarter({ store, config: parseConfig(settings), quarter: quarter('2026-Q3'), now: NOW, reader });

    // Act
    const atTheShare = await run({});
    const overTheShare = run({ minRowsInPeriodPercent: 51 });

    // Assert
    expect(atTheShare.snapshot.dataQuality.interactions.dated).toEqual({
      rows: 4,
      inPeriod: 2,
      first: '2026-06-10',
      last: '2026-08-10',
    });
    await expect(overTheShare).rejects.toThrow(
      /interactions: only 2 of 4 dated rows \(50\.0%\) fall in 2026-Q3/,
    );
  });
});

describe('a quarter that has not ended', () => {
  it('is refused by run before anything is read or written, unless allowed', async () => {
    // Arrange: on 2026-10-05, 2026-Q4 runs to 2026-12-31.
    const root = await createExports({ '2026-Q4': setOn('2026-10-02') });
    const store = new LocalExportStore(root);
    const run = (allowOpenQuarter?: boolean) =>
      runQuarter({ store, config: parseConfig({}), quarter: quarter('2026-Q4'), now: NOW, allowOpenQuarter });

    // Act
    const refused = run();

    // Assert
    await expect(refused).rejects.toThrow(OpenQuarterError);
    await expect(refused).rejects.toThrow(
      '2026-Q4 has not ended: it runs to 2026-12-31 (UTC) and today is 2026-10-05 there, so its exports cannot be complete; run it once the quarter is over, or pass --allow-open-quarter to compute it anyway',
    );
    expect(existsSync(path.join(root, 'reports'))).toBe(false);
    await expect(run(true)).resolves.toMatchObject({ snapshot: { quarter: '2026-Q4' } });
  });

  it('is decided in the reporting time zone: 23:30 UTC on the last day is over in Paris', async () => {
    // Arrange
    const root = await createExports({ '2026-Q3': setOn('2026-08-10') });
    const lastEvening = new Date('2026-09-30T23:30:00Z');
    const run = (timeZone: string) =>
      runQuarter({
        store: new LocalExportStore(root),
        config: parseConfig({ timeZone }),
        quarter: quarter('2026-Q3'),
        now: lastEvening,
      });

    // Act / Assert
    await expect(run('UTC')).rejects.toThrow(OpenQuarterError);
    await expect(run('Europe/Paris')).resolves.toMatchObject({ snapshot: { quarter: '2026-Q3' } });
  });

  it('is what validate says a run would refuse, with the period and what was read', async () => {
    // Arrange
    const root = await createExports({ '2026-Q4': setOn('2026-10-02') });
    const validate = (allowOpenQuarter: boolean) =>
      validateQuarter({
        store: new LocalExportStore(root),
        config: parseConfig({}),
        quarter: quarter('2026-Q4'),
        now: NOW,
        allowOpenQuarter,
      });

    // Act
    const refused = await validate(false);
    const allowed = await validate(true);

    // Assert
    expect(refused).toMatchObject({ ok: false, problems: [expect.stringMatching(/^2026-Q4 has not ended/)] });
    expect(allowed).toMatchObject({
      ok: true,
      problems: [],
      period: { start: '2026-10-01', end: '2026-12-31', timeZone: 'UTC', fiscalYearStartMonth: 1 },
      activeClients: 2,
      dataQuality: { interactions: { dated: { rows: 4, inPeriod: 4 } } },
    });
    expect(existsSync(path.join(root, 'reports'))).toBe(false);
  });
});

describe('backfill', () => {
  it('skips a quarter that has not ended and names folders that look like quarters but are not', async () => {
    // Arrange
    const root = await createExports({
      '2026-Q3': setOn('2026-08-10'),
      '2031-Q1': setOn('2031-02-10'),
      '2026-q3': setOn('2026-08-10'),
      '2026Q3': setOn('2026-08-10'),
      '2026-Q5': setOn('2026-08-10'),
      archive: setOn('2026-08-10'),
    });
    const ignored: IgnoredFolder[] = [];

    // Act
    const outcomes = await backfill({
      store: new LocalExportStore(root),
      config: parseConfig({}),
      now: NOW,
      onIgnoredFolder: (folder) => ignored.push(folder),
    });

    // Assert
    expect(outcomes.map((outcome) => [outcome.quarter, outcome.ok])).toEqual([
      ['2026-Q3', true],
      ['2031-Q1', false],
    ]);
    expect(outcomes[1]).toMatchObject({ error: expect.any(OpenQuarterError) });
    expect(ignored).toEqual([
      {
        folder: '2026-Q5',
        reason:
          'exports/2026-Q5/ looks like a quarter but a year has quarters 1 to 4; move its files to the right exports/YYYY-Qn/ folder',
      },
      {
        folder: '2026-q3',
        reason:
          'exports/2026-q3/ looks like a quarter but is not named like one; rename it exports/2026-Q3/ to have it read',
      },
      {
        folder: '2026Q3',
        reason:
          'exports/2026Q3/ looks like a quarter but is not named like one; rename it exports/2026-Q3/ to have it read',
      },
    ]);
    expect(await filesUnder(root, 'reports')).toEqual(['2026-Q3/kpis.json', '2026-Q3/validation.json']);
  });
});
