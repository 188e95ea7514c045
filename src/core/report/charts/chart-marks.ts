/**
 * The chart's marks beside the line: the cut in an axis that does not start at zero, the
 * reported quarter's mark by the shape of its move, the line itself, and the quarter and
 * year labels under the points.
 */
import { QUARTER_LABEL } from '../../quarter';
import {
  COLOR,
  LABEL_FONT,
  LAST_MARK_SIZE,
  type MoveKind,
  OUTER_PAD,
  type Plotted,
  QUARTER_BASELINE,
  TREND_CHART_WIDTH,
  YEAR_BASELINE,
} from './chart-layout';
import { fitText, num, textElement, textWidth } from './svg-text';

/** Two short slanted strokes across the axis: "this axis does not start at zero". */
export function cutMark(x: number, y: number): string {
  const stroke = (dy: number) =>
    `<line x1="${num(x - 5)}" y1="${num(y + dy + 3)}" x2="${num(x + 5)}" y2="${num(y + dy - 3)}" stroke="${COLOR.zero}" stroke-width="1.5"/>`;
  return `<rect x="${num(x - 6)}" y="${num(y - 5)}" width="12" height="10" fill="${COLOR.background}"/>${stroke(-2)}${stroke(2)}`;
}

/** A filled circle for better, a diamond for worse, a ring for no clear change. */
export function lastMark(point: Plotted, kind: MoveKind): string {
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

/** One `M … L …` run per stretch of consecutive known values; a lone value is just its dot. */
export function linePath(plotted: readonly (Plotted | null)[]): string {
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
export function quarterLabels(
  points: readonly { readonly quarter: string }[],
  xs: readonly number[],
): string {
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
