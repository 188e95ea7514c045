/**
 * Dry runs through the API, against s3rver behind the S3 front (which logs every request)
 * and the SES emulator, through the real AWS SDK: a dry run writes only its own folder, and
 * the published report, ledger and status.json stay byte for byte as the scheduled run left
 * them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createReduceHandler } from '../../functions/reduce-parts/index';
import { createReportsApiHandler } from '../../functions/reports-api/index';
import { createRunReportHandler } from '../../functions/run-report/index';
import { createReportLinker } from '../../src/adapters/s3/presign-report-link';
import { S3ExportStore } from '../../src/adapters/s3/s3-export-store';
import type { ExportStore, RunRequest } from '../../src/core/ports';
import { apiGatewayEvent } from '../support/api-gateway-event';
import { mapAndResolve } from '../support/distributed-handlers';
import { HANDLER_NOW, reportHandlerDeps, useLocalAws } from '../support/local-report-handlers';
import { EXAMPLE_QUARTER, putExampleRoot, writes } from '../support/s3-example-root';

const aws = useLocalAws();

/** A data root with the scheduled run done (report published, ledger written), and the API over it. */
async function publishedQuarter() {
  const prefix = await putExampleRoot(aws.s3, aws.bucket);
  const store = new S3ExportStore({ client: aws.s3, bucket: aws.bucket, prefix });
  const run = createRunReportHandler(reportHandlerDeps(store, aws.ses));
  await run({ source: 'schedule', scheduledTime: '2026-10-05T06:00:00Z' });
  await aws.ses.clear();
  const started: Promise<unknown>[] = [];
  const api = createReportsApiHandler({
    store,
    launcher: { start: async (request: RunRequest) => void started.push(run({ source: 'api', ...request })) },
    reportLink: createReportLinker({ client: aws.s3, bucket: aws.bucket, prefix }),
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => HANDLER_NOW,
    newRunId: () => 'dry-7',
  });
  return { prefix, store, api, started };
}

/** Every published object of the quarter (not run leftovers), key to bytes. */
async function publishedObjects(store: ExportStore): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  for await (const object of store.list(`reports/${EXAMPLE_QUARTER}/`)) {
    const pieces: Uint8Array[] = [];
    for await (const piece of store.read(object.key)) pieces.push(piece);
    objects.set(object.key, Buffer.concat(pieces).toString('base64'));
  }
  return objects;
}

