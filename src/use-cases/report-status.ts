/**
 * The answer to "how is the quarter's report doing?" (`GET /reports/{quarter}`): the last
 * run's status, the headline of each KPI and where the company report is, from the
 * published report folder or, with a run id, that run's. The API only translates it to HTTP
 * and turns the report's key into a link.
 */
import { reportKeys } from '../core/data-root';
import { KPI_IDS, type KpiId } from '../core/kpi-ids';
import type { ExportStore } from '../core/ports';
import type { KpiResult } from '../core/snapshot';
import { dryRunKey, dryRunView } from './dry-run-view';
import { readPublishedSnapshot } from './published-snapshot';
import { type RunStatus, readRunStatus } from './report-run';

/** What the status answer shows of each KPI. */
export type KpiHeadline = Pick<KpiResult, 'value' | 'band' | 'deltaQoQ' | 'deltaYoY' | 'lowSample'>;

export type ReportStatus =
  | {
      readonly found: true;
      readonly quarter: string;
      readonly run: RunStatus | null;
      /** When the report was computed; null without a readable kpis.json. */
      readonly generatedAt: string | null;
      readonly kpis: Record<KpiId, KpiHeadline> | null;
      /** The company report's key under the data root, when it has been written. */
      readonly reportKey: string | null;
    }
  | { readonly found: false; readonly reason: string };

/**
 * The status of `quarter`'s published report, or with `runId` that run's: a dry run's own
 * folder, or the published one when its latest run is that one. Not found when there is
 * neither a run nor a report, or the run id names no run of the quarter.
 */
export async function reportStatus(
  store: ExportStore,
  quarter: string,
  runId?: string,
): Promise<ReportStatus> {
  const folder = await reportFolder(store, quarter, runId);
  if (folder === undefined) {
    return { found: false, reason: `${quarter} has no dry run ${runId}, and its latest run is another one` };
  }
  const run = await readRunStatus(folder.store, quarter);
  const published = await readPublishedSnapshot(folder.store, quarter);
  if (run === undefined && published.state === 'absent') {
    return { found: false, reason: `no run and no report for ${quarter}` };
  }
  const snapshot = published.state === 'published' ? published.snapshot : undefined;
  const hasReport = (await folder.store.readText(reportKeys.html(quarter))) !== undefined;
  return {
    found: true,
    quarter,
    run: run ?? null,
    generatedAt: snapshot?.generatedAt ?? null,
    kpis: snapshot === undefined ? null : headlines(snapshot.kpis),
    reportKey: hasReport ? folder.keyOf(reportKeys.html(quarter)) : null,
  };
}

function headlines(kpis: Record<KpiId, KpiResult>): Record<KpiId, KpiHeadline> {
  return Object.fromEntries(
    KPI_IDS.map((id) => {
      const { value, band, deltaQoQ, deltaYoY, lowSample } = kpis[id];
      return [id, { value, band, deltaQoQ, deltaYoY, lowSample }];
    }),
  ) as Record<KpiId, KpiHeadline>;
}

/** The folder to answer from, as a store and the data root's key of each of its keys. */
async function reportFolder(
  store: ExportStore,
  quarter: string,
  runId: string | undefined,
): Promise<{ store: ExportStore; keyOf: (key: string) => string } | undefined> {
  const published = { store, keyOf: (key: string) => key };
  if (runId === undefined) return published;
  const dryRun = dryRunView(store, quarter, runId);
  if ((await readRunStatus(dryRun, quarter)) !== undefined) {
    return { store: dryRun, keyOf: (key) => dryRunKey(quarter, runId, key) };
  }
  if ((await readRunStatus(store, quarter))?.runId === runId) return published;
  return undefined;
}
