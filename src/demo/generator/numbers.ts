/** The two numeric helpers of the book's model. */

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
