/**
 * One validation per burst of uploads. Every file under `exports/<quarter>/` is an S3
 * event, and a validation reads the whole export set, so a 40-part upload validated per
 * event would read the set 40 times. The events reach the validate function through an
 * SQS queue, in batches, at most two batches at once; per quarter, a batch:
 *
 * - records the latest upload time seen (`upload-activity.json`, only ever moved forward
 *   by a conditional replace), and leaves the quarter to a later event's message when a
 *   later upload was seen (`covered`);
 * - while the last upload is less than `UPLOAD_QUIET_MINUTES` old, hands its latest
 *   message back to the queue (`defer`), which shows it again after the queue's visibility
 *   timeout (longer than the quiet period): by then either a newer upload came, whose own
 *   message takes over, or the upload has gone quiet;
 * - otherwise validates, unless a validation already started after the last upload.
 *
 * A burst whose uploads follow each other within the quiet period is therefore validated
 * once, a few minutes after its last file.
 */
import type { ExportStore } from '../core/ports';
import { reportKeys } from './report-keys';

/** An upload counts as finished once no file of its quarter arrived for this long. */
export const UPLOAD_QUIET_MINUTES = 5;

/** What to do about a quarter's uploads in one batch of events. */
export type UploadDecision = 'validate' | 'defer' | 'covered';

/** Where the latest upload time of a quarter is kept. */
export function uploadActivityKey(quarter: string): string {
  return `${reportKeys.folder(quarter)}upload-activity.json`;
}

const MAX_TRIES = 20;

/**
 * Moves the quarter's latest upload time forward to `uploadedAt` if that is later, with a
 * conditional write (two batches at once never move it back), and returns the latest time.
 */
export async function recordUploadActivity(
  store: ExportStore,
  quarter: string,
  uploadedAt: Date,
): Promise<Date> {
  if (store.readVersioned === undefined || store.replaceIfUnchanged === undefined) {
    throw new Error(`${store.location} offers no conditional replace, which the upload debounce needs`);
  }
  const key = uploadActivityKey(quarter);
  const body = `${JSON.stringify({ quarter, lastUploadAt: uploadedAt.toISOString() })}\n`;
  for (let tries = 0; tries < MAX_TRIES; tries += 1) {
    const read = await store.readVersioned(key);
    if (read === undefined) {
      if (await store.createIfAbsent(key, body, 'application/json')) return uploadedAt;
      continue;
    }
    const { lastUploadAt } = JSON.parse(read.text) as { lastUploadAt?: string };
    const recorded = lastUploadAt === undefined ? Number.NaN : Date.parse(lastUploadAt);
    if (recorded >= uploadedAt.getTime()) return new Date(recorded);
    if (await store.replaceIfUnchanged(key, body, 'application/json', read.version)) return uploadedAt;
  }
  throw new Error(
    `could not record an upload in ${store.location}/${key}: ${MAX_TRIES} other writes came first`,
  );
}

/** Decides, for the latest upload of `quarter` in a batch of events, whether to validate now. */
export async function decideValidation(
  store: ExportStore,
  options: { readonly quarter: string; readonly latestInBatch: Date; readonly now: Date },
): Promise<UploadDecision> {
  const { quarter, latestInBatch, now } = options;
  const lastUpload = await recordUploadActivity(store, quarter, latestInBatch);
  if (lastUpload.getTime() > latestInBatch.getTime()) return 'covered';
  if (now.getTime() - lastUpload.getTime() < UPLOAD_QUIET_MINUTES * 60_000) return 'defer';
  const validation = await store.readText(reportKeys.validation(quarter));
  const checkedAt =
    validation === undefined ? undefined : (JSON.parse(validation) as { checkedAt?: string }).checkedAt;
  if (checkedAt !== undefined && Date.parse(checkedAt) >= lastUpload.getTime()) return 'covered';
  return 'validate';
}
