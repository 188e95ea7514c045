import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientTable } from '../../../../src/core/readers/bytes/client-table';

/** The shared copy workers use: every id added is found at its index, and no other id is. */
function expectSameClients(table: ClientTable, ids: readonly string[]): void {
  const shared = new ClientTable(undefined, table.shared());
  expect(shared.size).toBe(ids.length);
  for (const [index, id] of ids.entries()) expect(shared.lookupString(id)).toBe(index);
  expect(shared.lookupString('not-a-client')).toBe(-1);
}

describe('ClientTable.shared', () => {
  it('copies a table whose size was guessed right, finding every client at its index', () => {
    // Arrange
    const ids = Array.from({ length: 3000 }, (_, i) => `C-${i}`);
    const table = new ClientTable(ids.length);

    // Act
    for (const id of ids) table.addString(id);

    // Assert
    expectSameClients(table, ids);
  });

  it('resizes a table whose guess was far too large or too small', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.string({ minLength: 1, maxLength: 12 }).filter((id) => id !== 'not-a-client'),
          { maxLength: 2000 },
        ),
        fc.integer({ min: 1, max: 100_000 }),
        (ids, expected) => {
          // Arrange
          const table = new ClientTable(expected);

          // Act
          for (const id of ids) table.addString(id);

          // Assert
          expectSameClients(table, ids);
        },
      ),
      { numRuns: 60 },
    );
  });
});
