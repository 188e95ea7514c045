/**
 * Two small HTTP servers that stand in for AWS APIs no local emulator here offers, for
 * tests that run the built Lambda bundles (pointed at them with `AWS_ENDPOINT_URL_LAMBDA`
 * and `AWS_ENDPOINT_URL_SNS`). Each answers as the service does and records what it got:
 *
 * - Lambda `Invoke` (REST JSON, `POST /2015-03-31/functions/<name>/invocations`): an
 *   asynchronous invocation (`X-Amz-Invocation-Type: Event`) is queued, answered 202, and
 *   its payload kept, so the test can deliver it to the function as Lambda would.
 * - SNS `Publish` (query protocol): answered with a message id; subject and message kept.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedInvocation {
  readonly functionName: string;
  readonly invocationType: string;
  readonly payload: unknown;
}

export interface RecordedPublish {
  readonly topicArn: string | null;
  readonly subject: string | null;
  readonly message: string | null;
}

export interface RecordingEndpoint<T> {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly recorded: T[];
  /**
   * Answers instead of the service, recording nothing, while it returns a reply (an error,
   * say); `undefined` lets the request through. Reset with `intercept = () => undefined`.
   */
  intercept: () => EndpointReply | undefined;
  stop(): Promise<void>;
}

/** An HTTP answer: status, content type and body, and any extra headers (an error type). */
export interface EndpointReply {
  readonly status: number;
  readonly type: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

async function bodyOf(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function serve<T>(
  answer: (request: http.IncomingMessage, body: string, recorded: T[]) => EndpointReply,
): Promise<RecordingEndpoint<T>> {
  const recorded: T[] = [];
  const server = http.createServer((request, response) => {
    bodyOf(request)
      .then((body) => {
        const reply = endpoint.intercept() ?? answer(request, body, recorded);
        response.writeHead(reply.status, { 'content-type': reply.type, ...reply.headers }).end(reply.body);
      })
      .catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint: RecordingEndpoint<T> = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    recorded,
    intercept: () => undefined,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return endpoint;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations/;

/** Lambda's Invoke API, taking asynchronous invocations only (what kpi-report makes). */
export function startLambdaInvokeRecorder(): Promise<RecordingEndpoint<RecordedInvocation>> {
  return serve<RecordedInvocation>((request, body, recorded) => {
    const functionName = INVOKE_PATH.exec(request.url ?? '')?.[1];
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (request.method !== 'POST' || functionName === undefined || invocationType !== 'Event') {
      const message = `only asynchronous invocations are recorded, not ${request.method} ${request.url} (${invocationType})`;
      return { status: 400, type: 'application/json', body: JSON.stringify({ Type: 'User', message }) };
    }
    recorded.push({
      functionName: decodeURIComponent(functionName),
      invocationType,
      payload: JSON.parse(body),
    });
    return { status: 202, type: 'application/json', body: '' };
  });
}

/** SNS's Publish action; anything else is refused. */
export function startSnsPublishRecorder(): Promise<RecordingEndpoint<RecordedPublish>> {
  return serve<RecordedPublish>((_request, body, recorded) => {
    const form = new URLSearchParams(body);
    if (form.get('Action') !== 'Publish') {
      return {
        status: 400,
        type: 'text/xml',
        body: '<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>',
      };
    }
    recorded.push({
      topicArn: form.get('TopicArn'),
      subject: form.get('Subject'),
      message: form.get('Message'),
    });
    const id = randomUUID();
    return {
      status: 200,
      type: 'text/xml',
      body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  });
}
