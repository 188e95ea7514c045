/**
 * `validate --rejects FILE`: the CSV cell rule (property-tested against csv-parse) and the
 * file written for the worked example, row by row.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { csvCell, REJECTS_HEADER } from '../../src/cli/rejects-file';
import { type Captured, captureOutput } from '../support/capture-output';
import { cloneFixture, createDataRoot, removeDataRoots } from '../support/export-fixtures';

let output: Captured;

beforeEach(() => {
  output = captureOutput();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await removeDataRoots();
});

describe('csvCell', () => {
  it('reads back as the same text in a CSV reader, whatever the text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 6 }), (cells) => {
        const line = `${cells.map(csvCell).join(',')}\n`;
        expect(parse(line, { relax_column_count: false })).toEqual([cells]);
      }),
    );
  });
});

describe('validate --rejects', () => {
  it('writes every rejected row of the worked example with its line, reason, field and value', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const rejects = path.join(await createDataRoot(), 'rejects.csv');

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--rejects', rejects, '--quiet'],
      {},
    );

    // Assert: the 7 rows the worked example rejects, in reading order.
    expect(code).toBe(1);
    const rows = parse(await readFile(rejects, 'utf8')) as string[][];
    expect(rows[0]).toEqual([...REJECTS_HEADER]);
    expect(
      rows.slice(1).map(([dataset, file, line, , field, value]) => [dataset, file, line, field, value]),
    ).toEqual([
      ['interactions', 'interactions.csv', '16', 'client_id', 'Z'],
      ['interactions', 'interactions.csv', '17', 'interaction_id', 'I13'],
      ['interactions', 'interactions.csv', '19', 'occurred_at', '2026-13-01'],
      ['interactions', 'interactions.csv', '20', 'channel', 'phone'],
      ['surveys', 'surveys.csv', '6', 'score', '6'],
      ['surveys', 'surveys.csv', '13', 'score', '11'],
      ['support_costs', 'support_costs.csv', '6', 'amount', 'abc'],
    ]);
    expect(rows[4]?.[3]).toBe(
      "channel 'phone' is not one of assisted, self_service; map other labels in the configuration's channelLabels",
    );
    expect(output.stdout()).toContain(`Wrote 7 rejected rows to ${rejects}`);
    expect(output.stdout()).toContain("most rejected values: amount 'abc' (1 row)");
  });

  it('exits 2 naming the file when it cannot be written', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const rejects = path.join(await createDataRoot(), 'no-such-folder', 'rejects.csv');

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--rejects', rejects, '--quiet'],
      {},
    );

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain(`cannot write the rejects file ${rejects} (--rejects)`);
  });
});
