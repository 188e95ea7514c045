/**
 * The on-demand API, behind API Gateway with IAM (SigV4) authorisation:
 * `POST /reports` `{ "quarter": "2026-Q3", "dryRun": false, "resend": false }` starts a run
 * in the background and answers 202 with its run id; `GET /reports/{quarter}` answers the
 * last run's status, the KPIs and a short-lived link to report.html, and with `?runId=…` a
 * dry run's (which never touches the published report). The caller's mistakes
 * get 4xx with the field at fault; anything else a bare 500 (details only in the logs).
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { lazyLambdaRunLauncher } from '../../src/adapters/lambda/lazy-lambda-run-launcher';
import { createReportLinker } from '../../src/adapters/s3/presign-report-link';
import { exportKeys, holdsAnythingUnder, reportKeys } from '../../src/core/data-root';
import { KPI_IDS } from '../../src/core/kpi-ids';
import type { ExportStore, RunLauncher } from '../../src/core/ports';
import { quarterLabelSchema } from '../../src/core/quarter-label';
import { snapshotSchema } from '../../src/core/snapshot';
import { dryRunKey, dryRunView } from '../../src/use-cases/dry-run-view';
import { readRunStatus, writeRunStatus } from '../../src/use-cases/report-run';
import { lambdaSettings } from '../../src/wiring/lambda-environment';

export const startRunBodySchema = z.strictObject({
  quarter: quarterLabelSchema,
  dryRun: z.boolean().default(false),
  resend: z.boolean().default(false),
});

/** `GET /reports/{quarter}?runId=…`: a dry run, or the published run if it is that one. */
export const statusQuerySchema = z.strictObject({
  runId: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/,
      'write the run id as POST /reports answered it (letters, digits, ".", "_", ":", "-")',
    )
    .optional(),
});

export interface ReportsApiDependencies {
  readonly store: ExportStore;
  readonly launcher: RunLauncher;
  readonly reportLink: (key: string) => Promise<string>;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly newRunId?: () => string;
}

class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export function createReportsApiHandler(deps: ReportsApiDependencies) {
  const newRunId = deps.newRunId ?? (() => randomUUID());

  async function startRun(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    let body: unknown;
    try {
      body = JSON.parse(event.body ?? '');
    } catch {
      throw new HttpError(400, 'the body must be JSON like {"quarter":"2026-Q3"}');
    }
    const parsed = startRunBodySchema.safeParse(body);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => ({
        field: issue.path.join('.') || '(body)',
        message: issue.message,
      }));
      throw new HttpError(
        400,
        `invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
        fields,
      );
    }
    const request = parsed.data;
    if (!(await holdsAnythingUnder(deps.store, exportKeys.set(request.quarter)))) {
      throw new HttpError(
        404,
        `there is no export set for ${request.quarter} (${exportKeys.set(request.quarter)} is empty)`,
      );
    }
    const runId = newRunId();
    const runStore = request.dryRun ? dryRunView(deps.store, request.quarter, runId) : deps.store;
    await writeRunStatus(runStore, {
      quarter: request.quarter,
      runId,
      status: 'queued',
      requestedBy: 'api',
      dryRun: request.dryRun,
      updatedAt: deps.now().toISOString(),
    });
    await deps.launcher.start({ runId, ...request });
    deps.logger.info('run queued', { runId, ...request });
    return json(202, {
      runId,
      quarter: request.quarter,
      status: 'queued',
      // A dry run is apart from the published report: its status is asked for by run id.
      statusPath: `/reports/${request.quarter}${request.dryRun ? `?runId=${encodeURIComponent(runId)}` : ''}`,
    });
  }

  async function status(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const parsed = quarterLabelSchema.safeParse(event.pathParameters?.quarter);
    if (!parsed.success) throw new HttpError(400, `quarter: ${parsed.error.issues[0]?.message}`);
    const label = parsed.data;
    const query = statusQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) {
      throw new HttpError(
        400,
        `invalid query: ${query.error.issues.map((issue) => `${issue.path.join('.') || '(query)'}: ${issue.message}`).join('; ')}`,
      );
    }
    const view = await reportFolder(deps.store, label, query.data.runId);
    const run = await readRunStatus(view.store, label);
    const snapshotText = await view.store.readText(reportKeys.snapshot(label));
    if (run === undefined && snapshotText === undefined) {
      throw new HttpError(404, `no run and no report for ${label}`);
    }
    const snapshot =
      snapshotText === undefined ? undefined : snapshotSchema.safeParse(JSON.parse(snapshotText));
    const kpis = snapshot?.success
      ? Object.fromEntries(
          KPI_IDS.map((id) => {
            const { value, band, deltaQoQ, deltaYoY, lowSample } = snapshot.data.kpis[id];
            return [id, { value, band, deltaQoQ, deltaYoY, lowSample }];
          }),
        )
      : null;
    const hasReport = (await view.store.readText(reportKeys.html(label))) !== undefined;
    return json(200, {
      quarter: label,
      run: run ?? null,
      generatedAt: snapshot?.success ? snapshot.data.generatedAt : null,
      kpis,
      reportUrl: hasReport ? await deps.reportLink(view.keyOf(reportKeys.html(label))) : null,
    });
  }

  /**
   * The published report folder, or with `runId` that run's: a dry run's own folder, or the
   * published one when it holds that run. Any other run id is not found.
   */
  async function reportFolder(
    store: ExportStore,
    quarter: string,
    runId: string | undefined,
  ): Promise<{ store: ExportStore; keyOf: (key: string) => string }> {
    const published = { store, keyOf: (key: string) => key };
    if (runId === undefined) return published;
    const dryRun = dryRunView(store, quarter, runId);
    if ((await readRunStatus(dryRun, quarter)) !== undefined) {
      return { store: dryRun, keyOf: (key) => dryRunKey(quarter, runId, key) };
    }
    if ((await readRunStatus(store, quarter))?.runId === runId) return published;
    throw new HttpError(404, `${quarter} has no dry run ${runId}, and its latest run is another one`);
  }

  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    try {
      if (event.httpMethod === 'POST' && event.resource === '/reports') return await startRun(event);
      if (event.httpMethod === 'GET' && event.resource === '/reports/{quarter}') return await status(event);
      throw new HttpError(404, `no route for ${event.httpMethod} ${event.resource}`);
    } catch (error) {
      if (error instanceof HttpError) {
        return json(error.statusCode, {
          message: error.message,
          ...(error.details !== undefined && { errors: error.details }),
        });
      }
      deps.logger.error('request failed', error as Error);
      return json(500, { message: 'internal error' });
    }
  };
}

function fromEnvironment() {
  const settings = lambdaSettings(process.env);
  const functionName = settings.env.RUN_FUNCTION_NAME;
  if (functionName === undefined) throw new Error('set RUN_FUNCTION_NAME to the report function name');
  return createReportsApiHandler({
    store: settings.store,
    launcher: lazyLambdaRunLauncher({ region: settings.env.AWS_REGION, functionName }),
    reportLink: createReportLinker({
      client: settings.s3,
      bucket: settings.env.DATA_BUCKET,
      prefix: settings.env.DATA_PREFIX,
    }),
    logger: new Logger(),
    now: () => new Date(),
  });
}

let cold: ((event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>) | undefined;
export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  cold ??= fromEnvironment();
  return cold(event);
};
