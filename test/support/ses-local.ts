/**
 * Starts aws-ses-v2-local (an SES emulator) in process on a free port of 127.0.0.1, for
 * integration tests that send through the real SDK and read back what "SES" received.
 * Optionally puts a small front server before it that answers chosen sends with a real SES
 * error, since the emulator itself accepts every well-formed send.
 */
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as sesLocalModule from 'aws-ses-v2-local';

/** An attachment as `GET /store` returns it: mailparser's attachment with the bytes in base64. */
export interface StoredAttachment {
  readonly filename?: string;
  readonly contentType: string;
  readonly contentDisposition?: string;
  /** The Content-ID without angle brackets, for inline images. */
  readonly cid?: string;
  /** True for a part of the multipart/related node (an inline image). */
  readonly related?: boolean;
  readonly size: number;
  readonly checksum?: string;
  /** The decoded bytes of the part, base64-encoded. */
  readonly content: string;
}

/** One message as the emulator stored it (parsed by mailparser on receipt). */
export interface StoredMail {
  /** `ses-<9 digits>`, as returned to the sender. */
  readonly messageId: string;
  /** The From header as text (`Name <address>`), else `Source`. */
  readonly from: string;
  readonly replyTo: readonly string[];
  /** Taken from the To/Cc/Bcc headers (as text), not from `Destinations`. */
  readonly destination: {
    readonly to: readonly string[];
    readonly cc: readonly string[];
    readonly bcc: readonly string[];
  };
  readonly subject: string;
  /** The HTML with `cid:` links replaced by `data:` URIs of the images. */
  readonly body: { readonly html?: string; readonly text?: string };
  readonly attachments: readonly StoredAttachment[];
  /** Receipt time, Unix seconds. */
  readonly at: number;
}

/** An SES error to answer a send with, as SES's query protocol returns it. */
export interface SesFault {
  /** HTTP status: 400 for MessageRejected or Throttling, 500 for InternalFailure. */
  readonly status: number;
  /** The error code the SDK turns into the error's `name` (`MessageRejected`, `Throttling`). */
  readonly code: string;
  readonly message: string;
}

/** What a fault injector sees of one send (SES v1 SendRawEmail or SendEmail). */
export interface SesSendRequest {
  readonly action: string;
  readonly source: string | undefined;
  /** `Destinations.member.N` (SendRawEmail) or `Destination.ToAddresses.member.N` (SendEmail). */
  readonly destinations: readonly string[];
  /** `ConfigurationSetName`, when the send names one. */
  readonly configurationSetName: string | undefined;
  /** SendRawEmail's `RawMessage.Data`, decoded: the MIME message as sent. */
  readonly rawMessage: Buffer | undefined;
}

/** Options for `startSesLocal`. */
export interface SesLocalOptions {
  /**
   * Called for every SES v1 send before the emulator sees it; returning a fault answers the
   * send with that error (the emulator stores nothing), `undefined` lets it through. It is
   * called again for each of the SDK's retries, so it can count attempts.
   */
  readonly injectFault?: (send: SesSendRequest) => SesFault | undefined;
}

export interface RunningSesLocal {
  /** `http://127.0.0.1:<port>`, for the SES client's `endpoint`. */
  readonly endpoint: string;
  /** Every message stored since the start or the last `clear()`, oldest first. */
  messages(): Promise<StoredMail[]>;
  /** Empties the store. */
  clear(): Promise<void>;
  /** Stops the server(s), dropping kept-alive connections. */
  close(): Promise<void>;
}

type StartEmulator = (config?: { host?: string; port?: number }) => Promise<Server>;

/**
 * The package is CommonJS with `exports.default = server`: under vitest's interop the
 * namespace's `default` is that function, under Node's own ESM loader it is `module.exports`,
 * whose `default` is the function. (It exports no `start`.)
 */
