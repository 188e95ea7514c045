/**
 * The Lambda defaults every kpi-report function shares, in one place: Node.js 22 on arm64,
 * X-Ray tracing, source maps, an explicit log group with a retention, its own role scoped to
 * that log group (no `AWSLambdaBasicExecutionRole`, which may write to any log group), and
 * one esbuild bundling setup that never needs Docker (`lambda-bundling.ts`: code splitting,
 * so the email rendering is loaded on first use, and only the files a handler needs beside
 * it). Environment variables that point at a resource are set together with the IAM grant
 * on that resource, so a function never holds a name it may not use.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Duration, type ILocalBundling, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { bundleLambda, type LambdaBundleRequest } from './lambda-bundling';
import { wildcardResourceFinding } from './nag-findings';

/** The repository root: where `functions/`, `templates/`, `node_modules/` and the lock file are. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where the published package keeps the functions it bundled at build time
 * (`dist/cdk/functions/<name>/`, beside the construct's own module): an installed package
 * has neither the handlers' sources nor esbuild, so it deploys these. In the repository the
 * folder does not exist and each function is bundled from source at synth time.
 */
const PREBUILT_FUNCTIONS = fileURLToPath(new URL('./functions/', import.meta.url));

/**
 * The context key under which a `QuarterlyKpiReports` hands its functions' defaults down
 * the construct tree (log retention, memory and timeout per entry), so that functions built
 * by its parts get them too. See `FunctionDefaults`.
 */
export const FUNCTION_DEFAULTS_CONTEXT = 'kpi-report:functionDefaults';

/** What a scope sets under `FUNCTION_DEFAULTS_CONTEXT` (plain JSON, as context must be). */
export interface FunctionDefaults {
  /** Days a function's log group keeps events (a `logs.RetentionDays` value). */
  readonly logRetentionDays?: number;
  /** Per handler entry: memory in MB and timeout in seconds. */
  readonly sizing?: Readonly<Record<string, { memorySize?: number; timeoutSeconds?: number }>>;
}

/** The CloudWatch namespace of the functions' custom metrics (Powertools Metrics, EMF). */
export const METRICS_NAMESPACE = 'kpi-report';

/** Lambda refuses a function whose environment (names and values) exceeds 4 KB. */
const LAMBDA_ENVIRONMENT_LIMIT = 4096;
/** What a reference (a bucket name, an ARN) is counted as when checking that limit. */
const REFERENCE_SIZE_ESTIMATE = 128;

/** Memory and timeout for one handler. */
export interface FunctionSizing {
  /** Memory in MB; Lambda allots CPU in proportion (1,769 MB = one vCPU, 3,538 MB ≈ two). */
  readonly memorySize: number;
  readonly timeout: Duration;
}

