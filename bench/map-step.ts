/**
 * The distributed run's steps on one large interactions part, run as Lambda runs them, for
 * their peak memory and time: `npx tsx bench/map-step.ts [options]` (not part of `npm test`
 * or `npm run bench`: it moves gigabytes).
 *
 * It generates a part of about `--mib` MiB (default 2048) with a clients.csv, once, in
 * `bench/.cache/map-step-<mib>MiB/` (or takes `--part <file.csv[.gz]>` and `--clients
 * <clients.csv>`), uploads both to an s3rver started here, bundles the resolve-repeats and
 * map-part functions exactly as the CDK app deploys them (`bundleLambda`), and invokes them
 * in processes of their own through the Lambda harness, on the Lambda runtime's Node.js (22,
 * fetched once as the built-bundle tests do), against the s3rver, as the state machine would: the plan, the map step on the part, then every hash range. Each process's
 * peak RSS (`report-peak-rss.mjs`) and wall time are printed. The target: a 2 GiB part
 * within 1.5 GiB of peak RSS in the map step.
 *
 * The machine's other load shows in the times (s3rver serves from this process, too), not
 * in the peak RSS.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { bundleLambda } from '../infra/lambda-bundling';
import { createS3Client } from '../src/adapters/s3/s3-export-store';
import { Prng } from '../src/demo/prng';
import { lambdaNodeBinary } from '../test/support/lambda-node';
import { measureNodeProcessAsync } from './measure-process';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const HARNESS = path.join(PROJECT_ROOT, 'test/support/lambda-harness.mjs');
const QUARTER = '2026-Q3';
const BUCKET = 'kpi-data';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const MIB = 2 ** 20;

const USAGE = `Usage: npx tsx bench/map-step.ts [options]

  --mib N            size of the generated part in MiB (default 2048)
  --clients-count N  clients in the generated clients.csv (default 200000)
  --part FILE        measure this part (.csv or .csv.gz) instead of a generated one
  --clients FILE     the clients.csv that goes with --part
  -h, --help         show this help
`;

interface Options {
  readonly mib: number;
  readonly clientsCount: number;
  readonly part: string | undefined;
  readonly clients: string | undefined;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      mib: { type: 'string', default: '2048' },
      'clients-count': { type: 'string', default: '200000' },
      part: { type: 'string' },
      clients: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const mib = Number(values.mib);
  const clientsCount = Number(values['clients-count']);
  const problems = [
    ...(Number.isInteger(mib) && mib >= 1 ? [] : [`--mib must be a whole number of MiB, not ${values.mib}`]),
    ...(Number.isInteger(clientsCount) && clientsCount >= 1
      ? []
      : [`--clients-count must be a whole number, not ${values['clients-count']}`]),
    ...((values.part === undefined) === (values.clients === undefined)
      ? []
      : ['--part and --clients go together: a part needs the clients.csv its client ids are in']),
  ];
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n\n${USAGE}`);
  return { mib, clientsCount, part: values.part, clients: values.clients };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * A clients.csv and one interactions part of about `mib` MiB, written once (deterministic,
 * seed 17). Rows as exporters write them: mostly in the quarter, both channels; about 1 in
 * 200 repeats an earlier id of the part, 1 in 50 lies outside the quarter, 1 in 2,000 is
 * rejected on its own (an unknown client).
 */
