/** A run id as one key segment: every character outside `A-Za-z0-9._-` becomes `_`. */
export function runIdSegment(runId: string): string {
  return runId.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * Folders for what a run leaves behind rather than publishes: each is one literal prefix,
 * so one S3 lifecycle rule can expire it (a rule's filter takes no wildcards, so folders
 * inside `reports/<quarter>/` could not be matched for every quarter).
 */
export const RUN_LEFTOVER_PREFIXES = {
  /** Per run: its record (run-level idempotency), the distributed mode's shuffle and Map Run results. */
  runs: 'reports/runs/',
  /** Per dry run: everything it wrote, kept apart from the published report. */
  dryRuns: 'reports/dry-runs/',
} as const;

const runFolder = (quarter: string, runId: string) =>
  `${RUN_LEFTOVER_PREFIXES.runs}${quarter}/${runIdSegment(runId)}/`;

/** Where the job writes, under the data root (exports.md layout). */
export const reportKeys = {
  folder: (quarter: string) => `reports/${quarter}/`,
  snapshot: (quarter: string) => `reports/${quarter}/kpis.json`,
  validation: (quarter: string) => `reports/${quarter}/validation.json`,
  /** The company report as saved for reading in a browser, self-contained (charts inlined). */
  html: (quarter: string) => `reports/${quarter}/report.html`,
  text: (quarter: string) => `reports/${quarter}/report.txt`,
  /** A recipient's message as a self-contained page, for its "view online" link. */
  online: (quarter: string, recipientKey: string) => `reports/${quarter}/online/${recipientKey}.html`,
  csv: (quarter: string) => `reports/${quarter}/kpis-${quarter}.csv`,
  /** The delivery ledger: one record per recipient served, plus send claims. */
  deliveries: (quarter: string) => `reports/${quarter}/deliveries/`,
  /** The state of the last run started for the quarter (API status). */
  status: (quarter: string) => `reports/${quarter}/status.json`,
  /** When the first file of the quarter's export set arrived (upload feedback). */
  firstUpload: (quarter: string) => `reports/${quarter}/first-upload.json`,
  /** One run's own folder: its record and, for a distributed run, its shuffle and map results. */
  run: runFolder,
  /** What the steps of one distributed run hand each other: its plan, tallies and claims by hash range. */
  shuffle: (quarter: string, runId: string) => `${runFolder(quarter, runId)}shuffle/`,
  /** A dry run's stand-in for `reports/<quarter>/`: what it writes, and nothing else. */
  dryRun: (quarter: string, runId: string) =>
    `${RUN_LEFTOVER_PREFIXES.dryRuns}${quarter}/${runIdSegment(runId)}/`,
  /** What the last delivery run did, recipient by recipient. */
  deliverySummary: (quarter: string) => `reports/${quarter}/delivery.json`,
};
