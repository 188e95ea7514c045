/**
 * The trend chart's fixed layout and palette: one place for the sizes, baselines and colours
 * that the series, the marks and the labels are placed by.
 */

/** Intrinsic width in CSS pixels: two side by side in a 600 px email, one per row on a phone. */
export const TREND_CHART_WIDTH = 280;
/** Intrinsic height in CSS pixels. */
export const TREND_CHART_HEIGHT = 150;
/** The smallest font used: readable at the size the email shows the chart. */
export const MIN_FONT_SIZE = 11;

// The only font the rasterizer loads; any other family would render as nothing.
export const FONT_FAMILY = 'DejaVu Sans';

/** How the reported quarter moved, as a colour and a shape: better, worse, or no clear change. */
export type MoveKind = 'good' | 'bad' | 'flat';

export const COLOR = {
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

export const OUTER_PAD = 10;
export const TITLE_BASELINE = 20;
export const TITLE_FONT = 13;
export const PLOT_TOP = 34;
export const PLOT_BOTTOM = 104;
export const QUARTER_BASELINE = 121;
export const YEAR_BASELINE = 136;
export const LABEL_FONT = 11;
export const VALUE_FONT = 12;
export const DOT_RADIUS = 3;
export const LAST_MARK_SIZE = 5.5;
export const GAP = 6;
export const MAX_VALUE_LABEL_WIDTH = 86;

/** A value's place in the plot, in CSS pixels. */
export interface Plotted {
  readonly x: number;
  readonly y: number;
}

/** Points spread evenly from left to right; the reported quarter is always on the right. */
export function xAt(index: number, count: number, left: number, right: number): number {
  return count <= 1 ? right : left + (index * (right - left)) / (count - 1);
}
