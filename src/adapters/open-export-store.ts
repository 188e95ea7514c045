/**
 * Picks the `ExportStore` adapter for a data location given on the command line or in the
 * Lambda's configuration.
 */
import { fileURLToPath } from 'node:url';
import { DataLocationError } from '../core/errors';
import type { ExportStore } from '../core/ports';
import { LocalExportStore } from './local/local-export-store';

/** Region used when neither `AWS_REGION` nor `AWS_DEFAULT_REGION` is set. */
export const DEFAULT_AWS_REGION = 'us-east-1';

/**
 * Opens the data root at `location`: `s3://bucket[/prefix]` gives an S3 store, a `file:`
 * URL or any other text a local directory. For S3 the endpoint is
 * `AWS_ENDPOINT_URL_S3 ?? AWS_ENDPOINT_URL` (unset means AWS itself) and the region
 * `AWS_REGION ?? AWS_DEFAULT_REGION ?? 'us-east-1'`, read from `env`, which the CLI or
 * Lambda shell passes in (adapters never read `process.env`); credentials come from the
 * SDK's default chain. Throws for a malformed `s3:` location and for other URL schemes
 * (`gs://…`, `https://…`) rather than treating them as directory names, with
 * `DataLocationError`. The S3 adapter (and the SDK) is loaded only for an S3 location: a
 * local run does not pay for loading them (about 50 ms).
 */
export async function openExportStore(
  location: string,
  env: Record<string, string | undefined>,
): Promise<ExportStore> {
  if (/^s3:/i.test(location)) {
    const { createS3Client, parseS3Location, S3ExportStore } = await import('./s3/s3-export-store');
    const parsed = parseS3Location(location);
    if (parsed === undefined) {
      throw new DataLocationError(
        `malformed S3 location '${location}': use s3://bucket or s3://bucket/prefix (a valid bucket name, no empty, '.' or '..' segments)`,
      );
    }
    const client = createS3Client({
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
    });
    return new S3ExportStore({ client, ...parsed });
  }
  if (/^file:/i.test(location)) return new LocalExportStore(fileURLToPath(location));
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(location)) {
    throw new DataLocationError(
      `unsupported data location '${location}': use a directory path or s3://bucket/prefix`,
    );
  }
  return new LocalExportStore(location);
}

/**
 * Checks, before any work, that a local data root is a folder: a path that does not exist
 * or is a file fails with `DataLocationError` instead of an error deep in a run. (A bucket
 * is checked by its first listing.)
 */
export async function assertDataRoot(store: ExportStore): Promise<void> {
  if (store instanceof LocalExportStore) await store.assertRoot();
}
