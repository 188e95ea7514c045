/**
 * The Lambda functions' settings, read once per cold start from the environment the CDK
 * construct sets, validated with zod: a missing or bad variable fails the cold start with
 * its name, instead of a confusing error mid-run.
 */
import * as z from 'zod';
import { DEFAULT_AWS_REGION } from '../adapters/open-export-store';
import { createS3Client, S3ExportStore } from '../adapters/s3/s3-export-store';
import { type Config, parseConfigText } from '../core/config';

const lambdaEnvironmentSchema = z.object({
  DATA_BUCKET: z.string().min(3, 'set DATA_BUCKET to the data bucket name'),
  DATA_PREFIX: z.string().default(''),
  KPI_REPORT_CONFIG: z.string().default('{}'),
  RUN_FUNCTION_NAME: z.string().min(1).optional(),
  OPS_TOPIC_ARN: z.string().min(1).optional(),
  /** The distributed-run state machine; the report function starts it for large quarters. */
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  /** How long a scheduled run waits for a valid export set; unset, the handler's default. */
  WAIT_FOR_EXPORTS_DAYS: z.coerce.number().int().positive().optional(),
  /** Days after a quarter's end by which its report must be out (the heartbeat); unset, the default. */
  REPORT_DUE_DAYS: z.coerce.number().int().positive().optional(),
  AWS_REGION: z.string().default(DEFAULT_AWS_REGION),
  AWS_ENDPOINT_URL_S3: z.string().optional(),
  AWS_ENDPOINT_URL: z.string().optional(),
});
export type LambdaEnvironment = z.infer<typeof lambdaEnvironmentSchema>;

export interface LambdaSettings {
  readonly env: LambdaEnvironment;
  readonly config: Config;
  readonly s3: ReturnType<typeof createS3Client>;
  readonly store: S3ExportStore;
}

export function lambdaSettings(environment: Record<string, string | undefined>): LambdaSettings {
  const parsed = lambdaEnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`the function's environment is not valid: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  const config = parseConfigText(env.KPI_REPORT_CONFIG, 'KPI_REPORT_CONFIG');
  const s3 = createS3Client({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
  });
  const store = new S3ExportStore({ client: s3, bucket: env.DATA_BUCKET, prefix: env.DATA_PREFIX });
  return { env, config, s3, store };
}
