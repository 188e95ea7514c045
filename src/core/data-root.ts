/**
 * The data root's layout (exports.md), as keys relative to the root: the export sets under
 * `exports/<quarter>/` (read only), and everything the job writes under `reports/`. Every
 * module that names a folder of the root, or finds a quarter in a key, takes it from here.
 */
import type { ExportStore } from './ports';
import { isQuarterLabel } from './quarter';

/** Where the export sets are; the job never writes here. */
export const EXPORTS_FOLDER = 'exports/';

/** The only part of the data root the job writes to. */
export const REPORTS_FOLDER = 'reports/';

/** Where the exports are read from, by quarter label (`2026-Q3`). */
export const exportKeys = {
  /** One quarter's export set. */
  set: (quarter: string) => `${EXPORTS_FOLDER}${quarter}/`,
  /** The interactions dataset uploaded as parts, each `part-*.csv[.gz]` (distributed reads). */
  interactionsParts: (quarter: string) => `${EXPORTS_FOLDER}${quarter}/interactions/`,
};

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
  /** Per run: its record (run-level idempotency), the distributed run's shuffle and Map Run results. */
  runs: `${REPORTS_FOLDER}runs/`,
  /** Per dry run: everything it wrote, kept apart from the published report. */
  dryRuns: `${REPORTS_FOLDER}dry-runs/`,
} as const;

/** The KPI table as CSV (every KPI for the company and every segment), as saved and as attached. */
export function kpisCsvName(quarter: string): string {
  return `kpis-${quarter}.csv`;
}

const reportFolder = (quarter: string) => `${REPORTS_FOLDER}${quarter}/`;
const runFolder = (quarter: string, runId: string) =>
  `${RUN_LEFTOVER_PREFIXES.runs}${quarter}/${runIdSegment(runId)}/`;

/** Where the job writes, by quarter label. */
export const reportKeys = {
  folder: reportFolder,
  snapshot: (quarter: string) => `${reportFolder(quarter)}kpis.json`,
  validation: (quarter: string) => `${reportFolder(quarter)}validation.json`,
  /** The company report as saved for reading in a browser, self-contained (charts inlined). */
  html: (quarter: string) => `${reportFolder(quarter)}report.html`,
  text: (quarter: string) => `${reportFolder(quarter)}report.txt`,
  /** A recipient's message as a self-contained page, for its "view online" link. */
  online: (quarter: string, recipientKey: string) => `${reportFolder(quarter)}online/${recipientKey}.html`,
  /** The KPI table as CSV, as the email attaches it. */
  csv: (quarter: string) => `${reportFolder(quarter)}${kpisCsvName(quarter)}`,
  /** The delivery ledger: one record per recipient served, plus send claims. */
  deliveries: (quarter: string) => `${reportFolder(quarter)}deliveries/`,
  /** The state of the last run started for the quarter (API status). */
  status: (quarter: string) => `${reportFolder(quarter)}status.json`,
  /** When the first file of the quarter's export set arrived (upload feedback). */
  firstUpload: (quarter: string) => `${reportFolder(quarter)}first-upload.json`,
  /** One run's own folder: its record and, for a distributed run, its shuffle and map results. */
  run: runFolder,
  /** What the steps of one distributed run hand each other: its plan, tallies and claims by hash range. */
  shuffle: (quarter: string, runId: string) => `${runFolder(quarter, runId)}shuffle/`,
  /** A dry run's stand-in for `reports/<quarter>/`: what it writes, and nothing else. */
  dryRun: (quarter: string, runId: string) =>
    `${RUN_LEFTOVER_PREFIXES.dryRuns}${quarter}/${runIdSegment(runId)}/`,
  /** What the last delivery run did, recipient by recipient. */
  deliverySummary: (quarter: string) => `${reportFolder(quarter)}delivery.json`,
};

/**
 * The quarter whose folder directly under `folder` (`exports/` or `reports/`) holds `key`:
 * `exports/2026-Q3/clients.csv` → `2026-Q3`. `undefined` for a key elsewhere, or in a folder
 * not named like a quarter (`reports/runs/…`). A folder's own key (`reports/2026-Q3/`,
 * as a delimiter listing names it) counts as in it.
 */
export function quarterInKey(
  key: string,
  folder: typeof EXPORTS_FOLDER | typeof REPORTS_FOLDER,
): string | undefined {
  if (!key.startsWith(folder)) return undefined;
  const end = key.indexOf('/', folder.length);
  if (end < 0) return undefined;
  const label = key.slice(folder.length, end);
  return isQuarterLabel(label) ? label : undefined;
}

/** Whether the store holds any object under `prefix` (a folder of the data root, say). */
export async function holdsAnythingUnder(store: ExportStore, prefix: string): Promise<boolean> {
  for await (const _ of store.list(prefix)) return true;
  return false;
}
