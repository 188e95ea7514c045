/**
 * The report settings a deployed run reads from its data root (`config/kpi-report.json`),
 * against s3rver behind the S3 front through the real AWS SDK, mailing through the SES
 * emulator: recipients changed there are the ones mailed, and an invalid object stops the
 * run before an export is read, with a failed status that names the object and each field.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createReduceHandler } from '../../functions/reduce-parts/index';
import { createRunReportHandler } from '../../functions/run-report/index';
import { S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import { ConfigError } from '../../src/core/config';
import { readRunStatus } from '../../src/use-cases/report-run';
import { reportHandlerDeps, useLocalAws } from '../support/local-report-handlers';
import { EXAMPLE_QUARTER, putExampleRoot, readsExports } from '../support/s3-example-root';

const SCHEDULED = { source: 'schedule', scheduledTime: '2026-10-05T06:00:00Z' };

const aws = useLocalAws();

/** A data root with the example's exports and `settings` as its `config/kpi-report.json`. */
async function dataRootWithSettings(settings: string) {
  const prefix = await putExampleRoot(aws.s3, aws.bucket, { interactions: 'single' });
  await aws.s3.send(
    new PutObjectCommand({ Bucket: aws.bucket, Key: `${prefix}/config/kpi-report.json`, Body: settings }),
  );
  aws.front.requests.length = 0;
  return { prefix, store: new S3ExportStore({ client: aws.s3, bucket: aws.bucket, prefix }) };
}

describe('the report function with report settings in the data root', () => {
  it('mails the recipients the settings object lists, not the deployed ones', async () => {
    // Arrange: the deployed configuration lists ceo@ and cfo@ (EXAMPLE_CONFIG).
    const { store } = await dataRootWithSettings(
      JSON.stringify({
        $schema: './kpi-report.schema.json',
        email: {
          recipients: [{ address: 'board@example.com', name: 'Board' }, { address: 'coo@example.com' }],
        },
        targets: { netPromoterScore: { value: 40 } },
      }),
    );
    const run = createRunReportHandler(reportHandlerDeps(store, aws.ses));

    // Act
    const answer = await run(SCHEDULED);

    // Assert
    expect(answer).toMatchObject({ quarter: EXAMPLE_QUARTER, status: 'succeeded' });
    expect((await aws.ses.messages()).flatMap((mail) => mail.destination.to).sort()).toEqual([
      '"Board" <board@example.com>',
      'coo@example.com',
    ]);
  });

  it('stops an invalid object before reading an export, and records why, naming the object and each field', async () => {
    // Arrange: a bad address, a duplicate left aside, a setting that belongs to the deployment.
    const { prefix, store } = await dataRootWithSettings(
      JSON.stringify({
        companyName: 'Not here',
        email: { recipients: [{ address: 'board(at)example.com' }] },
        bands: { netPromoterScore: { strong: 0, moderate: 50 } },
      }),
    );
    const run = createRunReportHandler(reportHandlerDeps(store, aws.ses));

    // Act
    await expect(run(SCHEDULED)).rejects.toThrow(ConfigError);

    // Assert
    const status = await readRunStatus(store, EXAMPLE_QUARTER);
    expect(status).toMatchObject({ quarter: EXAMPLE_QUARTER, status: 'failed' });
    expect(status?.error).toContain(`s3://${aws.bucket}/${prefix}/config/kpi-report.json is not valid`);
    expect(status?.error).toMatch(/companyName: not a report setting/);
    expect(status?.error).toMatch(/email\.recipients\.0\.address: not an email address/);
    expect(status?.error).toMatch(/bands\.netPromoterScore: strong must be at least moderate/);
    expect(aws.front.requests.filter((request) => readsExports(request, prefix))).toEqual([]);
    expect(await aws.ses.messages()).toEqual([]);
  });

  it('says so when the object is not JSON', async () => {
    const { store } = await dataRootWithSettings('{ "email": { "recipients": [ ');
    const run = createRunReportHandler(reportHandlerDeps(store, aws.ses));

    await expect(run(SCHEDULED)).rejects.toThrow(/config\/kpi-report\.json is not valid JSON/);
    expect((await readRunStatus(store, EXAMPLE_QUARTER))?.status).toBe('failed');
  });
});

describe('the distributed reduce step with report settings in the data root', () => {
  it('stops on an invalid object before reading a partial, and records why', async () => {
    // Arrange
    const { prefix, store } = await dataRootWithSettings(
      JSON.stringify({ email: { recipients: 'everyone' } }),
    );
    const reduce = createReduceHandler(reportHandlerDeps(store, aws.ses));

    // Act
    await expect(
      reduce({ quarter: EXAMPLE_QUARTER, runId: 'api-run-1', requestedBy: 'api' }),
    ).rejects.toThrow(ConfigError);

    // Assert
    const status = await readRunStatus(store, EXAMPLE_QUARTER);
    expect(status).toMatchObject({ runId: 'api-run-1', status: 'failed' });
    expect(status?.error).toMatch(/config\/kpi-report\.json is not valid:\n {2}- email\.recipients: /);
    expect(aws.front.requests.filter((request) => request.key.includes('/reports/runs/'))).toEqual([]);
    expect(aws.front.requests.filter((request) => readsExports(request, prefix))).toEqual([]);
  });
});
