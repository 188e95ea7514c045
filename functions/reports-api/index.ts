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
import type { ExportStore, RunLauncher } from '../../src/core/ports';
import { quarterLabelSchema } from '../../src/core/quarter-label';
import { queueRun } from '../../src/use-cases/queue-run';
import { reportStatus } from '../../src/use-cases/report-status';
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
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    try {
      if (event.httpMethod === 'POST' && event.resource === '/reports') {
        return await startRun(deps, parseStartRun(event), newRunId());
      }
      if (event.httpMethod === 'GET' && event.resource === '/reports/{quarter}') {
        return await status(deps, parseStatusRequest(event));
      }
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

function parseStartRun(event: APIGatewayProxyEvent): z.infer<typeof startRunBodySchema> {
  let body: unknown;
  try {
    body = JSON.parse(event.body ?? '');
  } catch {
    throw new HttpError(400, 'the body must be JSON like {"quarter":"2026-Q3"}');
  }
  const parsed = startRunBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
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

async function startRun(
  deps: ReportsApiDependencies,
  request: z.infer<typeof startRunBodySchema>,
  runId: string,
): Promise<APIGatewayProxyResult> {
  const queued = await queueRun(
    { store: deps.store, launcher: deps.launcher, now: deps.now },
    { runId, ...request },
  );
  if (!queued.queued) throw new HttpError(404, queued.reason);
  deps.logger.info('run queued', { runId, ...request });
  return json(202, {
    runId,
    quarter: request.quarter,
    status: 'queued',
    // A dry run is apart from the published report: its status is asked for by run id.
    statusPath: `/reports/${request.quarter}${request.dryRun ? `?runId=${encodeURIComponent(runId)}` : ''}`,
  });
}

function parseStatusRequest(event: APIGatewayProxyEvent): { quarter: string; runId: string | undefined } {
  const parsed = quarterLabelSchema.safeParse(event.pathParameters?.quarter);
  if (!parsed.success) throw new HttpError(400, `quarter: ${parsed.error.issues[0]?.message}`);
  const query = statusQuerySchema.safeParse(event.queryStringParameters ?? {});
  if (!query.success) {
    throw new HttpError(
      400,
      `invalid query: ${query.error.issues.map((issue) => `${issue.path.join('.') || '(query)'}: ${issue.message}`).join('; ')}`,
    );
  }
  return { quarter: parsed.data, runId: query.data.runId };
}

async function status(
  deps: ReportsApiDependencies,
  request: { quarter: string; runId: string | undefined },
): Promise<APIGatewayProxyResult> {
  const answer = await reportStatus(deps.store, request.quarter, request.runId);
  if (!answer.found) throw new HttpError(404, answer.reason);
  const { quarter, run, generatedAt, kpis, reportKey } = answer;
  const reportUrl = reportKey === null ? null : await deps.reportLink(reportKey);
  return json(200, { quarter, run, generatedAt, kpis, reportUrl });
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
