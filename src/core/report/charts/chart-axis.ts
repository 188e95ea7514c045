/**
 * The trend chart's y-axis: round ticks over at least a minimum span, inside the values the
 * KPI can take, starting at zero when zero is near and else marked as cut.
 */

/** The y-axis: its range, its round ticks, and whether it is cut short of zero. */
export interface Axis {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  /** The axis does not reach zero although the values are all of one sign: mark the cut. */
  readonly cut: 'bottom' | 'top' | 'none';
}

/** The axis for `values`, at least `minimumSpan` wide and inside `bounds`. */
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