/**
 * Memory and timeout per handler entry, chosen from measurements (2 × AMD EPYC, Node 20,
 * the bundled CLI with the fast reader, `/usr/bin/time`; the machine was shared, so CPU
 * seconds, which contention inflates least, are the figure used):
 *
 * | export set | rows | run: CPU s, peak RSS | validate: CPU s, peak RSS |
 * |---|---:|---:|---:|
 * | 72 MB | 1.4 M | 5.6 s, 220 MiB | 3.2 s, 138 MiB |
 * | 364 MB | 7.0 M | 11.6 s, 252 MiB | 9.0 s, 218 MiB |
 * | 725 MB | 14.0 M | 17.5 s, 286 MiB | 15.9 s, 283 MiB |
 * | 1,456 MB | 28.0 M | 34.9 s, 451 MiB | 32.2 s, 439 MiB |
 *
 * (2026-11-24; the first sizing, before the fast reader's last round of work, measured
 * 59 s and 1,041 MiB for the largest set.) So a run needs about 0.25 GB plus 0.17 GB per
 * GB of exports, and about 25 CPU seconds per GB, everything included (start-up,
 * clients.csv, the KPI model, prior quarters, rendering).
 *
 * - run-report, 3,538 MB / 10 min: about two vCPUs, so the fast reader's worker threads
 *   each get a core (CPU only comes with memory on Lambda): the parallel part takes half the
 *   wall time of 1,769 MB for the same GB-seconds. The memory holds far more than the 1 GiB
 *   above which a quarter's interaction parts go to the distributed run. At 5 GB a run
 *   would read for about 65 s (25 CPU s/GB on two vCPUs), 85 s on slower arm64 cores; 10
 *   minutes leaves over 4× for S3, prior quarters and SES, and three attempts (two
 *   retries) still fit the schedule's one-hour event age with room, where 15-minute
 *   attempts barely did.
 * - validate-upload, 3,538 MB / 5 min: it streams the whole export set like a run (same
 *   CPU seconds and memory above), on every uploaded file, so it gets the same CPU share;
 *   it neither renders nor reads prior quarters, so 5 minutes is over 2× its ceiling time.
 * - reports-api, 1,024 MB / 15 s: a handful of S3 calls, a presign and an asynchronous
 *   invoke (the process holds about 60 MiB once loaded), so memory buys only CPU for the
 *   cold start: its cold import (about 0.25 s on one full core here) would take about 0.9 s
 *   at 512 MB's 0.29 vCPU and 0.45 s at 1,024 MB's 0.58, for a fraction of a cent a
 *   quarter. 15 s stays under API Gateway's 29 s, so a stuck call ends as the function's
 *   500, not the gateway's 504.
 *
 * `ReportFunction` uses these when `memorySize` and `timeout` are not given.
 */
export const FUNCTION_SIZING: Readonly<Record<string, FunctionSizing>> = {
  'functions/run-report/index.ts': { memorySize: 3538, timeout: Duration.minutes(10) },
  'functions/validate-upload/index.ts': { memorySize: 3538, timeout: Duration.minutes(5) },
  'functions/reports-api/index.ts': { memorySize: 1024, timeout: Duration.seconds(15) },
  // One interactions part per call: it must finish inside Lambda's 15 minutes, on 2 vCPUs.
  'functions/map-part/index.ts': { memorySize: 3538, timeout: Duration.minutes(15) },
  // Reads the small datasets and folds the partials, then renders and mails like the run.
  'functions/reduce-parts/index.ts': { memorySize: 3538, timeout: Duration.minutes(10) },
  // One hash range per call: its id table (about 0.7 GB at 2 GiB of text a range) and the
  // CPU to fill it; or the plan, a listing.
  'functions/resolve-repeats/index.ts': { memorySize: 3538, timeout: Duration.minutes(15) },
};

export interface ReportFunctionProps {
  /** The handler's entry file, relative to `projectRoot`, e.g. `functions/run-report/index.ts`. */
  readonly entry: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /**
   * Memory in MB; Lambda allots CPU in proportion (one full vCPU at 1,769 MB).
   * @default - the scope's `FunctionDefaults`, else the entry's `FUNCTION_SIZING`, else 512
   */
  readonly memorySize?: number;
  /**
   * @default - the scope's `FunctionDefaults`, else the entry's `FUNCTION_SIZING`, else Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's log group keeps events. A quarterly job's logs should outlive
   * the next quarter, to compare one run with the last.
   * @default - the scope's `FunctionDefaults`, else logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Asynchronous invocations: retries after a function error.
   * @default 2 (Lambda's default)
   */
  readonly retryAttempts?: number;
  /**
   * Asynchronous invocations: how long an event may wait for a (re)try.
   * @default Duration.hours(6) (Lambda's default)
   */
  readonly maxEventAge?: Duration;
  /**
   * Asynchronous invocations: where an event goes once its retries are spent.
   * @default - dropped
   */
  readonly onFailure?: lambda.IDestination;
  /**
   * The folder holding `functions/`, `templates/`, `node_modules/` and `package-lock.json`.
   * @default REPOSITORY_ROOT
   */
  readonly projectRoot?: string;
  /**
   * Whether to ship `ingest-worker.mjs` (the fast CSV reader's worker thread, built from
   * `src/adapters/workers/ingest-worker.ts`) beside `index.mjs`. Nothing is built while that
   * source does not exist.
   * @default - when the handler's bundle reads export sets (`src/use-cases/measure-quarter.ts`)
   *   or starts the reader's workers (`src/adapters/workers/`)
   */
  readonly ingestWorker?: boolean;
}