function emulatorStarter(): StartEmulator {
  const exported: unknown = (sesLocalModule as { default?: unknown }).default;
  if (typeof exported === 'function') return exported as StartEmulator;
  const nested = (exported as { default?: unknown } | undefined)?.default;
  if (typeof nested === 'function') return nested as StartEmulator;
  throw new Error('aws-ses-v2-local exports no server function');
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function listen(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The SES send a query-protocol body describes, or `undefined` for anything else. */
function parseSend(body: Buffer): SesSendRequest | undefined {
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action');
  if (action !== 'SendRawEmail' && action !== 'SendEmail') return undefined;
  const destinations = [...form.entries()]
    .filter(([name]) => /^(Destinations|Destination\.(To|Cc|Bcc)Addresses)\.member\.\d+$/.test(name))
    .map(([, value]) => value);
  const raw = form.get('RawMessage.Data');
  return {
    action,
    source: form.get('Source') ?? undefined,
    destinations,
    configurationSetName: form.get('ConfigurationSetName') ?? undefined,
    rawMessage: raw === null ? undefined : Buffer.from(raw, 'base64'),
  };
}

/** An error body exactly as SES's query protocol sends one. */
function faultXml(fault: SesFault): string {
  const type = fault.status >= 500 ? 'Receiver' : 'Sender';
  return (
    '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">' +
    `<Error><Type>${type}</Type><Code>${escapeXml(fault.code)}</Code>` +
    `<Message>${escapeXml(fault.message)}</Message></Error>` +
    '<RequestId>00000000-0000-4000-8000-000000000000</RequestId></ErrorResponse>'
  );
}

/** A server that answers faulted sends itself and forwards every other request to `upstream`. */
function faultInjectingFront(upstream: string, injectFault: NonNullable<SesLocalOptions['injectFault']>) {
  return createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const send = incoming.method === 'POST' && incoming.url === '/' ? parseSend(body) : undefined;
      const fault = send === undefined ? undefined : injectFault(send);
      if (fault !== undefined) {
        outgoing.writeHead(fault.status, { 'content-type': 'text/xml' }).end(faultXml(fault));
        return;
      }
      const forwarded = request(
        `${upstream}${incoming.url ?? '/'}`,
        { method: incoming.method, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', (error) => outgoing.destroy(error));
      forwarded.end(body);
    })().catch((error: unknown) => outgoing.destroy(error as Error));
  });
}

/**
 * Starts the emulator on 127.0.0.1, port 0, and returns its endpoint plus access to its
 * store (`GET /store`, `POST /clear-store`). It accepts SES v1 `SendRawEmail` with any
 * credentials and stores the parsed message: attachments in base64 with filename, content
 * type and cid; `cid:` links in the HTML turned into data URIs. Its store is a module-level
 * singleton: two emulators in one test file share it. With `injectFault`, the endpoint is
 * a front server that answers chosen sends with real SES error XML.
 */
export async function startSesLocal(options: SesLocalOptions = {}): Promise<RunningSesLocal> {
  const emulator = await emulatorStarter()({ host: '127.0.0.1', port: 0 });
  const emulatorUrl = urlOf(emulator);
  const front = options.injectFault && faultInjectingFront(emulatorUrl, options.injectFault);
  if (front) await listen(front);
  return {
    endpoint: front ? urlOf(front) : emulatorUrl,
    async messages() {
      const response = await fetch(`${emulatorUrl}/store`);
      if (!response.ok) throw new Error(`GET /store answered ${response.status}`);
      return ((await response.json()) as { emails: StoredMail[] }).emails;
    },
    async clear() {
      const response = await fetch(`${emulatorUrl}/clear-store`, { method: 'POST' });
      if (!response.ok) throw new Error(`POST /clear-store answered ${response.status}`);
    },
    async close() {
      if (front) await close(front);
      await close(emulator);
    },
  };
}

/** Options under which SES rejects every send to `address` as MessageRejected (400), as for an unverified address in the sandbox. */
export function rejectingSendsTo(address: string): SesLocalOptions {
  return {
    injectFault: (send) =>
      send.destinations.includes(address)
        ? { status: 400, code: 'MessageRejected', message: 'Email address is not verified.' }
        : undefined,
  };
}

/** An emulator on which SES rejects every send to `address` (`rejectingSendsTo`). */
export function startSesLocalRejecting(address: string): Promise<RunningSesLocal> {
  return startSesLocal(rejectingSendsTo(address));
}
