/**
 * The data roots an app can hand to `computeQuarter`: a local directory, or an S3 bucket and
 * prefix. Any other object implementing `ExportStore` works as well.
 */
import { LocalExportStore } from '../adapters/local/local-export-store';
import { createS3Client, parseS3Location, S3ExportStore } from '../adapters/s3/s3-export-store';
import { DataLocationError } from '../core/errors';
import type { ExportStore } from '../core/ports';

/** The data root in a local directory: `<directory>/exports/<quarter>/…`, `<directory>/reports/…`. */
export function localStore(directory: string): ExportStore {
  return new LocalExportStore(directory);
}

/** AWS credentials, or a function that provides them (e.g. `fromIni()` of `@aws-sdk/credential-providers`). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly expiration?: Date | undefined;
}

export interface S3StoreOptions {
  readonly bucket: string;
  /** The data root inside the bucket, without slashes at either end. @default '' (the bucket root) */
  readonly prefix?: string | undefined;
  /** @default the SDK's region chain (`AWS_REGION`, the profile) */
  readonly region?: string | undefined;
  /** An S3-compatible endpoint (MinIO, LocalStack); buckets are then addressed by path. @default AWS */
  readonly endpoint?: string | undefined;
  /** @default the SDK's default credential chain */
  readonly credentials?: AwsCredentials | (() => Promise<AwsCredentials>) | undefined;
}

/**
 * The data root in S3: `s3://<bucket>/<prefix>/exports/…`. The store builds its own client
 * (timeouts, and the checksum mode S3-compatible servers need), from the engine's bundled
 * SDK: a client of another copy of the SDK would not pass the SDK's own paginator checks.
 */
export function s3Store(options: S3StoreOptions): ExportStore {
  const location = `s3://${options.bucket}/${options.prefix ?? ''}`;
  const parsed = parseS3Location(location);
  if (parsed === undefined) {
    throw new DataLocationError(
      `malformed S3 location '${location}': a valid bucket name, and a prefix without empty, '.' or '..' segments`,
    );
  }
  const { region, endpoint, credentials } = options;
  return new S3ExportStore({ client: createS3Client({ region, endpoint, credentials }), ...parsed });
}