/** The folders (relative to the data prefix) a function reads and the keys it writes. */
export interface DataAccess {
  /** Key patterns the function may read (GetObject), e.g. `exports/*`. */
  readonly read: readonly string[];
  /** Key patterns the function may write (PutObject), e.g. `reports/*`. */
  readonly write: readonly string[];
}

/** A kpi-report Lambda function with the project's defaults (see the module comment). */
export class ReportFunction extends NodejsFunction {
  /** The function's own role, scoped to its log group and to what it is granted. */
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: ReportFunctionProps) {
    const projectRoot = props.projectRoot ?? REPOSITORY_ROOT;
    const defaults = (scope.node.tryGetContext(FUNCTION_DEFAULTS_CONTEXT) ?? {}) as FunctionDefaults;
    const sized = defaults.sizing?.[props.entry];
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? defaults.logRetentionDays ?? logs.RetentionDays.ONE_YEAR,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (Lambda execution role)`,
    });
    logGroup.grantWrite(role);
    const environment = {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'kpi-report',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    super(scope, id, {
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? sized?.memorySize ?? FUNCTION_SIZING[props.entry]?.memorySize ?? 512,
      timeout:
        props.timeout ??
        (sized?.timeoutSeconds === undefined ? undefined : Duration.seconds(sized.timeoutSeconds)) ??
        FUNCTION_SIZING[props.entry]?.timeout ??
        Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      environment,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      onFailure: props.onFailure,
      // Bundled by esbuild in-process (see lambda-bundling.ts), not by NodejsFunction's own
      // esbuild call, which writes one file and so cannot split out the lazily loaded code.
      handler: 'index.handler',
      code: functionCode(projectRoot, props),
    });
    this.executionRole = role;
    this.node.addValidation({ validate: () => this.#validateEnvironmentSize() });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the bundle targets (esbuild target node22) and the project tests; moving to Node.js 24 is a deliberate upgrade with its own test run, not a default that changes under a deployed schedule.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so X-Ray requires Resource "*".',
    });
  }

  /**
   * Sets `name` to `value` and, in the same step, applies `grant` to this function's role:
   * the variable and the permission to use what it names never drift apart.
   */
  addEnvironmentWithAccess(name: string, value: string, grant: (grantee: iam.IGrantable) => unknown): this {
    grant(this);
    return this.addEnvironment(name, value);
  }

  /**
   * Points the function at the data root (`DATA_BUCKET`, `DATA_PREFIX`) and grants exactly
   * the access asked for: ListBucket on the bucket (so a missing key answers 404, not 403),
   * GetObject on `access.read` and PutObject on `access.write`, each under the prefix. Every
   * wildcard key pattern is acknowledged for cdk-nag (AwsSolutions-IAM5) with its reason.
   * A bucket with an `encryptionKey` (SSE-KMS) grants the key's Decrypt, and GenerateDataKey
   * when the function writes.
   */
  useDataRoot(bucket: s3.IBucket, prefix: string, access: DataAccess): this {
    const root = prefix === '' ? '' : `${prefix}/`;
    this.addEnvironment('DATA_PREFIX', prefix);
    return this.addEnvironmentWithAccess('DATA_BUCKET', bucket.bucketName, () => {
      this.executionRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
      const actionsByPattern = new Map<string, string[]>();
      for (const [action, patterns] of [
        ['s3:GetObject', access.read],
        ['s3:PutObject', access.write],
      ] as const) {
        if (patterns.length === 0) continue;
        const resources = patterns.map((pattern) => bucket.arnForObjects(root + pattern));
        this.executionRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources }));
        for (const pattern of patterns)
          actionsByPattern.set(pattern, [...(actionsByPattern.get(pattern) ?? []), action]);
      }
      // An SSE-KMS bucket: reading needs the key's Decrypt, writing its GenerateDataKey too.
      const key = bucket.encryptionKey;
      if (key !== undefined && actionsByPattern.size > 0) {
        this.executionRole.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: access.write.length > 0 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
            resources: [key.keyArn],
          }),
        );
      }
      for (const [pattern, actions] of actionsByPattern) {
        Validations.of(this.executionRole).acknowledge({
          id: wildcardResourceFinding(this, bucket.arnForObjects(root + pattern)),
          reason: `${actions.join(' and ')} on ${root}${pattern}: kpi-report's objects are named per quarter (exports/<quarter>/…, reports/<quarter>/…), unknown at deploy time; the wildcard stays inside that folder.`,
        });
      }
    });
  }

  /** Lambda's 4 KB environment limit, checked at synth time instead of at deployment. */
  #validateEnvironmentSize(): string[] {
    const cfn = this.node.defaultChild as lambda.CfnFunction;
    const rendered = Stack.of(this).resolve(cfn.environment) as
      | { variables?: Record<string, unknown> }
      | undefined;
    let size = 0;
    for (const [name, value] of Object.entries(rendered?.variables ?? {})) {
      size += name.length + (typeof value === 'string' ? value.length : estimateSize(value));
    }
    return size > LAMBDA_ENVIRONMENT_LIMIT
      ? [
          `the function's environment is about ${size} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT}-byte limit; shorten the kpi-report configuration (fewer recipients or segments)`,
        ]
      : [];
  }
}

