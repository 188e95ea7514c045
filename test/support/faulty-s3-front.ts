/**
 * An HTTP front to put before s3rver that misbehaves on purpose, the way proxies and
 * networks do: for the GET of a chosen key it can end the body early but framed as
 * complete (`Content-Length` of the bytes actually sent), stall after sending part of it,
 * or break the connection half-way. Every other request passes through untouched. It
 * records each GET (and its `Range`) so tests can see how a read resumed. Requests keep
 * their `Host` header, so s3rver's signature check still holds.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type BodyFault =
  /** Sends `share` of the body with a `Content-Length` saying that is all of it. */
  | { readonly kind: 'cut'; readonly share: number }
  /** Sends `share` of the body (headers promising all of it), then nothing more. */
  | { readonly kind: 'stall'; readonly share: number }
  /** Sends `share` of the body (headers promising all of it), then drops the connection. */
  | { readonly kind: 'break'; readonly share: number };

export interface SeenGet {
  readonly key: string;
  readonly range: string | undefined;
  readonly ifMatch: string | undefined;
  readonly fault: BodyFault['kind'] | undefined;
}

export interface FaultyS3Front {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  readonly endpoint: string;
  /** Faults for the next GETs of keys ending in `keySuffix`, one GET each, in order. */
  fail(keySuffix: string, ...faults: BodyFault[]): void;
  /** Every GET of an object seen so far. */
  readonly gets: SeenGet[];
  close(): Promise<void>;
}

export async function startFaultyS3Front(target: string): Promise<FaultyS3Front> {
  const upstream = new URL(target);
  const planned: { keySuffix: string; fault: BodyFault }[] = [];
  const gets: SeenGet[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://front').pathname);
    const isObjectGet = request.method === 'GET' && !(request.url ?? '').includes('list-type');
    const planIndex = isObjectGet ? planned.findIndex((plan) => path.endsWith(plan.keySuffix)) : -1;
    const fault = planIndex >= 0 ? planned.splice(planIndex, 1)[0]?.fault : undefined;
    if (isObjectGet) {
      gets.push({
        key: path,
        range: request.headers.range,
        ifMatch: request.headers['if-match'],
        fault: fault?.kind,
      });
    }
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        if (fault === undefined || (answer.statusCode ?? 500) >= 300) {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          return;
        }
        const pieces: Buffer[] = [];
        answer.on('data', (piece: Buffer) => pieces.push(piece));
        answer.on('end', () => {
          const body = Buffer.concat(pieces);
          const sent = body.subarray(0, Math.floor(body.length * fault.share));
          const headers = { ...answer.headers };
          if (fault.kind === 'cut') headers['content-length'] = String(sent.length);
          response.writeHead(answer.statusCode ?? 200, headers);
          if (fault.kind === 'cut') {
            response.end(sent);
          } else if (fault.kind === 'stall') {
            response.write(sent);
          } else {
            response.write(sent, () => response.socket?.destroy());
          }
        });
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    gets,
    fail(keySuffix, ...faults) {
      for (const fault of faults) planned.push({ keySuffix, fault });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
