import { describe, expect, it } from 'vitest';
import { renderSummaryTable } from '../../../../src/core/report/format/summary-table';
import { sampleSnapshot } from '../../../support/sample-snapshot';

describe('renderSummaryTable', () => {
  it('titles the table with the company, quarter and period, then one aligned row per KPI', () => {
    // Arrange
    const snapshot = sampleSnapshot();

    // Act
    const lines = renderSummaryTable(snapshot).split('\n');

    // Assert
    expect(lines[0]).toBe('Smith & Jones, 2026-Q3 (2026-07-01 to 2026-09-30, UTC)');
    expect(lines[2]).toMatch(/^KPI +Value +Band +QoQ +YoY +n$/);
    expect(lines).toHaveLength(4 + 7);
    // Every value starts right under the heading `Value`, two spaces after the widest name.
    const valueColumn = lines[2]?.indexOf('Value') ?? -1;
    const valueStarts = lines.slice(4).map((line) => line.slice(valueColumn - 2, valueColumn + 1));
    for (const start of valueStarts) expect(start).toMatch(/^ {2}\S$/);
  });

  it('adds the share of catalog to depth, the percent change to cost, and flags a low sample', () => {
    // Arrange
    const snapshot = sampleSnapshot();

    // Act
    const table = renderSummaryTable(snapshot);

    // Assert
    expect(table).toContain('2.50 (63% of catalog)');
    expect(table).toContain('+$1.20 (+3.0%)');
    expect(table).toMatch(/Client Independence Rate .* 20 \(low sample\)$/m);
  });
});
