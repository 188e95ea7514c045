/**
 * A small per-KPI trend chart for the report email, drawn as SVG in the pure core; an
 * adapter (`ChartRasterizer`) turns it into the PNG that mail clients can show.
 *
 * Drawn not to mislead: the y-axis either starts at zero or marks its cut, spans at least
 * a minimum range (a 2.5-point dip in retention must not look like a crash), and draws a
 * zero line when the series crosses zero; every quarter is labelled; the reported quarter's
 * move is told by shape and word as well as colour; the title sits inside the image, so
 * charts side by side line up whatever their names.
 */
import { axisFor } from './chart-axis';
import {
  COLOR,
  DOT_RADIUS,
  FONT_FAMILY,
  GAP,
  LABEL_FONT,
  LAST_MARK_SIZE,
  MAX_VALUE_LABEL_WIDTH,
  type MoveKind,
  OUTER_PAD,
  PLOT_BOTTOM,
  PLOT_TOP,
  type Plotted,
  TITLE_BASELINE,
  TITLE_FONT,
  TREND_CHART_HEIGHT,
  TREND_CHART_WIDTH,
  VALUE_FONT,
  xAt,
} from './chart-layout';
import { cutMark, lastMark, linePath, quarterLabels } from './chart-marks';
import { escapeXml, fitText, num, textElement, textWidth } from './svg-text';

export { MIN_FONT_SIZE, TREND_CHART_HEIGHT, TREND_CHART_WIDTH } from './chart-layout';

/** One quarter of a KPI's history, with the value as the email displays it. */
export interface TrendPoint {
  readonly quarter: string;
  /** `null` when the KPI was not available that quarter: a gap in the line, never a zero. */
  readonly value: number | null;
  /** the value as displayed, e.g. "72.5%", "$41.20", "not available" */
  readonly label: string;
}

/** How the reported quarter moved, as the email's table judges it (noise included). */
export interface TrendMove {
  readonly kind: MoveKind;
  /** `better`, `worse`, `within noise`, or empty. */
  readonly text: string;
}

/** What a trend chart shows: one KPI over its recent quarters. */
export interface TrendChartInput {
  /** KPI name: the title when it fits, and the alt text. */
  readonly title: string;
  /** A shorter name for the title when the full one does not fit. */
  readonly shortTitle?: string;
  /** Up to 8 quarters, oldest first, ending with the reported quarter. */
  readonly points: readonly TrendPoint[];
  readonly move: TrendMove;
  /** The smallest span of the y-axis, in the KPI's unit; defaults to 10% of the largest value. */
  readonly minimumSpan?: number;
  /** The values the KPI can take (0–100 for a rate): the axis never runs past them. */
  readonly bounds?: { readonly min?: number; readonly max?: number };
  /** Axis labels; defaults to the number with up to two decimals. */
  readonly formatTick?: (value: number) => string;
}

/**
 * A drawn chart: the SVG (text escaped, no external references), its intrinsic size in CSS
 * pixels for the `<img>` tag, and plain-text alt (not escaped: the template escapes it).
 */
export interface TrendChart {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  readonly alt: string;
}

/**
 * Draws one KPI's trend: a line through the quarters that have a value (gaps where a
 * quarter has none), light grid lines at round values labelled on the left, the reported
 * quarter marked by the shape of its move (a circle for better, a diamond for worse, a ring
 * for no clear change) and labelled with its value and the move in words.
 * Sits on its own white rounded background so that it stays legible when a mail client
 * darkens the page. Deterministic: the same input always gives the same SVG.
 */
export function renderTrendChartSvg(input: TrendChartInput): TrendChart {
  const alt = altText(input);
  const body = hasAnyValue(input.points) ? drawSeries(input) : drawNoData(input.points);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${TREND_CHART_WIDTH}" height="${TREND_CHART_HEIGHT}"` +
    ` viewBox="0 0 ${TREND_CHART_WIDTH} ${TREND_CHART_HEIGHT}" role="img">` +
    `<title>${escapeXml(alt)}</title>` +
    `<rect x="0.5" y="0.5" width="${TREND_CHART_WIDTH - 1}" height="${TREND_CHART_HEIGHT - 1}" rx="6"` +
    ` fill="${COLOR.background}" stroke="${COLOR.border}"/>` +
    `<g font-family="${FONT_FAMILY}" font-size="${LABEL_FONT}">${title(input)}${body}</g></svg>`;
  return { svg, width: TREND_CHART_WIDTH, height: TREND_CHART_HEIGHT, alt };
}

function title(input: TrendChartInput): string {
  const room = TREND_CHART_WIDTH - 2 * OUTER_PAD;
  const text =
    textWidth(input.title, TITLE_FONT, true) <= room || input.shortTitle === undefined
      ? input.title
      : input.shortTitle;
  return textElement(fitText(text, TITLE_FONT, true, room), OUTER_PAD, TITLE_BASELINE, {
    bold: true,
    fill: COLOR.text,
    size: TITLE_FONT,
  });
}

function altText({ title, points, move }: TrendChartInput): string {
  if (points.length === 0) return `${title}: not available.`;
  const span = points.length === 1 ? 'last quarter' : `last ${points.length} quarters`;
  const moved = move.text === '' ? '' : ` Last change: ${move.text}.`;
  return `${title}, ${span}: ${points.map((point) => `${point.quarter} ${point.label}`).join(', ')}.${moved}`;
}

function plottableValue(point: TrendPoint): number | null {
  // A non-finite value cannot be placed on the axis; it is drawn as a gap like `null`.
  return point.value !== null && Number.isFinite(point.value) ? point.value : null;
}

