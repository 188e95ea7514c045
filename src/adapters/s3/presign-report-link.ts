/** Presigned links to report files: the API's status answer, a message's "view online". */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** How long the API's link to report.html works: long enough to click, short enough not to leak. */
export const REPORT_LINK_SECONDS = 15 * 60;

/**
 * How long a message's "view online" link works: SigV4's longest, 7 days. A link signed
 * with temporary credentials (a Lambda role's) stops working when they expire, sooner.
 */
export const VIEW_ONLINE_LINK_SECONDS = 7 * 24 * 60 * 60;

/** Returns a presigner for keys relative to `s3://bucket/prefix`. */
export function createReportLinker(options: {
  client: S3Client;
  bucket: string;
  prefix: string;
  /** Defaults to `REPORT_LINK_SECONDS`. */
  expiresIn?: number;
}) {
  const root = options.prefix === '' ? '' : `${options.prefix.replace(/\/+$/, '')}/`;
  return (key: string): Promise<string> =>
    getSignedUrl(options.client, new GetObjectCommand({ Bucket: options.bucket, Key: root + key }), {
      expiresIn: options.expiresIn ?? REPORT_LINK_SECONDS,
    });
}
