/**
 * `validate --rejects FILE`: the CSV cell rule (property-tested against csv-parse) and the
 * file written for the worked example, row by row.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateDocumentSchema } from '../../src/cli/json-output';
import { main } from '../../src/cli/main';
import { RejectionTally } from '../../src/cli/rejection-tally';
import { csvCell, REJECTS_HEADER } from '../../src/cli/rejects-file';
import { captureOutputInEachTest } from '../support/capture-output';
import { testClock } from '../support/cli-clock';
import {
  cloneFixture,
  createDataRoot,
  createExports,
  hashExports,
  removeDataRoots,
} from '../support/export-fixtures';

const output = captureOutputInEachTest();
afterEach(removeDataRoots);

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
      testClock,
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

  it('reads a clean set once and writes only the header', async () => {
    // Arrange: two clients and two interactions, nothing to reject.
    const data = await createExports({
      '2026-Q3': {
        'clients.csv': [
          ['client_id', 'customer_since'],
          ['A', '2020-01-01'],
          ['B', '2020-01-01'],
        ],
        'interactions.csv': [
          ['interaction_id', 'client_id', 'occurred_at', 'channel'],
          ['I1', 'A', '2026-07-01', 'self_service'],
          ['I2', 'B', '2026-07-02', 'assisted'],
        ],
      },
    });
    const rejects = path.join(await createDataRoot(), 'rejects.csv');

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--rejects', rejects],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(0);
    expect(await readFile(rejects, 'utf8')).toBe(`${REJECTS_HEADER.join(',')}\n`);
    expect(output.stderr()).not.toContain('Reading again');
    expect(output.stderr().match(/interactions: 2 rows read in/g)).toHaveLength(1);
  });

  it('reads a set with rejected rows a second time, with the simple reader, to list them', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const rejects = path.join(await createDataRoot(), 'rejects.csv');

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--rejects', rejects],
      {},
      testClock,
    );

    // Assert: the same counts after both readings; the rows listed come from the second.
    expect(code).toBe(1);
    expect(output.stderr()).toContain(
      'Reading again with the simple reader, to count and list every rejected row',
    );
    expect(output.stderr().match(/interactions: 19 rows read in/g)).toHaveLength(2);
  });

  it('names the file and its rows in the --json document', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const rejects = path.join(await createDataRoot(), 'rejects.csv');

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--rejects', rejects, '--json', '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(1);
    const document = validateDocumentSchema.parse(JSON.parse(output.stdout()));
    expect(document.rejectsFile).toEqual({ path: rejects, rows: 7 });
  });

  it('refuses a file inside the exports folder, which is never written, and leaves it unchanged', async () => {
    // Arrange: the rejects file named as the very export it lists.
    const data = await cloneFixture('example');
    const before = await hashExports(data);
    const rejects = path.join(data, 'exports', '2026-Q3', 'interactions.csv');

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--rejects', rejects, '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain(`--rejects ${rejects} is inside the exports folder`);
    expect(await hashExports(data)).toEqual(before);
  });

  it('leaves no file under the name asked for when the validation stops half-way', async () => {
    // Arrange: the first rejected row counted throws, as a failure half-way would.
    const data = await cloneFixture('example');
    const rejects = path.join(await createDataRoot(), 'rejects.csv');
    const kill = vi.spyOn(RejectionTally.prototype, 'add').mockImplementationOnce(() => {
      throw new Error('stopped half-way');
    });

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--rejects', rejects, '--quiet'],
      {},
      testClock,
    );

    // Assert: an unexpected stop (exit 3), and neither the file nor its partial copy left.
    expect(code).toBe(3);
    expect(kill).toHaveBeenCalled();
    expect(await readdir(path.dirname(rejects))).toEqual([]);
  });

  it('exits 2 naming the file when it cannot be written', async () => {
    // Arrange
    const data = await cloneFixture('example');
    const rejects = path.join(await createDataRoot(), 'no-such-folder', 'rejects.csv');

    // Act
    const code = await main(
      ['validate', '--data', data, '--quarter', '2026-Q3', '--rejects', rejects, '--quiet'],
      {},
      testClock,
    );

    // Assert
    expect(code).toBe(2);
    expect(output.stderr()).toContain(`cannot write the rejects file ${rejects} (--rejects)`);
  });
});
