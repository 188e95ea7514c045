/**
 * The S3 event notifications of a batch from the upload queue, read down to what the
 * validation needs: per quarter, the latest upload and the message that carries it.
 */
import * as z from 'zod';
import { rootKeyPrefix } from '../../src/adapters/s3/root-prefix';
import { EXPORTS_FOLDER, quarterInKey } from '../../src/core/data-root';

/** One S3 event notification, as S3 puts it on the queue. S3's test message has no `Records`. */
const s3NotificationSchema = z.object({
  Records: z
    .array(
      z.object({
        eventTime: z.iso.datetime({ offset: true }),
        s3: z.object({ object: z.object({ key: z.string() }) }),
      }),
    )
    .optional(),
});

/** The quarter of an event key (`[prefix/]exports/<quarter>/…`, URL-encoded), if any. */
export function quarterOfKey(encodedKey: string, prefix: string): string | undefined {
  const root = rootKeyPrefix(prefix);
  // S3 event keys are URL-encoded, with '+' for spaces.
  const key = decodeURIComponent(encodedKey.replace(/\+/g, ' '));
  return key.startsWith(root) ? quarterInKey(key.slice(root.length), EXPORTS_FOLDER) : undefined;
}

/** The latest upload of one quarter in a batch, with the message that carries it. */
export interface LatestUpload {
  readonly quarter: string;
  readonly latest: Date;
  readonly messageId: string;
}

/**
 * The latest upload per quarter of the batch (uploads outside `exports/<quarter>/` are
 * ignored), and the ids of the messages that are no S3 notification at all.
 */
export function latestUploadPerQuarter(
  messages: readonly { readonly messageId: string; readonly body: string }[],
  prefix: string,
): { uploads: LatestUpload[]; unreadable: string[] } {
  const unreadable: string[] = [];
  const byQuarter = new Map<string, LatestUpload>();
  for (const message of messages) {
    const parsed = s3NotificationSchema.safeParse(safeJson(message.body));
    if (!parsed.success) {
      unreadable.push(message.messageId);
      continue;
    }
    for (const record of parsed.data.Records ?? []) {
      const quarter = quarterOfKey(record.s3.object.key, prefix);
      if (quarter === undefined) continue;
      const latest = new Date(record.eventTime);
      const seen = byQuarter.get(quarter);
      if (seen === undefined || latest > seen.latest) {
        byQuarter.set(quarter, { quarter, latest, messageId: message.messageId });
      }
    }
  }
  return { uploads: [...byQuarter.values()], unreadable };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
