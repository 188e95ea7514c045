/**
 * The quarterly report's deadlines, in one place for the use cases and the deployment:
 * how long a scheduled run waits for its exports, and when a report that has not gone out
 * is overdue (the heartbeat).
 */

/** Days a scheduled run whose export set is not ready waits for a valid one. */
export const DEFAULT_WAIT_FOR_EXPORTS_DAYS = 30;

/**
 * Days after a quarter's end by which its report must be out: the default schedule runs
 * on day 5, which leaves three days for retries and a fix.
 */
export const DEFAULT_REPORT_DUE_DAYS = 8;
