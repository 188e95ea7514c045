/**
 * The clock the in-process CLI tests give `main`, so that no test reads the real one: the
 * middle of 2026-Q4, so 2026-Q3 (the fixtures' quarter) is the last completed quarter and
 * 2026-Q4 is still open.
 */
export const TEST_NOW = new Date('2026-11-15T09:00:00Z');

/** `main`'s third argument in tests. */
export const testClock = (): Date => new Date(TEST_NOW);