function hasAnyValue(points: readonly TrendPoint[]): boolean {
  return points.some((point) => plottableValue(point) !== null);
}

function drawNoData(points: readonly TrendPoint[]): string {
  const middle = (PLOT_TOP + PLOT_BOTTOM) / 2;
  const text = textElement('not available', TREND_CHART_WIDTH / 2, middle + 4, {
    anchor: 'middle',
    fill: COLOR.mutedText,
    size: VALUE_FONT,
  });
  const xs = points.map((_, index) =>
    xAt(index, points.length, OUTER_PAD + 12, TREND_CHART_WIDTH - OUTER_PAD - 12),
  );
  return text + quarterLabels(points, xs);
}

function defaultTick(value: number): string {
  return String(Number(value.toFixed(2)));
}

function drawSeries(input: TrendChartInput): string {
  const { points, move } = input;
  const values = points.map(plottableValue);
  const known = values.filter((value): value is number => value !== null);
  const largest = Math.max(...known.map(Math.abs));
  const axis = axisFor(known, input.minimumSpan ?? Math.max(largest * 0.1, 1e-9), input.bounds);
  const formatTick = input.formatTick ?? defaultTick;
  const tickLabels = axis.ticks.map((tick) => fitText(formatTick(tick), LABEL_FONT, false, 60));
  const axisWidth = Math.max(...tickLabels.map((label) => textWidth(label, LABEL_FONT, false)));
  const lastIndex = points.length - 1;
  const lastValue = values[lastIndex] ?? null;
  // The reported quarter's value in bold; "not available" in plain text, which fits.
  const valueFont = lastValue === null ? LABEL_FONT : VALUE_FONT;
  const valueLabel = fitText(
    points[lastIndex]?.label ?? '',
    valueFont,
    lastValue !== null,
    MAX_VALUE_LABEL_WIDTH,
  );
  const moveLabel = fitText(move.text, LABEL_FONT, false, MAX_VALUE_LABEL_WIDTH);
  const labelWidth = Math.max(
    textWidth(valueLabel, valueFont, lastValue !== null),
    textWidth(moveLabel, LABEL_FONT, false),
  );
  const plotLeft = OUTER_PAD + axisWidth + GAP + LAST_MARK_SIZE;
  const plotRight = TREND_CHART_WIDTH - OUTER_PAD - labelWidth - GAP - LAST_MARK_SIZE;

  const yOf = (value: number): number =>
    PLOT_BOTTOM - ((value - axis.min) / (axis.max - axis.min)) * (PLOT_BOTTOM - PLOT_TOP);
  const xs = points.map((_, index) => xAt(index, points.length, plotLeft, plotRight));
  const plotted: (Plotted | null)[] = values.map((value, index) =>
    value === null ? null : { x: xs[index] ?? plotLeft, y: yOf(value) },
  );

  const parts: string[] = [];
  const axisX = plotLeft - LAST_MARK_SIZE;
  axis.ticks.forEach((tick, index) => {
    const y = yOf(tick);
    const isZero = tick === 0;
    parts.push(
      `<line x1="${num(axisX)}" y1="${num(y)}" x2="${num(plotRight + LAST_MARK_SIZE)}" y2="${num(y)}"` +
        (isZero
          ? ` stroke="${COLOR.zero}" stroke-width="1.5"/>`
          : ` stroke="${COLOR.grid}" stroke-dasharray="2 3"/>`) +
        textElement(tickLabels[index] ?? '', axisX - GAP, y + 4, {
          anchor: 'end',
          fill: COLOR.mutedText,
          size: LABEL_FONT,
        }),
    );
  });
  parts.push(
    `<line x1="${num(axisX)}" y1="${PLOT_TOP}" x2="${num(axisX)}" y2="${PLOT_BOTTOM}" stroke="${COLOR.axis}"/>`,
  );
  if (axis.cut !== 'none') parts.push(cutMark(axisX, axis.cut === 'bottom' ? PLOT_BOTTOM - 6 : PLOT_TOP + 6));
  const path = linePath(plotted);
  if (path !== '') {
    parts.push(
      `<path d="${path}" fill="none" stroke="${COLOR.line}" stroke-width="2"` +
        ` stroke-linejoin="round" stroke-linecap="round"/>`,
    );
  }
  plotted.forEach((point, index) => {
    if (point !== null && index !== lastIndex) {
      parts.push(
        `<circle cx="${num(point.x)}" cy="${num(point.y)}" r="${DOT_RADIUS}" fill="${COLOR.line}"/>`,
      );
    }
  });

  const lastPoint = plotted[lastIndex] ?? null;
  const labelX = plotRight + LAST_MARK_SIZE + GAP;
  const labelY = lastPoint === null || lastValue === null ? (PLOT_TOP + PLOT_BOTTOM) / 2 : lastPoint.y;
  // Keep the two label lines inside the plot's height.
  const valueBaseline = Math.min(Math.max(labelY + 4, PLOT_TOP + 4), PLOT_BOTTOM - 10);
  if (lastPoint !== null) parts.push(lastMark(lastPoint, move.kind));
  parts.push(
    textElement(valueLabel, labelX, valueBaseline, {
      bold: lastValue !== null,
      fill: lastPoint === null ? COLOR.flat : COLOR.text,
      size: valueFont,
    }),
  );
  if (moveLabel !== '') {
    parts.push(
      textElement(moveLabel, labelX, valueBaseline + 14, { fill: COLOR[move.kind], size: LABEL_FONT }),
    );
  }
  parts.push(quarterLabels(points, xs));
  return parts.join('');
}
