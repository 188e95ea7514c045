/**
 * A template problem in the deployed functions, against s3rver behind the S3 front (which
 * logs every request) through the real AWS SDK: the report and reduce functions prove the
 * templates before they read an export or write anything, then record the run as failed
 * in its status.json, naming the file and line, and rethrow for the retries and alarms.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReduceHandler } from '../../functions/reduce-parts/index';
import { createRunReportHandler } from '../../functions/run-report/index';
import { S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import type { Config } from '../../src/core/config';
import { TemplateFieldsError } from '../../src/core/report/templates/email-templates';
import { readRunStatus } from '../../src/use-cases/report-run';
import {
  EXAMPLE_CONFIG,
  HANDLER_NOW,
  reportHandlerDeps,
  useLocalAws,
} from '../support/local-report-handlers';
import { EXAMPLE_QUARTER, putExampleRoot, readsExports, writes } from '../support/s3-example-root';
import type { FrontRequest } from '../support/s3-front';

const SCHEDULED = { source: 'schedule', scheduledTime: '2026-10-05T06:00:00Z' };
const RUN_ID = 'schedule-2026-10-05T06:00:00Z';

const aws = useLocalAws();
let templates: string;
let broken: Config;

beforeAll(async () => {
  // A custom plain-text part whose second line reads a field the model does not have.
  templates = await mkdtemp(path.join(tmpdir(), 'kpi-templates-'));
  await mkdir(templates, { recursive: true });
  await writeFile(path.join(templates, 'email.txt.hbs'), '{{quarter}}\n{{greting}}\n');
  broken = { ...EXAMPLE_CONFIG, email: { ...EXAMPLE_CONFIG.email, templateDir: templates } };
});
afterAll(async () => {
  await rm(templates, { recursive: true, force: true });
});

async function dataRoot() {
  const prefix = await putExampleRoot(aws.s3, aws.bucket, { interactions: 'single' });
  aws.front.requests.length = 0;
  return { prefix, store: new S3ExportStore({ client: aws.s3, bucket: aws.bucket, prefix }) };
}

/** The requests made to the data root under `prefix`, as `METHOD key`. */
function requestsTo(prefix: string): FrontRequest[] {
  return aws.front.requests.filter(
    (request) => request.key.startsWith(prefix) || request.query.includes(prefix),
  );
}

/** One look at status.json and one write of it: no export, listing, partial or run record read, nothing else written. */
function expectOnlyStatusTouched(prefix: string): void {
  const requests = requestsTo(prefix);
  const reads = requests.filter((request) => request.method === 'GET' || request.method === 'HEAD');
  expect(reads.filter((request) => !request.key.endsWith('status.json'))).toEqual([]);
  expect(requests.filter((request) => readsExports(request, prefix))).toEqual([]);
  expect(requests.filter(writes).map((request) => request.key)).toEqual([
    `${prefix}/reports/${EXAMPLE_QUARTER}/status.json`,
  ]);
}

describe('the report function with a template that reads a field the model does not have', () => {
  it('fails before reading an export or starting the run record, and records the failure in status.json', async () => {
    // Arrange
    const { prefix, store } = await dataRoot();
    const run = createRunReportHandler(reportHandlerDeps(store, aws.ses, broken));

    // Act
    await expect(run(SCHEDULED)).rejects.toThrow(TemplateFieldsError);

    // Assert
    expectOnlyStatusTouched(prefix);
    expect(await readRunStatus(store, EXAMPLE_QUARTER)).toEqual({
      quarter: EXAMPLE_QUARTER,
      runId: RUN_ID,
      status: 'failed',
      requestedBy: 'schedule',
      dryRun: false,
      updatedAt: HANDLER_NOW.toISOString(),
      error: expect.stringContaining(
        `the email templates cannot be used: template ${path.join(templates, 'email.txt.hbs')}, line 2, column 3: {{greting}}: no field 'greting' at the top level; did you mean 'greeting'?`,
      ),
    });
    expect(await aws.ses.messages()).toEqual([]);
  });

  it('keeps the recorded status of a run that already finished when its request comes again', async () => {
    // Arrange: the run succeeded with the built-in templates; then the templates broke
    const { prefix, store } = await dataRoot();
    await createRunReportHandler(reportHandlerDeps(store, aws.ses))(SCHEDULED);
    const succeeded = await readRunStatus(store, EXAMPLE_QUARTER);
    aws.front.requests.length = 0;

    // Act
    await expect(
      createRunReportHandler(reportHandlerDeps(store, aws.ses, broken))(SCHEDULED),
    ).rejects.toThrow(/greting/);

    // Assert
    expect(succeeded?.status).toBe('succeeded');
    expect(await readRunStatus(store, EXAMPLE_QUARTER)).toEqual(succeeded);
    expect(requestsTo(prefix).filter(writes)).toEqual([]);
  });
});

describe('the reduce step with a template that reads a field the model does not have', () => {
  it('fails before reading a partial or an export, and records the failure in status.json', async () => {
    // Arrange
    const { prefix, store } = await dataRoot();
    const reduce = createReduceHandler(reportHandlerDeps(store, aws.ses, broken));

    // Act
    await expect(
      reduce({ quarter: EXAMPLE_QUARTER, runId: 'api-run-1', requestedBy: 'api' }),
    ).rejects.toThrow(TemplateFieldsError);

    // Assert
    expectOnlyStatusTouched(prefix);
    expect(await readRunStatus(store, EXAMPLE_QUARTER)).toMatchObject({
      runId: 'api-run-1',
      status: 'failed',
      error: expect.stringMatching(
        /email\.txt\.hbs, line 2, column 3: \{\{greting\}\}.*did you mean 'greeting'\?/,
      ),
    });
  });
});
