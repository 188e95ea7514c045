/**
 * Step Functions' S3 item reader and result writer with their grants narrowed to the data
 * root's folders: the stock ones may list, read and write every key of the bucket.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/**
 * `S3ObjectsItemReader` with its grant narrowed: `s3:ListBucket` only for prefixes matching
 * `listablePrefix` (the stock reader allows listing the whole bucket).
 */
export class ScopedS3ObjectsItemReader implements sfn.IItemReader {
  readonly #reader: sfn.S3ObjectsItemReader;
  readonly #listablePrefix: string;

  constructor(props: { bucket: s3.IBucket; prefix: string; listablePrefix: string }) {
    this.#reader = new sfn.S3ObjectsItemReader({ bucket: props.bucket, prefix: props.prefix });
    this.#listablePrefix = props.listablePrefix;
  }

  get bucket(): s3.IBucket {
    return this.#reader.bucket;
  }

  get resource(): string {
    return this.#reader.resource;
  }

  render(queryLanguage?: sfn.QueryLanguage): unknown {
    return this.#reader.render(queryLanguage);
  }

  providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': this.#listablePrefix } },
      }),
    ];
  }

  validateItemReader(): string[] {
    return this.#reader.validateItemReader();
  }
}

/**
 * `ResultWriterV2` with its grant narrowed to `writablePattern` (the stock writer may write,
 * and read, every key of the bucket, `exports/` included).
 */
export class ScopedResultWriter extends sfn.ResultWriterV2 {
  readonly #bucket: s3.IBucket;
  readonly #writablePattern: string;

  constructor(props: { bucket: s3.IBucket; prefix: string; writablePattern: string }) {
    super({ bucket: props.bucket, prefix: props.prefix });
    this.#bucket = props.bucket;
    this.#writablePattern = props.writablePattern;
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.#bucket.arnForObjects(this.#writablePattern)],
      }),
    ];
  }
}
