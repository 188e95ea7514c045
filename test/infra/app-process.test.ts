/**
 * `cdk synth` as the CDK CLI runs the app (infra/app.ts as a process, context in
 * CDK_CONTEXT_JSON): the committed deploy.example.json synthesises, and settings with
 * several problems end the process with all of them listed and no stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

let outdir: string | undefined;
afterEach(async () => {
  if (outdir !== undefined) await rm(outdir, { recursive: true, force: true });
});

/** Runs infra/app.ts with `context`; functions are not bundled. */
async function synthApp(context: Record<string, unknown>) {
  outdir = await mkdtemp(path.join(tmpdir(), 'kpi-report-synth-'));
  const env = {
    PATH: process.env.PATH ?? '',
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
    CDK_DEFAULT_ACCOUNT: '123456789012',
    CDK_DEFAULT_REGION: 'eu-west-1',
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'infra/app.ts'],
      { env },
    );
    return { code: 0, stdout, stderr, outdir };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', outdir };
  }
}

describe('the CDK app as a process', () => {
  it('synthesises the committed deploy.example.json', async () => {
    const result = await synthApp({ configFile: 'deploy.example.json' });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await readdir(result.outdir)).toContain('KpiReport.template.json');
  }, 120_000);

  it('lists every problem of the settings at once, without a stack trace', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'kpi-report-deploy-'));
    const configFile = path.join(folder, 'deploy.json');
    await writeFile(
      configFile,
      JSON.stringify({ configuration: { email: { recipients: [{ address: 'cfo@acme.example' }] } } }),
    );
    const result = await synthApp({
      senderDomain: 'not a domain',
      scheduleExpression: 'every quarter',
      recipients: 'ceo@acme.example',
      configFile,
    });
    await rm(folder, { recursive: true, force: true });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^kpi-report: 3 deployment settings are not valid:\n/);
    expect(result.stderr).toMatch(/- senderDomain "not a domain" is not a domain name/);
    expect(result.stderr).toMatch(/- give recipients or configuration\.email\.recipients, not both/);
    expect(result.stderr).toMatch(/- scheduleExpression "every quarter"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