describe('an API dry run', () => {
  it('leaves the published report objects, ledger and status.json byte-identical, writing only its own folder', async () => {
    // Arrange
    const { prefix, store, api, started } = await publishedQuarter();
    const before = await publishedObjects(store);
    aws.front.requests.length = 0;

    // Act
    const accepted = await api(
      apiGatewayEvent('POST', '/reports', { body: { quarter: EXAMPLE_QUARTER, dryRun: true } }),
    );
    await Promise.all(started);

    // Assert
    expect(accepted.statusCode).toBe(202);
    expect(JSON.parse(accepted.body)).toMatchObject({
      runId: 'dry-7',
      statusPath: '/reports/2026-Q3?runId=dry-7',
    });
    expect(before.has('reports/2026-Q3/status.json')).toBe(true);
    // Two records, two claims, and the conditional-write probe of the real run before it.
    expect([...before.keys()].filter((key) => key.includes('/deliveries/'))).toHaveLength(5);
    expect(await publishedObjects(store)).toEqual(before);
    const written = aws.front.requests.filter(writes).map((request) => request.key.slice(prefix.length + 1));
    expect(written.length).toBeGreaterThan(0);
    expect(
      written.filter(
        (key) => !key.startsWith('reports/dry-runs/2026-Q3/dry-7/') && !key.startsWith('reports/runs/'),
      ),
    ).toEqual([]);
    expect(written).toEqual(
      expect.arrayContaining([
        'reports/dry-runs/2026-Q3/dry-7/kpis.json',
        'reports/dry-runs/2026-Q3/dry-7/report.html',
        'reports/dry-runs/2026-Q3/dry-7/report-ceo@example.com.eml',
        'reports/dry-runs/2026-Q3/dry-7/status.json',
      ]),
    );
    expect(await aws.ses.messages()).toEqual([]);
  });

  it('is shown by GET with its run id, counted as written to the outbox, while the plain GET shows the published run', async () => {
    const { api, started } = await publishedQuarter();
    await api(apiGatewayEvent('POST', '/reports', { body: { quarter: EXAMPLE_QUARTER, dryRun: true } }));
    await Promise.all(started);

    const dry = await api(
      apiGatewayEvent('GET', '/reports/{quarter}', { quarter: EXAMPLE_QUARTER, query: { runId: 'dry-7' } }),
    );
    const published = await api(apiGatewayEvent('GET', '/reports/{quarter}', { quarter: EXAMPLE_QUARTER }));

    expect(dry.statusCode).toBe(200);
    const dryBody = JSON.parse(dry.body);
    expect(dryBody.run).toMatchObject({
      runId: 'dry-7',
      dryRun: true,
      status: 'succeeded',
      outbox: { written: 2, unwritten: [] },
    });
    expect(dryBody.run.deliveries).toBeUndefined();
    expect(Object.keys(dryBody.kpis)).toHaveLength(7);
    expect(new URL(dryBody.reportUrl).pathname).toMatch(/\/reports\/dry-runs\/2026-Q3\/dry-7\/report\.html$/);
    expect((await fetch(dryBody.reportUrl)).status).toBe(200);
    expect(JSON.parse(published.body).run).toMatchObject({
      runId: 'schedule-2026-10-05T06:00:00Z',
      dryRun: false,
      deliveries: { sent: 2 },
    });
  });

  it('answers 404 for a run id that is neither a dry run nor the latest run, and 400 for a malformed run id or an unknown query parameter', async () => {
    const { api } = await publishedQuarter();

    const unknown = await api(
      apiGatewayEvent('GET', '/reports/{quarter}', { quarter: EXAMPLE_QUARTER, query: { runId: 'nope' } }),
    );
    const latest = await api(
      apiGatewayEvent('GET', '/reports/{quarter}', {
        quarter: EXAMPLE_QUARTER,
        query: { runId: 'schedule-2026-10-05T06:00:00Z' },
      }),
    );
    const traversal = await api(
      apiGatewayEvent('GET', '/reports/{quarter}', { quarter: EXAMPLE_QUARTER, query: { runId: '..' } }),
    );
    const misspelt = await api(
      apiGatewayEvent('GET', '/reports/{quarter}', { quarter: EXAMPLE_QUARTER, query: { runid: 'x' } }),
    );

    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body).message).toBe(
      '2026-Q3 has no dry run nope, and its latest run is another one',
    );
    expect(latest.statusCode).toBe(200);
    expect(misspelt.statusCode).toBe(400);
    expect(JSON.parse(misspelt.body).message).toMatch(/runid/);
    expect(traversal.statusCode).toBe(400);
    expect(JSON.parse(traversal.body).message).toMatch(
      /^invalid query: runId: write the run id as POST \/reports answered it/,
    );
  });
});

describe('a distributed dry run', () => {
  it("reduces the parts' tallies into its own folder, publishing and mailing nothing", async () => {
    // Arrange: the map and range steps' tallies, as the state machine leaves them.
    const prefix = await putExampleRoot(aws.s3, aws.bucket, { interactions: 'parts' });
    const store = new S3ExportStore({ client: aws.s3, bucket: aws.bucket, prefix });
    const deps = reportHandlerDeps(store, aws.ses);
    await mapAndResolve({
      store,
      config: deps.config,
      prefix,
      logger: deps.logger,
      quarter: EXAMPLE_QUARTER,
      runId: 'dry-9',
      keys: ['part-001.csv', 'part-002.csv.gz'].map(
        (part) => `${prefix}/exports/${EXAMPLE_QUARTER}/interactions/${part}`,
      ),
    });

    // Act
    const reduced = await createReduceHandler(deps)({
      quarter: EXAMPLE_QUARTER,
      runId: 'dry-9',
      requestedBy: 'api',
      dryRun: true,
      resend: false,
    });

    // Assert
    expect(reduced).toEqual({ quarter: EXAMPLE_QUARTER, runId: 'dry-9', status: 'succeeded' });
    expect(await publishedObjects(store)).toEqual(new Map());
    expect(
      JSON.parse((await store.readText('reports/dry-runs/2026-Q3/dry-9/status.json')) ?? '{}'),
    ).toMatchObject({
      dryRun: true,
      status: 'succeeded',
      outbox: { written: 2, unwritten: [] },
    });
    expect(await aws.ses.messages()).toEqual([]);
  });
});
