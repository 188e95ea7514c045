/**
 * A quarter's published `kpis.json` as the readers of a report find it (the API's status
 * answer, `preview`): absent, not a snapshot this version can read, or the snapshot.
 */
import { reportKeys } from '../core/data-root';
import type { ExportStore } from '../core/ports';
import { type Snapshot, snapshotSchema } from '../core/snapshot';

export type PublishedSnapshot =
  | { readonly state: 'absent' }
  /** Not JSON, or JSON that is not a snapshot of this schema version: written by hand or by another version. */
  | { readonly state: 'unreadable' }
  | { readonly state: 'published'; readonly snapshot: Snapshot };

/** Reads `reports/<quarter>/kpis.json` from `store` (the data root, or a dry run's view of it). */
export async function readPublishedSnapshot(store: ExportStore, quarter: string): Promise<PublishedSnapshot> {
  const text = await store.readText(reportKeys.snapshot(quarter));
  if (text === undefined) return { state: 'absent' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: 'unreadable' };
  }
  const parsed = snapshotSchema.safeParse(json);
  return parsed.success ? { state: 'published', snapshot: parsed.data } : { state: 'unreadable' };
}
