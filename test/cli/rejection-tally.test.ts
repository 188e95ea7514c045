/** Counting rejected rows by reason and by value: hand-computed cases. */
import { describe, expect, it } from 'vitest';
import {
  MAX_TALLIED,
  RejectionTally,
  reasonWithoutValue,
  rejectedField,
} from '../../src/cli/rejection-tally';
import type { RowRejection } from '../../src/core/readers/simple/read-dataset';

const unknownClient = (id: string, line: number): RowRejection => ({
  dataset: 'interactions',
  file: 'interactions.csv',
  line,
  reason: `unknown client_id '${id}': it is not in clients.csv`,
  row: { interaction_id: `I${line}`, client_id: id, occurred_at: '2026-07-01', channel: 'assisted' },
});

describe('rejectedField', () => {
  it('is the first word of the reason that names a column of the row', () => {
    // Arrange: `nps score 11`: "nps" is no column, "score" is.
    const rejection: RowRejection = {
      dataset: 'surveys',
      file: 'surveys.csv',
      line: 3,
      reason: 'nps score 11 is not a whole number from 0 to 10',
      row: { response_id: 'R1', client_id: 'A', survey: 'nps', score: '11' },
    };

    // Act
    const field = rejectedField(rejection);

    // Assert: "nps" is the survey column's value, not a column; score comes first as a column.
    expect(field).toEqual({ field: 'score', value: '11' });
  });

  it('is absent for a row rejected before its columns were read', () => {
    // Arrange
    const rejection: RowRejection = {
      dataset: 'clients',
      file: 'clients.csv',
      line: 9,
      reason: 'the row has 3 fields but the header has 2; quote fields that contain commas',
    };

    // Act / Assert
    expect(rejectedField(rejection)).toBeUndefined();
  });

  it('cuts a long value to an excerpt of about 80 characters', () => {
    // Arrange
    const long = 'x'.repeat(500);

    // Act
    const field = rejectedField(unknownClient(long, 2));

    // Assert
    expect(field?.value).toBe(`${'x'.repeat(80)}… (500 characters)`);
  });
});

describe('reasonWithoutValue', () => {
  it.each([
    [
      "unknown client_id 'Z9': it is not in clients.csv",
      'client_id',
      'Z9',
      "unknown client_id '…': it is not in clients.csv",
    ],
    [
      'cess score 120 is outside 0 to 100 (its scale_max)',
      'score',
      '120',
      'cess score … is outside 0 to 100 (its scale_max)',
    ],
    [
      'nps score 7.5 is not a whole number from 0 to 10',
      'score',
      '7.50',
      'nps score … is not a whole number from 0 to 10',
    ],
    ['client_id is empty; it is required', 'client_id', '', 'client_id is empty; it is required'],
  ])('%s → %s', (reason, field, value, expected) => {
    expect(reasonWithoutValue(reason, field, value)).toBe(expected);
  });
});

describe('RejectionTally', () => {
  it('counts rows per reason and per distinct value, most rows first', () => {
    // Arrange: Z1 three times, Z2 once, and one malformed row.
    const tally = new RejectionTally();
    for (const [id, line] of [
      ['Z1', 2],
      ['Z2', 3],
      ['Z1', 4],
      ['Z1', 5],
    ] as const)
      tally.add(unknownClient(id, line));
    tally.add({ dataset: 'interactions', file: 'interactions.csv', line: 6, reason: 'malformed CSV: x' });

    // Act
    const counts = tally.of('interactions');

    // Assert
    expect(counts).toEqual({
      byReason: [
        { reason: "unknown client_id '…': it is not in clients.csv", rows: 4 },
        { reason: 'malformed CSV: x', rows: 1 },
      ],
      byValue: [
        { field: 'client_id', value: 'Z1', rows: 3 },
        { field: 'client_id', value: 'Z2', rows: 1 },
      ],
      untallied: 0,
    });
    expect(tally.of('surveys')).toEqual({ byReason: [], byValue: [], untallied: 0 });
  });

  it('stops adding distinct values past its limit and counts the rest as untallied', () => {
    // Arrange
    const tally = new RejectionTally();
    for (let i = 0; i < MAX_TALLIED + 5; i++) tally.add(unknownClient(`Z${i}`, i + 2));
    tally.add(unknownClient('Z0', 1));

    // Act
    const counts = tally.of('interactions');

    // Assert: the first value met keeps counting; the 5 past the limit are untallied.
    expect(counts.byValue).toHaveLength(MAX_TALLIED);
    expect(counts.byValue[0]).toEqual({ field: 'client_id', value: 'Z0', rows: 2 });
    expect(counts.untallied).toBe(5);
  });
});
