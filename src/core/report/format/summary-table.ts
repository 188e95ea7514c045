/**
 * The KPI table a run prints (CLI and demo): one row per KPI with value, band, deltas and
 * sample size. Pure formatting of the snapshot, rounded as the email rounds it.
 */
import { KPI_DEFINITIONS, KPI_IDS } from '../../kpi-ids';
import type { Snapshot } from '../../snapshot';
import { formatKpiDelta, formatKpiValue, formatPercentChange } from './format-values';

export function renderSummaryTable(snapshot: Snapshot): string {
  const { currency } = snapshot;
  const rows = KPI_IDS.map((id) => {
    const kpi = snapshot.kpis[id];
    let value = formatKpiValue(id, kpi.value, currency);
    if (id === 'relationshipDepth' && kpi.shareOfCatalog !== null && kpi.shareOfCatalog !== undefined) {
      value += ` (${kpi.shareOfCatalog.toFixed(0)}% of catalog)`;
    }
    let qoq = formatKpiDelta(id, kpi.deltaQoQ, currency);
    if (id === 'costToSupportPerClient' && kpi.deltaQoQ !== null) {
      qoq += ` (${formatPercentChange(kpi.deltaQoQPercent)})`;
    }
    return [
      KPI_DEFINITIONS[id].name,
      value,
      kpi.band ?? '-',
      qoq,
      formatKpiDelta(id, kpi.deltaYoY, currency),
      `${kpi.denominator}${kpi.lowSample ? ' (low sample)' : ''}`,
    ];
  });
  const header = ['KPI', 'Value', 'Band', 'QoQ', 'YoY', 'n'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const title = `${snapshot.companyName}, ${snapshot.quarter} (${snapshot.period.start} to ${snapshot.period.end}, ${snapshot.period.timeZone})`;
  return [title, '', line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}
