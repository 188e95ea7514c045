/**
 * The deployed functions as built: synthesises the CDK app (the Lambda bundles made by
 * esbuild, exactly as `cdk synth` makes them) into a temporary cloud assembly, and runs a
 * function's asset there on the Node.js of its Lambda runtime, in a process of its own, with
 * the environment its template gives it, as the Lambda runtime would:
 *
 * - the code folder is read-only, and outside the repository, so no `node_modules` is
 *   reachable: only what the bundle carries (its chunks, `templates/`, `assets/`, the
 *   reader's worker) can be loaded;
 * - as root, the process runs as `nobody`, like Lambda's unprivileged user;
 * - the handler gets the event and a context (request id, time left).
 *
 * References in the template (the bucket, the topic, the run function…) become the names the
 * test gives; the AWS endpoints point at the test's local servers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { defineKpiReportApp } from '../../infra/kpi-report-app';
import { lambdaNodeBinary } from './lambda-node';

export type FunctionName =
  | 'run'
  | 'api'
  | 'validate'
  | 'mapPart'
  | 'resolveRepeats'
  | 'reduce'
  | 'deliveryEvents';

/** A reference of the template the environment may hold, given a value by each test. */
export type Reference = 'dataBucket' | 'configurationSet' | 'opsTopic' | 'runFunction' | 'stateMachine';

export interface BuiltFunction {
  readonly name: FunctionName;
  readonly logicalId: string;
  /** The asset folder: the code as Lambda gets it (read-only). */
  readonly codeDir: string;
  readonly runtime: string;
  readonly handler: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** The template's variables, references still in CloudFormation form. */
  readonly variables: Readonly<Record<string, unknown>>;
}

export interface BuiltApp {
  readonly directory: string;
  readonly functions: Readonly<Record<FunctionName, BuiltFunction>>;
  /** Logical id of each reference, to resolve `Ref`s with. */
  readonly references: ReadonlyMap<string, Reference>;
  remove(): void;
}

/** Synthesises the app with the given deployment settings (context) into a temporary folder. */
export function synthesizeApp(context: Record<string, string>): BuiltApp {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'kpi-report-built-'));
  const app = new App({ outdir: directory, context });
  const stack = defineKpiReportApp(app);
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const { reports } = stack;
  const idOf = (construct: IConstruct) => logicalIdOf(stack, construct);
  const constructs: Record<FunctionName, IConstruct> = {
    run: reports.runFunction,
    api: reports.apiFunction,
    validate: reports.validateFunction,
    mapPart: reports.distributedReads.mapPartFunction,
    resolveRepeats: reports.distributedReads.resolveRepeatsFunction,
    reduce: reports.distributedReads.reduceFunction,
    deliveryEvents: reports.deliveryEventsFunction,
  };
  const functions = Object.fromEntries(
    Object.entries(constructs).map(([name, construct]) => {
      const logicalId = idOf(construct);
      const properties = template.Resources[logicalId]?.Properties ?? {};
      const code = properties.Code as { S3Key: string };
      const codeDir = path.join(directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      makeReadOnly(codeDir);
      const built: BuiltFunction = {
        name: name as FunctionName,
        logicalId,
        codeDir,
        runtime: String(properties.Runtime),
        handler: String(properties.Handler),
        timeoutMs: Number(properties.Timeout) * 1000,
        memoryMb: Number(properties.MemorySize),
        variables: (properties.Environment as { Variables: Record<string, unknown> }).Variables,
      };
      return [name, built];
    }),
  ) as Record<FunctionName, BuiltFunction>;
  const references = new Map<string, Reference>([
    [idOf(reports.dataBucket), 'dataBucket'],
    [idOf(reports.configurationSet), 'configurationSet'],
    [idOf(reports.opsTopic), 'opsTopic'],
    [idOf(reports.runFunction), 'runFunction'],
    [idOf(reports.distributedReads.stateMachine), 'stateMachine'],
  ]);
  // Readable (and the harness with it) by the unprivileged user the functions run as.
  chmodSync(directory, 0o755);
  copyFileSync(new URL('./lambda-harness.mjs', import.meta.url), path.join(directory, 'lambda-harness.mjs'));
  chmodSync(path.join(directory, 'lambda-harness.mjs'), 0o444);
  return {
    directory,
    functions,
    references,
    remove: () => {
      makeWritable(directory);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function logicalIdOf(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function makeReadOnly(folder: string): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) makeReadOnly(full);
    else chmodSync(full, 0o444);
  }
  chmodSync(folder, 0o555);
}

function makeWritable(folder: string): void {
  chmodSync(folder, 0o755);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) makeWritable(path.join(folder, entry.name));
  }
}

