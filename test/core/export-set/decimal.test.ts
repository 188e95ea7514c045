import { describe, expect, it } from 'vitest';
import { nanosToNumber, parseDecimalNanos } from '../../../src/core/export-set/decimal';

describe('money as nanos', () => {
  it('parses plain decimals exactly', () => {
    expect(parseDecimalNanos('1000.00')).toBe(1_000_000_000_000n);
    expect(parseDecimalNanos('-100')).toBe(-100_000_000_000n);
    expect(parseDecimalNanos('.5')).toBe(500_000_000n);
    expect(parseDecimalNanos('0.1')).toBe(100_000_000n);
  });

  it('rounds past nine decimal places half away from zero', () => {
    expect(parseDecimalNanos('0.0000000015')).toBe(2n);
    expect(parseDecimalNanos('-0.0000000015')).toBe(-2n);
    expect(parseDecimalNanos('0.0000000014')).toBe(1n);
  });

  it('rejects what is not a plain decimal', () => {
    for (const text of ['abc', '1,000.00', '$5', '1e3', '', '-', '.', '1.2.3']) {
      expect(parseDecimalNanos(text)).toBeUndefined();
    }
  });

  it('sums 0.1 ten times to exactly 1', () => {
    const sum = Array.from({ length: 10 }, () => parseDecimalNanos('0.1') ?? 0n).reduce((a, b) => a + b, 0n);
    expect(nanosToNumber(sum)).toBe(1);
  });
});
