/**
 * The email side of the command line: `run` renders and delivers, `preview` re-renders a
 * computed quarter, `--send` goes through SES (a local emulator here, through the real SDK).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { type Captured, captureOutput } from '../support/capture-output';
import { testClock } from '../support/cli-clock';
import { cloneFixture, createDataRoot, removeDataRoots, writeConfigFile } from '../support/export-fixtures';
import { type RunningSesLocal, startSesLocalRejecting } from '../support/ses-local';

const REJECTED = 'bounce@example.com';
const EMAIL = {
  recipients: [{ address: 'ceo@example.com' }, { address: REJECTED }, { address: 'cfo@example.com' }],
};

let ses: RunningSesLocal;
let output: Captured;

beforeAll(async () => {
  ses = await startSesLocalRejecting(REJECTED);
});
afterAll(async () => {
  await ses.close();
});
beforeEach(async () => {
  await ses.clear();
  output = captureOutput();
});
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await removeDataRoots();
});

function sesEnv(): Record<string, string> {
  // The SDK's default credential chain reads these; any value works with the emulator.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  return { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_SES: ses.endpoint };
}

const runArgs = (data: string, config: string, ...extra: string[]) => [
  'run',
  '--data',
  data,
  '--quarter',
  '2026-Q3',
  '--config',
  config,
  '--quiet',
  ...extra,
];

describe('kpi-report run and the email', () => {
  it('writes report.html and one .eml per recipient to the report folder by default, and names them', async () => {
    const data = await cloneFixture('example');
    const config = await writeConfigFile({
      rejectLimitPercent: 50,
      email: { recipients: [{ address: 'ceo@example.com' }] },
    });

    const code = await main(runArgs(data, config), {}, testClock);

    expect(code).toBe(0);
    expect(output.stdout()).toContain(`Open the report: ${data}/reports/2026-Q3/report.html`);
    expect(output.stdout()).toContain(
      `ceo@example.com: written to the outbox: ${data}/reports/2026-Q3/report-ceo@example.com.eml`,
    );
    expect(existsSync(path.join(data, 'reports/2026-Q3/report-ceo@example.com.eml'))).toBe(true);
    expect(await ses.messages()).toEqual([]);
  });

  it('sends through SES with --send, exits 4 listing who did not get it, and a rerun retries only them', async () => {
    const data = await cloneFixture('example');
    const config = await writeConfigFile({ rejectLimitPercent: 50, email: EMAIL });
    const env = sesEnv();

    const first = await main(runArgs(data, config, '--send'), env, testClock);
    const firstStderr = output.stderr();
    const second = await main(runArgs(data, config, '--send'), env, testClock);

    expect(first).toBe(4);
    expect(firstStderr).toContain('1 of 3 recipients did not get the report:');
    expect(firstStderr).toMatch(new RegExp(`${REJECTED}: .*MessageRejected`));
    expect(second).toBe(4);
    expect((await ses.messages()).flatMap((mail) => mail.destination.to).sort()).toEqual([
      'ceo@example.com',
      'cfo@example.com',
    ]);
    expect(output.stdout()).toContain('ceo@example.com: already sent earlier, skipped');
    expect(output.stdout()).toMatch(/cfo@example\.com: sent through SES \(message [^)]+\)/);
  });

  it('refuses --send without recipients, before computing anything', async () => {
    const data = await cloneFixture('example');
    const config = await writeConfigFile({ rejectLimitPercent: 50 });

    const code = await main(runArgs(data, config, '--send'), sesEnv(), testClock);

    expect(code).toBe(2);
    expect(output.stderr()).toContain('sending needs recipients: add them to email.recipients');
  });

  it('refuses --resend without --send', async () => {
    const data = await cloneFixture('example');

    const code = await main(['run', '--data', data, '--resend'], {}, testClock);

    expect(code).toBe(2);
    expect(output.stderr()).toContain('--resend only makes sense with --send');
  });

  it('stops at start-up on a broken custom template, naming the file and line, and publishes nothing', async () => {
    const data = await cloneFixture('example');
    const templates = path.join(await createDataRoot(), 'my-templates');
    await mkdir(templates);
    await writeFile(path.join(templates, 'subject.hbs'), 'Report\n{{#if quarter}}\n');
    const config = await writeConfigFile({ rejectLimitPercent: 50, email: { templateDir: templates } });

    const code = await main(runArgs(data, config), {}, testClock);

    expect(code).toBe(2);
    expect(output.stderr()).toContain(`template ${path.join(templates, 'subject.hbs')}, line 3`);
    expect(existsSync(path.join(data, 'reports/2026-Q3/kpis.json'))).toBe(false);
  });
});

describe('kpi-report preview', () => {
  it('renders a computed quarter again and prints the path of report.html', async () => {
    const data = await cloneFixture('example');
    const config = await writeConfigFile({ rejectLimitPercent: 50 });
    expect(await main(runArgs(data, config), {}, testClock)).toBe(0);

    const code = await main(
      ['preview', '--data', data, '--quarter', '2026-Q3', '--config', config, '--quiet'],
      {},
      testClock,
    );

    expect(code).toBe(0);
    expect(output.stdout()).toContain(`Open the report: ${data}/reports/2026-Q3/report.html`);
  });

  it('says to run the quarter first when it has not been computed', async () => {
    const data = await cloneFixture('example');

    const code = await main(['preview', '--data', data, '--quarter', '2026-Q3', '--quiet'], {}, testClock);

    expect(code).toBe(2);
    expect(output.stderr()).toContain(
      `there is no ${data}/reports/2026-Q3/kpis.json to preview; run 'kpi-report run --quarter 2026-Q3' first`,
    );
  });
});
