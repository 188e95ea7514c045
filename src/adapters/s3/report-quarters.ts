/**
 * The quarter folders under `[prefix/]reports/`, for the upload sweep: one ListObjectsV2
 * with `Delimiter: '/'`, which answers with the folders (common prefixes) instead of every
 * object under them, so an hourly sweep costs one request however many reports exist.
 */
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { quarterInKey, REPORTS_FOLDER } from '../../core/data-root';
import { rootKeyPrefix } from './root-prefix';

/** Each `reports/<quarter>/` folder's quarter label, in order; other folder names are ignored. */
export async function* listReportQuarters(options: {
  readonly client: S3Client;
  readonly bucket: string;
  /** The data root's prefix without slashes ('' for the bucket root). */
  readonly prefix: string;
}): AsyncGenerator<string> {
  const root = rootKeyPrefix(options.prefix);
  const pages = paginateListObjectsV2(
    { client: options.client, pageSize: 1000 },
    { Bucket: options.bucket, Prefix: `${root}${REPORTS_FOLDER}`, Delimiter: '/' },
  );
  const quarters = new Set<string>();
  for await (const page of pages) {
    for (const common of page.CommonPrefixes ?? []) {
      const label = quarterInKey(common.Prefix?.slice(root.length) ?? '', REPORTS_FOLDER);
      if (label !== undefined) quarters.add(label);
    }
  }
  yield* [...quarters].sort();
}
