/** Short-lived links to report files, for the API's status answer. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** How long a link to report.html works: long enough to click, short enough not to leak. */
export const REPORT_LINK_SECONDS = 15 * 60;

/** Returns a presigner for keys relative to `s3://bucket/prefix`. */
export function createReportLinker(options: { client: S3Client; bucket: string; prefix: string }) {
  const root = options.prefix === '' ? '' : `${options.prefix.replace(/\/+$/, '')}/`;
  return (key: string): Promise<string> =>
    getSignedUrl(options.client, new GetObjectCommand({ Bucket: options.bucket, Key: root + key }), {
      expiresIn: REPORT_LINK_SECONDS,
    });
}
