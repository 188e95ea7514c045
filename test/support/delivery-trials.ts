/**
 * Real-process trials of the delivery ledger: the bundled CLI (`cli.mjs`) run as separate
 * Node processes with `run --send`, 40 recipients, against the SES emulator and either a
 * local data root or S3 through the conditional-write front (`s3-front.ts`). Two runs
 * started together, or one run killed with SIGKILL at a random moment of its sending and
 * then run again until it succeeds; the emulator's store says who got how many messages.
 * Used by `test/trials/delivery-trials.test.ts` (a few trials) and
 * `scripts/delivery-trials.ts` (the full 12 and 27).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { createS3Client, S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import type { ExportStore } from '../../src/core/ports';
import { cloneFixture, createDataRoot, removeDataRoots } from './export-fixtures';
import { type RunningS3Front, startS3Front } from './s3-front';
import { S3RVER_CREDENTIALS } from './s3rver';
import { type RunningSesLocal, startSesLocal } from './ses-local';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = path.join(REPOSITORY, 'test/fixtures/example/2026-Q3');
export const TRIAL_QUARTER = '2026-Q3';
const BUCKET = 'trials';

/**
 * 40 recipients, two of which differ only in a character a file name cannot hold
 * (`o'neil` and `o_neil`): each must get exactly one message.
 */
export const TRIAL_RECIPIENTS: readonly string[] = [
  "o'neil@example.com",
  'o_neil@example.com',
  ...Array.from({ length: 38 }, (_, index) => `exec-${String(index + 1).padStart(2, '0')}@example.com`),
];

/** Where a trial keeps its data: a local directory, or S3 with or without conditional writes. */
export type TrialStore = 'local' | 's3' | 's3-without-conditions';

/**
 * Bundles the CLI as `npm run build` does, into a folder of its own beside dist/ (so the
 * bundle finds `templates/` and node_modules as dist/cli.mjs does, and dist/ is left
 * alone); `removeTrialCli` deletes it.
 */
export function buildTrialCli(): string {
  const outdir = path.join(REPOSITORY, `.delivery-trials-${process.pid}`);
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
    cwd: REPOSITORY,
    env: { ...process.env, KPI_BUILD_OUTDIR: outdir },
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`building the CLI failed:\n${build.stderr}`);
  return path.join(outdir, 'cli.mjs');
}

export async function removeTrialCli(cli: string): Promise<void> {
  await rm(path.dirname(cli), { recursive: true, force: true });
}

/** The servers and files every trial shares. */
export interface TrialBed {
  readonly cli: string;
  readonly ses: RunningSesLocal;
  readonly front: RunningS3Front;
  readonly configPath: string;
  /** Called for every SES send the emulator receives (before it stores the message). */
  onSend: () => void;
  stop(): Promise<void>;
}

export async function startTrialBed(cli: string): Promise<TrialBed> {
  const bed: Partial<TrialBed> & { onSend: () => void } = { onSend: () => {} };
  const ses = await startSesLocal({
    injectFault: () => {
      bed.onSend();
      return undefined;
    },
  });
  const front = await startS3Front([BUCKET]);
  const configPath = path.join(await createDataRoot(), 'kpi-report.json');
  await writeFile(
    configPath,
    JSON.stringify({
      companyName: 'Trial & Co',
      rejectLimitPercent: 50,
      email: {
        from: 'KPI report <kpi@example.com>',
        recipients: TRIAL_RECIPIENTS.map((address) => ({ address })),
      },
    }),
  );
  return Object.assign(bed, {
    cli,
    ses,
    front,
    configPath,
    async stop() {
      await ses.close();
      await front.stop();
      await removeDataRoots();
    },
  });
}

let prefixCounter = 0;

/** A fresh data root holding the example's 2026-Q3 exports: a directory, or `s3://trials/<prefix>`. */
async function freshDataRoot(bed: TrialBed, store: TrialStore): Promise<string> {
  if (store === 'local') return cloneFixture('example');
  prefixCounter += 1;
  const prefix = `trial-${process.pid}-${prefixCounter}`;
  const client: S3Client = createS3Client({
    region: 'eu-west-1',
    endpoint: bed.front.endpoint,
    credentials: S3RVER_CREDENTIALS,
  });
  try {
    for (const name of await readdir(FIXTURE)) {
      const body = await readFile(path.join(FIXTURE, name));
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `${prefix}/exports/${TRIAL_QUARTER}/${name}`,
          Body: body,
        }),
      );
    }
  } finally {
    client.destroy();
  }
  return `s3://${BUCKET}/${prefix}`;
}

/** Opens a trial's data root from the test process (S3 through the front, with s3rver's credentials). */
function openTrialStore(bed: TrialBed, data: string): { store: ExportStore; close: () => void } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(data);
  if (match === null) return { store: new LocalExportStore(data), close: () => {} };
  const client = createS3Client({
    region: 'eu-west-1',
    endpoint: bed.front.endpoint,
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    store: new S3ExportStore({ client, bucket: match[1] as string, prefix: match[2] as string }),
    close: () => client.destroy(),
  };
}

/** A claim that replaced one whose run had stopped: when, and when the stopped run had claimed. */
export interface Takeover {
  readonly claimedAt: string;
  readonly since: string;
  /** The stopped claim's state: `sending` means its run may have reached SES. */
  readonly state: string;
}