/**
 * The function's code: bundled at build time when the package ships it (and no other
 * project root is asked for), else bundled from source by esbuild at synth time.
 */
function functionCode(projectRoot: string, props: ReportFunctionProps): lambda.Code {
  const prebuilt = path.join(PREBUILT_FUNCTIONS, prebuiltFunctionName(props.entry));
  if (props.projectRoot === undefined && existsSync(path.join(prebuilt, 'index.mjs'))) {
    return lambda.Code.fromAsset(prebuilt);
  }
  return lambda.Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      local: new LocalLambdaBundling({ projectRoot, entry: props.entry, ingestWorker: props.ingestWorker }),
      // Only used if local bundling declined, which it never does: there is no Docker build.
      image: lambda.Runtime.NODEJS_22_X.bundlingImage,
      command: ['bash', '-c', 'echo "kpi-report bundles with the local esbuild (npm ci)" >&2; exit 1'],
    },
  });
}

/** `functions/run-report/index.ts` → `run-report`: the folder of its prebuilt bundle. */
export function prebuiltFunctionName(entry: string): string {
  return path.basename(path.dirname(entry));
}

/** A value built from intrinsics: its literal parts plus an estimate for each reference. */
function estimateSize(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + estimateSize(item), 0);
  if (value !== null && typeof value === 'object') {
    if ('Ref' in value || 'Fn::GetAtt' in value) return REFERENCE_SIZE_ESTIMATE;
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join !== undefined) return estimateSize(join[1]);
  }
  return REFERENCE_SIZE_ESTIMATE;
}

/**
 * CDK's local bundling step: `bundleLambda` into the asset's staging folder. Its fields are
 * part of CDK's asset cache key, so two functions never share one bundle.
 */
class LocalLambdaBundling implements ILocalBundling {
  constructor(readonly request: Omit<LambdaBundleRequest, 'outdir'>) {}

  tryBundle(outputDir: string): boolean {
    bundleLambda({ ...this.request, outdir: outputDir });
    return true;
  }
}