function generatedSet(mib: number, clientsCount: number): { clients: string; part: string } {
  const folder = path.join(PROJECT_ROOT, 'bench/.cache', `map-step-${mib}MiB`);
  const clients = path.join(folder, 'clients.csv');
  const part = path.join(folder, 'part-0001.csv');
  const marker = path.join(folder, 'complete.json');
  if (existsSync(marker)) return { clients, part };
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  log(`Generating a ${mib} MiB interactions part and ${clientsCount} clients once, in ${folder} …`);
  const started = performance.now();
  const clientId = (n: number) => `C${String(n).padStart(7, '0')}`;
  const clientLines = ['client_id,customer_since,region'];
  for (let n = 0; n < clientsCount; n++) clientLines.push(`${clientId(n)},2024-0${1 + (n % 9)}-15,R${n % 7}`);
  writeFileSync(clients, `${clientLines.join('\n')}\n`);

  const random = new Prng(17);
  const target = mib * MIB;
  const channels = ['self_service', 'assisted'];
  let written = 0;
  let rows = 0;
  // Synchronous writes: the generator is all that runs, and it keeps memory flat.
  const fd = openSync(part, 'w');
  writeSync(fd, 'interaction_id,client_id,occurred_at,channel\n');
  while (written < target) {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++, rows++) {
      const id = rows > 0 && random.chance(0.005) ? random.int(rows) : rows;
      const client = random.chance(0.0005) ? 'X404' : clientId(random.int(clientsCount));
      const month = random.chance(0.02) ? '10' : `0${7 + random.int(3)}`;
      const day = String(1 + random.int(28)).padStart(2, '0');
      const hour = String(random.int(24)).padStart(2, '0');
      const minute = String(random.int(60)).padStart(2, '0');
      const channel = channels[random.int(2)];
      lines.push(
        `I${String(id).padStart(11, '0')},${client},2026-${month}-${day}T${hour}:${minute}:00Z,${channel}`,
      );
    }
    const text = `${lines.join('\n')}\n`;
    writeSync(fd, text);
    written += Buffer.byteLength(text);
  }
  closeSync(fd);
  writeFileSync(marker, JSON.stringify({ rows, bytes: statSync(part).size }));
  log(`  ${rows.toLocaleString('en-US')} rows in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { clients, part };
}

interface Step {
  readonly label: string;
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly result: unknown;
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  const input = options.part
    ? { clients: options.clients as string, part: options.part }
    : generatedSet(options.mib, options.clientsCount);
  const partBytes = statSync(input.part).size;
  const partName = `part-0001${input.part.endsWith('.gz') ? '.csv.gz' : '.csv'}`;

  const work = mkdtempSync(path.join(tmpdir(), 'kpi-map-step-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: await mkdtemp(path.join(work, 's3rver-')),
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = createS3Client({ region: 'eu-west-1', endpoint, credentials: CREDENTIALS });
  try {
    log(`Uploading clients.csv and ${partName} (${(partBytes / MIB).toFixed(0)} MiB) to s3rver …`);
    const upload = (key: string, file: string) =>
      s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: createReadStream(file),
          ContentLength: statSync(file).size,
        }),
      );
    await upload(`exports/${QUARTER}/clients.csv`, input.clients);
    await upload(`exports/${QUARTER}/interactions/${partName}`, input.part);

    const node = lambdaNodeBinary('nodejs22.x');
    log('Bundling resolve-repeats and map-part as deployed …');
    const bundles = Object.fromEntries(
      ['resolve-repeats', 'map-part'].map((name) => {
        const outdir = path.join(work, name);
        bundleLambda({ projectRoot: PROJECT_ROOT, entry: `functions/${name}/index.ts`, outdir });
        return [name, outdir];
      }),
    );
    /** One invocation in a process of its own, as Lambda runs it (the harness: the task root, the handler, a context). */
    const invoke = async (label: string, name: string, event: unknown): Promise<Step> => {
      const invocation = path.join(work, `${randomUUID()}.json`);
      const answer = `${invocation}.answer.json`;
      writeFileSync(
        invocation,
        JSON.stringify({
          event,
          awsRequestId: randomUUID(),
          functionName: name,
          timeoutMs: 900_000,
          memoryMb: 3538,
        }),
      );
      log(`${label} …`);
      const sample = await measureNodeProcessAsync(
        label,
        ['--enable-source-maps', HARNESS, invocation, answer],
        work,
        {
          LAMBDA_TASK_ROOT: bundles[name] as string,
          _HANDLER: 'index.handler',
          DATA_BUCKET: BUCKET,
          DATA_PREFIX: '',
          KPI_REPORT_CONFIG: JSON.stringify({ rejectLimitPercent: 100 }),
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
          AWS_ENDPOINT_URL_S3: endpoint,
          POWERTOOLS_LOG_LEVEL: 'WARN',
        },
        node,
      );
      const answered = JSON.parse(readFileSync(answer, 'utf8')) as { result?: unknown };
      return { label, seconds: sample.seconds, peakRssBytes: sample.peakRssBytes, result: answered.result };
    };
    const runId = `bench-${Date.now()}`;
    const steps: Step[] = [];
    const plan = await invoke('plan', 'resolve-repeats', { step: 'plan', quarter: QUARTER, runId });
    steps.push(plan);
    const ranges = (plan.result as { ranges: number }).ranges;
    const partKey = `exports/${QUARTER}/interactions/${partName}`;
    steps.push(await invoke('map step', 'map-part', { quarter: QUARTER, runId, key: partKey }));
    for (let range = 0; range < ranges; range++) {
      const event = { step: 'range', quarter: QUARTER, runId, range };
      steps.push(await invoke(`range ${range + 1}/${ranges}`, 'resolve-repeats', event));
    }
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    process.stdout.write(`\nPart: ${partName}, ${(partBytes / MIB).toFixed(0)} MiB; Node.js ${version}\n\n`);
    process.stdout.write('| step | wall | peak RSS | answer |\n|---|---:|---:|---|\n');
    for (const step of steps) {
      process.stdout.write(
        `| ${step.label} | ${step.seconds.toFixed(1)} s | ${(step.peakRssBytes / MIB).toFixed(0)} MiB | ${JSON.stringify(step.result)} |\n`,
      );
    }
    return 0;
  } finally {
    s3.destroy();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