/** The takeovers the ledger's claims record (each claim keeps the one it replaced). */
async function takeoversIn(bed: TrialBed, data: string): Promise<Takeover[]> {
  const { store, close } = openTrialStore(bed, data);
  try {
    const takeovers: Takeover[] = [];
    for await (const object of store.list(`reports/${TRIAL_QUARTER}/deliveries/`)) {
      if (!object.key.endsWith('.claim.json')) continue;
      const claim = JSON.parse((await store.readText(object.key)) ?? '{}') as {
        claimedAt?: string;
        tookOverFrom?: { since: string; state: string };
      };
      if (claim.tookOverFrom !== undefined && claim.claimedAt !== undefined) {
        takeovers.push({ claimedAt: claim.claimedAt, ...claim.tookOverFrom });
      }
    }
    return takeovers;
  } finally {
    close();
  }
}

/** How one CLI process ended. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly milliseconds: number;
}

function startCli(bed: TrialBed, data: string): { child: ChildProcess; done: Promise<CliRun> } {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [bed.cli, 'run', '--send', '--data', data, '--quarter', TRIAL_QUARTER, '--config', bed.configPath],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_S3: bed.front.endpoint,
        AWS_ENDPOINT_URL_SES: bed.ses.endpoint,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout: stdout.join(''),
        stderr: stderr.join(''),
        milliseconds: Date.now() - started,
      }),
    );
  });
  return { child, done };
}

/** Messages the emulator received per recipient address, every trial recipient listed. */
async function messagesPerRecipient(bed: TrialBed): Promise<Map<string, number>> {
  const counts = new Map(TRIAL_RECIPIENTS.map((address) => [address, 0]));
  for (const mail of await bed.ses.messages()) {
    for (const to of mail.destination.to) {
      const address = (/<([^>]+)>/.exec(to)?.[1] ?? to).trim();
      counts.set(address, (counts.get(address) ?? 0) + 1);
    }
  }
  return counts;
}

/** Who got the report twice or more (copies beyond the first counted) and who never got it. */
export interface DeliveryCount {
  /** Messages beyond each recipient's first. */
  readonly duplicates: number;
  /** Recipients without any message. */
  readonly misses: number;
  readonly duplicated: readonly string[];
  readonly missed: readonly string[];
}

function countDeliveries(counts: Map<string, number>): DeliveryCount {
  const duplicated = [...counts].filter(([, count]) => count > 1).map(([address]) => address);
  const missed = [...counts].filter(([, count]) => count === 0).map(([address]) => address);
  const duplicates = [...counts.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
  return { duplicates, misses: missed.length, duplicated, missed };
}

export interface ConcurrentTrial extends DeliveryCount {
  readonly runs: readonly CliRun[];
}

/** Two `run --send` processes started together on one fresh data root. */
export async function concurrentTrial(bed: TrialBed, store: TrialStore): Promise<ConcurrentTrial> {
  await bed.ses.clear();
  const data = await freshDataRoot(bed, store);
  bed.front.honourConditions = store !== 's3-without-conditions';
  try {
    const runs = await Promise.all([startCli(bed, data).done, startCli(bed, data).done]);
    return { ...countDeliveries(await messagesPerRecipient(bed)), runs };
  } finally {
    bed.front.honourConditions = true;
  }
}

export interface KillTrial extends DeliveryCount {
  /** Whether SIGKILL reached the first run before it finished. */
  readonly killed: boolean;
  /** After how many sends reached SES, and how long after the last of them, the kill was sent. */
  readonly killAfterSends: number;
  readonly killDelayMs: number;
  /** The runs after the kill, until one exited 0 (or `maxReruns` ran). */
  readonly reruns: readonly CliRun[];
  /** Recipients some rerun reported as `uncertain` (a takeover of a send that may have reached SES). */
  readonly reportedUncertain: readonly string[];
  /** Duplicated recipients that no rerun reported as uncertain. */
  readonly unexplainedDuplicates: readonly string[];
  /** Claims of the killed run that a rerun took over (a released claim is no takeover). */
  readonly takeovers: readonly Takeover[];
}

/** Recipients a run's output reports as uncertain: `  <address>: sent (uncertain…`. */
export function uncertainRecipients(run: CliRun): string[] {
  const found = new Set<string>();
  for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) {
    const match = /^\s+(\S+@\S+): .*uncertain/.exec(line);
    if (match?.[1] !== undefined) found.add(match[1]);
  }
  return [...found];
}

/**
 * One run killed with SIGKILL `killDelayMs` after its `killAfterSends`-th send reached the
 * emulator (so the kill lands before, during or after SES accepting, and before or after
 * the ledger's record), then reruns until one exits 0.
 */
export async function killTrial(
  bed: TrialBed,
  store: TrialStore,
  options: { killAfterSends: number; killDelayMs: number; maxReruns?: number },
): Promise<KillTrial> {
  await bed.ses.clear();
  const data = await freshDataRoot(bed, store);
  const first = startCli(bed, data);
  let sends = 0;
  bed.onSend = () => {
    sends += 1;
    if (sends === options.killAfterSends) {
      setTimeout(() => first.child.kill('SIGKILL'), options.killDelayMs);
    }
  };
  const firstRun = await first.done;
  bed.onSend = () => {};
  const reruns: CliRun[] = [];
  for (let attempt = 0; attempt < (options.maxReruns ?? 4); attempt += 1) {
    const rerun = await startCli(bed, data).done;
    reruns.push(rerun);
    if (rerun.code === 0) break;
  }
  const counted = countDeliveries(await messagesPerRecipient(bed));
  const reportedUncertain = [...new Set(reruns.flatMap(uncertainRecipients))];
  return {
    ...counted,
    killed: firstRun.signal === 'SIGKILL',
    killAfterSends: options.killAfterSends,
    killDelayMs: options.killDelayMs,
    reruns,
    reportedUncertain,
    unexplainedDuplicates: counted.duplicated.filter((address) => !reportedUncertain.includes(address)),
    takeovers: await takeoversIn(bed, data),
  };
}
