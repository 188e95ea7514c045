import { describe, expect, it } from 'vitest';
import { excerpt } from '../../src/core/excerpt';

describe('excerpt', () => {
  it('keeps short text as it is', () => {
    expect(excerpt('C-000123')).toBe('C-000123');
  });

  it('cuts long text to 80 characters and says how long it was', () => {
    expect(excerpt('x'.repeat(50_000_000))).toBe(`${'x'.repeat(80)}… (50000000 characters)`);
  });

  it('never splits a character made of two UTF-16 units', () => {
    expect(excerpt('😀'.repeat(81))).toBe(`${'😀'.repeat(80)}… (162 characters)`);
  });

  it('shows line breaks and other control characters as escapes, so a cell cannot break a line', () => {
    expect(excerpt('a\nb\r\tc\u0000')).toBe('a\\nb\\r\\tc\\u0000');
  });
});
