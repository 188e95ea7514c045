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
import { QUARTER_LABEL } from '../../quarter';

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
  readonly kind: 'good' | 'bad' | 'flat';
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

/** Intrinsic width in CSS pixels: two side by side in a 600 px email, one per row on a phone. */
export const TREND_CHART_WIDTH = 280;
/** Intrinsic height in CSS pixels. */
export const TREND_CHART_HEIGHT = 150;
/** The smallest font used: readable at the size the email shows the chart. */
export const MIN_FONT_SIZE = 11;

// The only font the rasterizer loads; any other family would render as nothing.
const FONT_FAMILY = 'DejaVu Sans';

const COLOR = {
  background: '#ffffff',
  border: '#d0d7de',
  grid: '#d8dee4',
  axis: '#8c959f',
  zero: '#57606a',
  mutedText: '#57606a',
  text: '#24292f',
  line: '#1f4e79',
  good: '#1a7f37',
  bad: '#cf222e',
  flat: '#57606a',
} as const;

const OUTER_PAD = 10;
const TITLE_BASELINE = 20;
const TITLE_FONT = 13;
const PLOT_TOP = 34;
const PLOT_BOTTOM = 104;
const QUARTER_BASELINE = 121;
const YEAR_BASELINE = 136;
const LABEL_FONT = 11;
const VALUE_FONT = 12;
const DOT_RADIUS = 3;
const LAST_MARK_SIZE = 5.5;
const GAP = 6;
const MAX_VALUE_LABEL_WIDTH = 86;

