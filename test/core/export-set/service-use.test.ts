import { describe, expect, it } from 'vitest';
import { inUseDuring } from '../../../src/core/export-set/service-use';

// A quarter of days 100 to 190 (day numbers), as kpis.md's rule reads it.
const period = { start: 100, end: 190 };

describe('a service in use during the quarter', () => {
  it('counts one started by the last day and not ended', () => {
    expect(inUseDuring(period, 190, undefined)).toBe(true);
    expect(inUseDuring(period, 10, Number.POSITIVE_INFINITY)).toBe(true);
  });

  it('counts one that ended after the first day, and not one that ended on it', () => {
    expect(inUseDuring(period, 10, 101)).toBe(true);
    expect(inUseDuring(period, 10, 100)).toBe(false);
  });

  it('does not count one that starts after the last day', () => {
    expect(inUseDuring(period, 191, undefined)).toBe(false);
  });
});
