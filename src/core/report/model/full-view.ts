/**
 * The full view of one scope (the company, or a recipient's one segment): the KPI table's
 * rows, each with its trend chart when there is more than one quarter to draw.
 */
import { KPI_DEFINITIONS, KPI_IDS, type KpiId } from '../../kpi-ids';
import type { KpiResults, Snapshot } from '../../snapshot';
import { renderTrendChartSvg, type TrendChartInput, type TrendMove } from '../charts/trend-chart';
import { formatKpiValue } from '../format/format-values';
import type { Scope } from './attention';
import { type EarlierQuarters, kpiRow } from './kpi-row';
import { SHORT_NAMES } from './kpi-text';
import { verdictOf } from './moves';
import type { ChartImage, ViewModel, ViewRowModel } from './report-model';

/** What a view needs of the build's input: the snapshot, and the message's Content-ID token. */
interface ViewInput {
  readonly snapshot: Snapshot;
  readonly cidToken: string;
}

/** Builds one full view; each chart drawn is handed to `addChart`, to be attached inline. */
export function buildView(
  scope: Scope,
  index: number,
  isSegmentView: boolean,
  earlier: EarlierQuarters,
  input: ViewInput,
  addChart: (image: ChartImage) => void,
): ViewModel {
  const { snapshot } = input;
  const results: KpiResults = scope.results;
  const trendQuarters = results.clientIndependenceRate.trend.length;
  const hasTrends = trendQuarters > 1;
  const kpis = KPI_IDS.map((id): ViewRowModel => {
    const result = results[id];
    const companyValue = isSegmentView ? formatKpiValue(id, snapshot.kpis[id].value, snapshot.currency) : '';
    const row = kpiRow(id, result, snapshot, earlier, companyValue);
    if (!hasTrends) return { ...row, chart: null };
    const chart = renderTrendChartSvg({
      title: KPI_DEFINITIONS[id].name,
      shortTitle: SHORT_NAMES[id],
      move: trendMove(id, results),
      ...chartScale(id, snapshot.currency),
      points: result.trend.map((point) => ({
        quarter: point.quarter,
        value: point.value,
        label: formatKpiValue(id, point.value, snapshot.currency),
      })),
    });
    const cid = `${id}.${index + 1}.${input.cidToken}@kpi-report`;
    addChart({ cid, svg: chart.svg });
    return {
      ...row,
      chart: { cid, src: `cid:${cid}`, alt: chart.alt, width: chart.width, height: chart.height },
    };
  });
  return { title: scope.title, kpis, hasTrends, trendQuarters };
}

/**
 * The y-axis of each unit: at least 10 points for a rate (so that a 2.5-point dip does not
 * fill the chart), 20 for NPS, half a service for depth; cost takes 10% of its value.
 */
function chartScale(
  id: KpiId,
  currency: string,
): Pick<TrendChartInput, 'minimumSpan' | 'bounds' | 'formatTick'> {
  switch (KPI_DEFINITIONS[id].unit) {
    case 'percent':
      return { minimumSpan: 10, bounds: { min: 0, max: 100 }, formatTick: (value) => `${tick(value)}%` };
    case 'score':
      return { minimumSpan: 20, bounds: { min: -100, max: 100 }, formatTick: tick };
    case 'servicesPerClient':
      return { minimumSpan: 0.5, bounds: { min: 0 }, formatTick: tick };
    case 'currencyPerClient':
      return {
        formatTick: (value) =>
          new Intl.NumberFormat('en-US', {
            style: 'currency',
            currency,
            maximumFractionDigits: 2,
            minimumFractionDigits: 0,
          }).format(value),
      };
  }
}

function tick(value: number): string {
  return String(Number(value.toFixed(2)));
}

/** The last move as the table judges it: the chart never contradicts the table. */
function trendMove(id: KpiId, results: KpiResults): TrendMove {
  const verdict = verdictOf(id, results[id], 'qoq');
  if (verdict === 'better') return { kind: 'good', text: 'better' };
  if (verdict === 'worse') return { kind: 'bad', text: 'worse' };
  if (verdict === 'noise') return { kind: 'flat', text: 'within noise' };
  return { kind: 'flat', text: verdict === 'unchanged' ? 'unchanged' : '' };
}
