/**
 * Money as exact integers of billionths (nanos), so sums are exact and do not depend on
 * row order. Amounts with more than nine decimal places are rounded half away from zero.
 */

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
export const NANOS_PER_UNIT = 1_000_000_000n;

/** Parses a plain decimal (`1234.56`, `-100`, `.5`) into nanos, or `undefined`. */
export function parseDecimalNanos(text: string): bigint | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  const padded = `${fraction}0000000000`;
  let nanos = BigInt(whole || '0') * NANOS_PER_UNIT + BigInt(padded.slice(0, 9));
  if (Number(padded[9]) >= 5) nanos += 1n;
  return sign === '-' ? -nanos : nanos;
}

/** Nanos as a number of currency units (for presentation and division). */
export function nanosToNumber(nanos: bigint): number {
  const whole = nanos / NANOS_PER_UNIT;
  const rest = nanos % NANOS_PER_UNIT;
  return Number(whole) + Number(rest) / 1e9;
}
