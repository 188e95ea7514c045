/** Where the job writes, under the data root (exports.md layout). */
export const reportKeys = {
  folder: (quarter: string) => `reports/${quarter}/`,
  snapshot: (quarter: string) => `reports/${quarter}/kpis.json`,
  validation: (quarter: string) => `reports/${quarter}/validation.json`,
  /** The company report as saved for reading in a browser, self-contained (charts inlined). */
  html: (quarter: string) => `reports/${quarter}/report.html`,
  text: (quarter: string) => `reports/${quarter}/report.txt`,
  /** A recipient's message as a self-contained page, for its "view online" link. */
  online: (quarter: string, recipientSlug: string) => `reports/${quarter}/online/${recipientSlug}.html`,
  csv: (quarter: string) => `reports/${quarter}/kpis-${quarter}.csv`,
  /** The delivery ledger: one record per recipient served, plus send claims. */
  deliveries: (quarter: string) => `reports/${quarter}/deliveries/`,
  /** The state of the last run started for the quarter (API status). */
  status: (quarter: string) => `reports/${quarter}/status.json`,
  /** When the first file of the quarter's export set arrived (upload feedback). */
  firstUpload: (quarter: string) => `reports/${quarter}/first-upload.json`,
  /** Partial aggregates of one distributed run, one per interactions part (map step output). */
  partials: (quarter: string, runId: string) =>
    `reports/${quarter}/runs/${runId.replace(/[^A-Za-z0-9._-]/g, '_')}/partials/`,
  /** What the last delivery run did, recipient by recipient. */
  deliverySummary: (quarter: string) => `reports/${quarter}/delivery.json`,
};
