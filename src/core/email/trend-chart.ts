/**
 * A small per-KPI trend chart for the report email, drawn as SVG in the pure core; an
 * adapter (`ChartRasterizer`) turns it into the PNG that mail clients can show.
 */

/** One quarter of a KPI's history, with the value as the email displays it. */
export interface TrendPoint {
  readonly quarter: string;
  /** `null` when the KPI was not available that quarter: a gap in the line, never a zero. */
  readonly value: number | null;
  /** the value as displayed, e.g. "72.5%", "$41.20", "n/a" */
  readonly label: string;
}

/** What a trend chart shows: one KPI over its recent quarters. */
export interface TrendChartInput {
  /** KPI name, used in the alt text. */
  readonly title: string;
  /** Up to 8 quarters, oldest first, ending with the reported quarter. */
  readonly points: readonly TrendPoint[];
  /** Decides whether the last move is drawn as good (green) or bad (red). */
  readonly higherIsBetter: boolean;
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

/** Intrinsic width in CSS pixels: small enough for two charts side by side on a phone. */
export const TREND_CHART_WIDTH = 280;
/** Intrinsic height in CSS pixels. */
export const TREND_CHART_HEIGHT = 110;

// The only font the rasterizer loads; any other family would render as nothing.
const FONT_FAMILY = 'DejaVu Sans';

const COLOR = {
  background: '#ffffff',
  border: '#d0d7de',
  grid: '#d8dee4',
  mutedText: '#57606a',
  text: '#24292f',
  line: '#1f4e79',
  good: '#1a7f37',
  bad: '#c62828',
  flat: '#6e7781',
} as const;

const OUTER_PAD = 8;
const PLOT_TOP = 14;
const PLOT_BOTTOM = 80;
const QUARTER_BASELINE = 100;
const SMALL_FONT = 10;
const LAST_LABEL_FONT = 12;
const DOT_RADIUS = 2.5;
const LAST_DOT_RADIUS = 4.5;
const GAP = 6;
const MAX_SIDE_LABEL_WIDTH = 66;
const MAX_QUARTER_LABEL_WIDTH = 100;
// Share of the data range added above and below, so extremes do not touch the frame.
const RANGE_PADDING = 0.12;

type Move = 'good' | 'bad' | 'flat';

interface Plotted {
  readonly x: number;
  readonly y: number;
}

/**
 * Draws one KPI's trend: a line through the quarters that have a value (gaps where a
 * quarter is `n/a`), the reported quarter emphasised, coloured by whether its move from
 * the previous known value is good for the KPI, and labelled with its displayed value.
 * The y-range is padded around the data (not forced from 0) and its extremes are marked
 * with light grid lines labelled with their displayed values. Sits on its own white
 * rounded background so that it stays legible when a mail client darkens the page.
 * Deterministic: the same input always gives the same SVG.
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
    `<g font-family="${FONT_FAMILY}" font-size="${SMALL_FONT}">${body}</g></svg>`;
  return { svg, width: TREND_CHART_WIDTH, height: TREND_CHART_HEIGHT, alt };
}

function altText({ title, points }: TrendChartInput): string {
  if (points.length === 0) return `${title}: no data.`;
  const span = points.length === 1 ? 'last quarter' : `last ${points.length} quarters`;
  return `${title}, ${span}: ${points.map((point) => `${point.quarter} ${point.label}`).join(', ')}.`;
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
  const text = textElement('no data', TREND_CHART_WIDTH / 2, middle + 4, {
    anchor: 'middle',
    fill: COLOR.mutedText,
    size: LAST_LABEL_FONT,
  });
  const xs = points.map((_, index) => xAt(index, points.length, OUTER_PAD, TREND_CHART_WIDTH - OUTER_PAD));
  return text + quarterLabels(points, xs);
}

function drawSeries({ points, higherIsBetter }: TrendChartInput): string {
  const values = points.map(plottableValue);
  const known = values.filter((value): value is number => value !== null);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  const lastIndex = points.length - 1;
  const last = points[lastIndex];
  const lastValue = values[lastIndex] ?? null;

  const maxLabel = fitText(labelOfExtreme(points, values, hi), SMALL_FONT, false, MAX_SIDE_LABEL_WIDTH);
  const minLabel = fitText(labelOfExtreme(points, values, lo), SMALL_FONT, false, MAX_SIDE_LABEL_WIDTH);
  const lastLabel = fitText(last?.label ?? '', LAST_LABEL_FONT, true, MAX_SIDE_LABEL_WIDTH);
  const axisWidth = Math.max(textWidth(maxLabel, SMALL_FONT, false), textWidth(minLabel, SMALL_FONT, false));
  const plotLeft = OUTER_PAD + axisWidth + GAP + LAST_DOT_RADIUS;
  const plotRight =
    TREND_CHART_WIDTH - OUTER_PAD - textWidth(lastLabel, LAST_LABEL_FONT, true) - GAP - LAST_DOT_RADIUS;

  const { min, max } = paddedRange(lo, hi);
  const yOf = (value: number): number =>
    PLOT_BOTTOM - ((value - min) / (max - min)) * (PLOT_BOTTOM - PLOT_TOP);
  const xs = points.map((_, index) => xAt(index, points.length, plotLeft, plotRight));
  const plotted: (Plotted | null)[] = values.map((value, index) =>
    value === null ? null : { x: xs[index] ?? plotLeft, y: yOf(value) },
  );

  const parts: string[] = [];
  parts.push(gridLine(yOf(hi), plotLeft, plotRight, maxLabel));
  if (lo !== hi) parts.push(gridLine(yOf(lo), plotLeft, plotRight, minLabel));
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
  const labelX = plotRight + LAST_DOT_RADIUS + GAP;
  if (lastPoint !== null && lastValue !== null) {
    const color = COLOR[lastMove(points, values, lastValue, higherIsBetter)];
    parts.push(
      `<circle cx="${num(lastPoint.x)}" cy="${num(lastPoint.y)}" r="${LAST_DOT_RADIUS}" fill="${color}"` +
        ` stroke="${COLOR.background}" stroke-width="1.5"/>`,
    );
    parts.push(
      textElement(lastLabel, labelX, lastPoint.y + 4, {
        bold: true,
        fill: COLOR.text,
        size: LAST_LABEL_FONT,
      }),
    );
  } else {
    // The reported quarter has no value: say so where its value would be.
    const middle = (PLOT_TOP + PLOT_BOTTOM) / 2;
    parts.push(
      textElement(lastLabel, labelX, middle + 4, { bold: true, fill: COLOR.flat, size: LAST_LABEL_FONT }),
    );
  }
  parts.push(quarterLabels(points, xs));
  return parts.join('');
}

/** The displayed label of the most recent point holding `value`. */
function labelOfExtreme(
  points: readonly TrendPoint[],
  values: readonly (number | null)[],
  value: number,
): string {
  for (let index = points.length - 1; index >= 0; index -= 1) {
    if (values[index] === value) return points[index]?.label ?? '';
  }
  return '';
}

/**
 * The last move compared with the previous known value. Two values that display the same
 * (e.g. both "72.5%") count as flat, so the colour never contradicts the printed figure.
 */
function lastMove(
  points: readonly TrendPoint[],
  values: readonly (number | null)[],
  lastValue: number,
  higherIsBetter: boolean,
): Move {
  const lastIndex = points.length - 1;
  for (let index = lastIndex - 1; index >= 0; index -= 1) {
    const previous = values[index];
    if (previous === null || previous === undefined) continue;
    if (previous === lastValue || points[index]?.label === points[lastIndex]?.label) return 'flat';
    return lastValue > previous === higherIsBetter ? 'good' : 'bad';
  }
  return 'flat';
}

function paddedRange(lo: number, hi: number): { min: number; max: number } {
  const span = hi - lo;
  const pad = span > 0 ? span * RANGE_PADDING : Math.max(Math.abs(hi) * RANGE_PADDING, 1);
  return { min: lo - pad, max: hi + pad };
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

function gridLine(y: number, plotLeft: number, plotRight: number, label: string): string {
  const x1 = plotLeft - LAST_DOT_RADIUS;
  return (
    `<line x1="${num(x1)}" y1="${num(y)}" x2="${num(plotRight + LAST_DOT_RADIUS)}" y2="${num(y)}"` +
    ` stroke="${COLOR.grid}" stroke-dasharray="2 3"/>` +
    textElement(label, x1 - GAP, y + 3.5, { anchor: 'end', fill: COLOR.mutedText, size: SMALL_FONT })
  );
}

function quarterLabels(points: readonly TrendPoint[], xs: readonly number[]): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) return '';
  const label = (point: TrendPoint, x: number): string => {
    const text = fitText(point.quarter, SMALL_FONT, false, MAX_QUARTER_LABEL_WIDTH);
    const half = textWidth(text, SMALL_FONT, false) / 2;
    // Centred under its point, but kept inside the frame.
    const centre = Math.min(Math.max(x, OUTER_PAD + half), TREND_CHART_WIDTH - OUTER_PAD - half);
    return textElement(text, centre, QUARTER_BASELINE, {
      anchor: 'middle',
      fill: COLOR.mutedText,
      size: SMALL_FONT,
    });
  };
  const firstLabel = label(first, xs[0] ?? 0);
  return points.length === 1 ? firstLabel : firstLabel + label(last, xs[points.length - 1] ?? 0);
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
  const size = style.size === SMALL_FONT ? '' : ` font-size="${style.size}"`;
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
