/**
 * The data root of a kpi-report deployment: a bucket and a key prefix under which exports
 * land (`exports/<quarter>/`), reports are written (`reports/<quarter>/`) and the report
 * settings are read (`config/kpi-report.json`). Either a bucket of the caller's (given as an
 * `IBucket`, KMS key included, or by name) or a new versioned, encrypted, TLS-only bucket
 * with access logging and expiry of what runs leave behind.
 */
import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RUN_LEFTOVER_PREFIXES } from '../src/use-cases/report-keys';

export interface DataRootProps {
  /** A bucket of the caller's; `undefined` with `bucketName` undefined creates one. */
  readonly bucket?: s3.IBucket;
  /** A bucket of the caller's, by name (no KMS key known: use `bucket` for an SSE-KMS bucket). */
  readonly bucketName?: string;
  /** The key prefix, already normalised ('' for the bucket root). */
  readonly prefix: string;
  /** How many days run leftovers and dry runs are kept in a bucket this construct creates. */
  readonly runLeftoverDays: number;
}

export class DataRoot extends Construct {
  readonly bucket: s3.IBucket;
  /** The key prefix without slashes ('' for the bucket root). */
  readonly prefix: string;
  /** `prefix/`, or '' for the bucket root: what keys under the root start with. */
  readonly root: string;

  constructor(scope: Construct, id: string, props: DataRootProps) {
    super(scope, id);
    // Server access logs are granted by bucket policy, whatever the app's feature flags:
    // the ACL alternative cannot work on a bucket that enforces bucket-owner object ownership.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.prefix = props.prefix;
    this.root = props.prefix === '' ? '' : `${props.prefix}/`;
    if (props.bucket !== undefined || props.bucketName !== undefined) {
      const label = props.bucketName ?? 'given as dataBucket';
      Annotations.of(this).addWarningV2(
        'kpi-report:importedBucket',
        `The data bucket ${label} is imported: this stack does not check or set its public access block, encryption, TLS-only policy, versioning, access logging or lifecycle rules (add rules that expire ${this.root}${RUN_LEFTOVER_PREFIXES.runs} and ${this.root}${RUN_LEFTOVER_PREFIXES.dryRuns} after a few days).`,
      );
      this.bucket = props.bucket ?? s3.Bucket.fromBucketName(this, 'DataBucket', label);
    } else {
      this.bucket = this.#createBucket(props.runLeftoverDays);
    }
  }

  #createBucket(runLeftoverDays: number): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // S3 server access logging writes only to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the data bucket; logging its own access would log into itself (or need a third bucket) for no audit gain.',
    });
    return new s3.Bucket(this, 'DataBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versions are the provenance the report cites and the undo for an overwritten export.
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        // What runs leave behind: working files, not the report. In a versioned bucket an
        // expiry only hides the object, so its hidden version goes a day later.
        ...[RUN_LEFTOVER_PREFIXES.runs, RUN_LEFTOVER_PREFIXES.dryRuns].map((prefix) => ({
          id: `expire-${prefix.replace(/^reports\/|\/$/g, '')}`,
          prefix: `${this.root}${prefix}`,
          expiration: Duration.days(runLeftoverDays),
          noncurrentVersionExpiration: Duration.days(1),
        })),
      ],
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