interface Plotted {
  readonly x: number;
  readonly y: number;
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

/** The y-axis: round ticks over at least the minimum span, from zero when zero is near. */
export interface Axis {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  /** The axis does not reach zero although the values are all of one sign: mark the cut. */
  readonly cut: 'bottom' | 'top' | 'none';
}

export function axisFor(
  values: readonly number[],
  minimumSpan: number,
  bounds: { readonly min?: number; readonly max?: number } = {},
): Axis {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  // Never narrower than a millionth of the values' size: the ticks must be distinct numbers.
  const span = Math.max(hi - lo, minimumSpan, Math.abs(hi) * 1e-6, Math.abs(lo) * 1e-6, 1e-9);
  const centre = (lo + hi) / 2;
  lo = Math.min(lo, centre - span / 2);
  hi = Math.max(hi, centre + span / 2);
  // Widened past what the KPI can take (above 100%): shift back inside.
  const top = Math.max(bounds.max ?? Number.POSITIVE_INFINITY, ...values);
  if (hi > top) {
    lo -= hi - top;
    hi = top;
  }
  const bottom = Math.min(bounds.min ?? Number.NEGATIVE_INFINITY, ...values);
  if (lo < bottom) {
    hi += bottom - lo;
    lo = bottom;
  }
  // Zero within about one span of the data: draw it, rather than a cut.
  if (lo > 0 && lo <= span) lo = 0;
  if (hi < 0 && -hi <= span) hi = 0;
  const step = niceStep((hi - lo) / 3);
  const first = Math.floor(lo / step + 1e-9);
  const count = Math.ceil(hi / step - 1e-9) - first;
  const ticks = Array.from({ length: count + 1 }, (_, index) => roundTo((first + index) * step, step));
  const min = ticks[0] ?? lo;
  const max = ticks[ticks.length - 1] ?? hi;
  const cut = min > 0 ? 'bottom' : max < 0 ? 'top' : 'none';
  return { min, max, ticks, cut };
}

function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

function roundTo(value: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  const rounded = Number(value.toFixed(digits));
  return rounded === 0 ? 0 : rounded;
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

/** Two short slanted strokes across the axis: "this axis does not start at zero". */
function cutMark(x: number, y: number): string {
  const stroke = (dy: number) =>
    `<line x1="${num(x - 5)}" y1="${num(y + dy + 3)}" x2="${num(x + 5)}" y2="${num(y + dy - 3)}" stroke="${COLOR.zero}" stroke-width="1.5"/>`;
  return `<rect x="${num(x - 6)}" y="${num(y - 5)}" width="12" height="10" fill="${COLOR.background}"/>${stroke(-2)}${stroke(2)}`;
}

/** A filled circle for better, a diamond for worse, a ring for no clear change. */
function lastMark(point: Plotted, kind: TrendMove['kind']): string {
  const { x, y } = point;
  const s = LAST_MARK_SIZE;
  if (kind === 'good') {
    return `<circle cx="${num(x)}" cy="${num(y)}" r="${s}" fill="${COLOR.good}" stroke="${COLOR.background}" stroke-width="1.5"/>`;
  }
  if (kind === 'bad') {
    const d = s * 1.25;
    return `<path d="M${num(x)} ${num(y - d)}L${num(x + d)} ${num(y)}L${num(x)} ${num(y + d)}L${num(x - d)} ${num(y)} Z" fill="${COLOR.bad}" stroke="${COLOR.background}" stroke-width="1.5"/>`;
  }
  return `<circle cx="${num(x)}" cy="${num(y)}" r="${s - 1}" fill="${COLOR.background}" stroke="${COLOR.flat}" stroke-width="2.5"/>`;
}

/** Points spread evenly from left to right; the reported quarter is always on the right. */
function xAt(index: number, count: number, left: number, right: number): number {
  return count <= 1 ? right : left + (index * (right - left)) / (count - 1);
}

/** One `M … L …` run per stretch of consecutive known values; a lone value is just its dot. */
function linePath(plotted: readonly (Plotted | null)[]): string {
  const runs: Plotted[][] = [];
  let run: Plotted[] = [];
  for (const point of plotted) {
    if (point === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else {
      run.push(point);
    }
  }
  if (run.length > 0) runs.push(run);
  return runs
    .filter((points) => points.length > 1)
    .map((points) =>
      points.map((point, index) => `${index === 0 ? 'M' : 'L'}${num(point.x)} ${num(point.y)}`).join(''),
    )
    .join('');
}

/**
 * Every quarter labelled under its point (`Q3`), and the year under the first quarter and
 * under each first quarter of a year, where it does not collide with the one before.
 * A label that is not `YYYY-Qn` is shown whole.
 */
function quarterLabels(points: readonly TrendPoint[], xs: readonly number[]): string {
  const parts: string[] = [];
  let lastYearRight = Number.NEGATIVE_INFINITY;
  let lastYear = '';
  points.forEach((point, index) => {
    const x = xs[index] ?? 0;
    const match = QUARTER_LABEL.exec(point.quarter);
    const quarter = match ? `Q${match[2]}` : fitText(point.quarter, LABEL_FONT, false, 80);
    parts.push(centredLabel(quarter, x, QUARTER_BASELINE));
    const year = match?.[1];
    if (year === undefined || year === lastYear) return;
    const half = textWidth(year, LABEL_FONT, false) / 2;
    const centre = clampCentre(x, half);
    if (centre - half < lastYearRight + 4) return;
    parts.push(centredLabel(year, centre, YEAR_BASELINE));
    lastYearRight = centre + half;
    lastYear = year;
  });
  return parts.join('');
}

function clampCentre(x: number, half: number): number {
  return Math.min(Math.max(x, OUTER_PAD + half), TREND_CHART_WIDTH - OUTER_PAD - half);
}

function centredLabel(text: string, x: number, baseline: number): string {
  const half = textWidth(text, LABEL_FONT, false) / 2;
  return textElement(text, clampCentre(x, half), baseline, {
    anchor: 'middle',
    fill: COLOR.mutedText,
    size: LABEL_FONT,
  });
}

interface TextStyle {
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly bold?: boolean;
  readonly fill: string;
  readonly size: number;
}

function textElement(text: string, x: number, y: number, style: TextStyle): string {
  const anchor =
    style.anchor === undefined || style.anchor === 'start' ? '' : ` text-anchor="${style.anchor}"`;
  const weight = style.bold === true ? ' font-weight="bold"' : '';
  const size = style.size === LABEL_FONT ? '' : ` font-size="${style.size}"`;
  return `<text x="${num(x)}" y="${num(y)}"${anchor}${weight}${size} fill="${style.fill}">${escapeXml(text)}</text>`;
}

// Advance widths of DejaVu Sans in em, for laying out labels without measuring fonts. Close
// enough for margins; unknown characters count as wide so that text errs on the small side.
const NARROW = new Set([' ', '.', ',', ':', ';', '!', "'", '|', 'i', 'j', 'l', 'I']);
const DIGIT_LIKE = new Set([...'0123456789$€£¥+-−=<>#_~^*?']);
const WIDE = new Set(['%', 'm', 'w', 'M', 'W', '@', '&', '…']);

function charWidth(char: string): number {
  if (NARROW.has(char)) return 0.32;
  if (DIGIT_LIKE.has(char)) return 0.64;
  if (WIDE.has(char)) return 1;
  if (char >= 'a' && char <= 'z') return 0.62;
  return 0.78;
}

function textWidth(text: string, size: number, bold: boolean): number {
  let em = 0;
  for (const char of text) em += charWidth(char);
  return em * size * (bold ? 1.1 : 1);
}

/** `text` shortened with an ellipsis until it fits `maxWidth`; labels may be user text. */
function fitText(text: string, size: number, bold: boolean, maxWidth: number): string {
  if (textWidth(text, size, bold) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(`${chars.join('')}…`, size, bold) > maxWidth) chars.pop();
  return `${chars.join('')}…`;
}

/** Coordinates with one decimal: enough for 2× rendering, and keeps the SVG small. */
function num(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

// Characters that XML 1.0 forbids even when escaped (C0 controls other than tab, newline
// and carriage return; lone surrogates; U+FFFE/U+FFFF) would make the whole SVG unparseable.
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text safe inside an SVG element or attribute value. */
function escapeXml(text: string): string {
  return text.replace(INVALID_XML_CHARS, '\uFFFD').replace(/[&<>"']/g, (char) => XML_ENTITIES[char] ?? char);
}