/** A CloudFormation value of the environment, with each `Ref` given its test value. */
function resolveValue(value: unknown, refs: (logicalId: string) => string): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return refs(object.Ref);
  const join = object['Fn::Join'] as [string, unknown[]] | undefined;
  if (join !== undefined) return join[1].map((part) => resolveValue(part, refs)).join(join[0]);
  throw new Error(
    `the built-bundle test cannot resolve ${JSON.stringify(value)} in a function's environment`,
  );
}

export interface Invocation {
  readonly app: BuiltApp;
  readonly fn: BuiltFunction;
  readonly event: unknown;
  /** Lambda's request id: retries of one asynchronous invocation keep it. */
  readonly requestId: string;
  /** A value for each reference of the template (the bucket's name…). */
  readonly references: Readonly<Record<Reference, string>>;
  /** AWS endpoints and the like, over the Lambda runtime's own variables. */
  readonly extraEnvironment: Readonly<Record<string, string>>;
}

/** What ran the invocation: the Node.js version and the user id. */
interface Runner {
  readonly node?: string;
  readonly uid?: number;
  readonly logs: string;
}

export type Answer =
  | ({ readonly ok: true; readonly result: unknown } & Runner)
  | ({
      readonly ok: false;
      readonly errorType: string;
      readonly errorMessage: string;
      readonly stack?: string;
    } & Runner);

export interface RunningInvocation {
  readonly process: ChildProcess;
  readonly answer: Promise<Answer>;
}

/** Starts one invocation of a built function in a process of its own (see the module comment). */
export function startInvocation(invocation: Invocation): RunningInvocation {
  const { app, fn } = invocation;
  const node = lambdaNodeBinary(fn.runtime);
  const work = mkdtempSync(path.join(os.tmpdir(), 'kpi-report-invocation-'));
  chmodSync(work, 0o777);
  const request = path.join(work, 'invocation.json');
  const answerFile = path.join(work, 'answer.json');
  writeFileSync(
    request,
    JSON.stringify({
      event: invocation.event,
      awsRequestId: invocation.requestId,
      functionName: fn.logicalId,
      timeoutMs: fn.timeoutMs,
      memoryMb: fn.memoryMb,
    }),
  );
  chmodSync(request, 0o444);
  const refs = (logicalId: string) => {
    const reference = app.references.get(logicalId);
    if (reference === undefined)
      throw new Error(`${fn.name}'s environment refers to ${logicalId}, unknown to the test`);
    return invocation.references[reference];
  };
  const environment: Record<string, string> = {
    // What the Lambda runtime sets (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    LAMBDA_TASK_ROOT: fn.codeDir,
    _HANDLER: fn.handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin/:/bin',
    ...invocation.extraEnvironment,
    ...Object.fromEntries(
      Object.entries(fn.variables).map(([name, value]) => [name, resolveValue(value, refs)]),
    ),
  };
  const unprivileged = runsUnprivileged(node);
  const child = spawn(node, [path.join(app.directory, 'lambda-harness.mjs'), request, answerFile], {
    cwd: fn.codeDir,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(unprivileged && { uid: 65534, gid: 65534 }),
  });
  let logs = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    logs += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    logs += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), fn.timeoutMs);
  const answer = new Promise<Answer>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      try {
        const written = JSON.parse(readFileSync(answerFile, 'utf8')) as Omit<Answer, 'logs'>;
        resolve({ ...written, logs } as Answer);
      } catch {
        resolve({
          ok: false,
          errorType: 'Runtime.ExitError',
          errorMessage: `the process ended (${signal ?? `exit code ${code}`}) without answering`,
          logs,
        });
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  });
  return { process: child, answer };
}

/** Invokes a built function and waits for its answer. */
export function invoke(invocation: Invocation): Promise<Answer> {
  return startInvocation(invocation).answer;
}

/** Whether invocations run as `nobody`: when the tests run as root and `node` is open to others. */
export function runsUnprivileged(node: string): boolean {
  return process.getuid?.() === 0 && everyoneMayRun(node);
}

/** Whether another user can run `file`: it and every folder above it allow others in. */
function everyoneMayRun(file: string): boolean {
  let current = file;
  if ((statSync(current).mode & 0o005) !== 0o005) return false;
  for (current = path.dirname(current); ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (path.dirname(current) === current) return true;
  }
}
