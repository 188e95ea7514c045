/**
 * The production `Mailer`: Amazon SES (API v1, SendRawEmail), which takes the MIME message
 * whole, so inline chart images and the CSV attachment travel exactly as composed.
 */
import { SESClient, type SESClientConfig, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { MailDeliveryError, type Mailer, type OutgoingMessage, type SentMessage } from '../../core/ports';
import { composeMime } from '../mime/compose-mime';

/** Options for `createSesClient`; everything omitted falls back to the SDK's default chains. */
export interface SesClientOptions {
  readonly region?: string | undefined;
  /** An SES-compatible endpoint (aws-ses-v2-local, LocalStack); omit for AWS itself. */
  readonly endpoint?: string | undefined;
  readonly credentials?: SESClientConfig['credentials'];
  /** Attempts per send, the first included; default 6. */
  readonly maxAttempts?: number | undefined;
  /** A send whose connection is silent this long fails (and is retried); default 30 s. */
  readonly socketTimeoutMs?: number | undefined;
}

/** Enough attempts to ride out a burst of "Maximum sending rate exceeded" at SES's default rate. */
const DEFAULT_MAX_ATTEMPTS = 6;

/**
 * Without them a connection that never answers waits for the function's own timeout: 10 s
 * to connect, and a send whose socket is silent for 30 s fails as a `TimeoutError` (the SDK
 * retries it, and the delivery reports it as a send SES may have taken).
 */
const CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_SOCKET_TIMEOUT_MS = 30_000;

/**
 * Builds the SES v1 client the mailer needs. Region and credentials default to the SDK's
 * own resolution (environment, profile, role). Retries are the SDK's: `maxAttempts`
 * (default 6) with `retryMode: 'adaptive'`, which backs off exponentially with jitter on
 * throttling (`Throttling`: "Maximum sending rate exceeded"), 5xx answers and network
 * errors, and on throttling also slows the client's own sending rate, so a long recipient
 * list settles at what the account allows. A silent connection times out (see below).
 */
export function createSesClient(options: SesClientOptions = {}): SESClient {
  const { region, endpoint, credentials, maxAttempts = DEFAULT_MAX_ATTEMPTS } = options;
  return new SESClient({
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      socketTimeout: options.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
    },
    ...(region !== undefined && { region }),
    ...(endpoint !== undefined && { endpoint }),
    ...(credentials !== undefined && { credentials }),
    maxAttempts,
    retryMode: 'adaptive',
  });
}

/** Errors after which sending this message again cannot succeed without someone acting. */
const PERMANENT_ERRORS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
]);

/** SES answers throttling with HTTP 400, so it must be recognised by name. */
const THROTTLING_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
]);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

/**
 * Permanent: the named rejections above and any other 4xx. Transient: throttling (by name
 * or 429), 5xx, and errors without an HTTP answer (network, timeout, credentials).
 */
function isPermanent(error: SdkErrorShape): boolean {
  const name = typeof error.name === 'string' ? error.name : '';
  if (PERMANENT_ERRORS.has(name)) return true;
  if (THROTTLING_ERRORS.has(name)) return false;
  const status = error.$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}

function deliveryError(message: OutgoingMessage, error: unknown): MailDeliveryError {
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? error : {};
  const permanent = isPermanent(shape);
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const detail = typeof shape.message === 'string' ? shape.message : String(error);
  const attempts = shape.$metadata?.attempts;
  const what = permanent
    ? `SES rejected the message to ${message.to}`
    : `SES did not take the message to ${message.to}${attempts === undefined ? '' : ` after ${attempts} attempts`}`;
  const status = shape.$metadata?.httpStatusCode;
  // No answer, or a server error: SES may have taken the message before failing to say so.
  const maybeAccepted = !permanent && (status === undefined || status >= 500);
  return new MailDeliveryError(`${what}: ${name}: ${detail}`, permanent, { cause: error, maybeAccepted });
}

/** What the SES mailer needs. */
export interface SesMailerOptions {
  readonly client: SESClient;
  /** Attached to every send (event publishing: bounces, complaints, deliveries); default none. */
  readonly configurationSetName?: string | undefined;
  /** Only for `description`; the client's own region is what is used. */
  readonly region?: string | undefined;
}

/**
 * Sends each message with SendRawEmail (`Source` = the message's From, `Destinations` = its
 * one recipient, `Tags` = the message's tags) and reports SES's MessageId. The client retries; what still fails becomes
 * a `MailDeliveryError` naming the recipient and the SES error, `permanent` for rejections
 * (MessageRejected, unverified MAIL FROM domain, missing configuration set, paused sending,
 * any other 4xx) and transient for throttling, 5xx and network errors; `maybeAccepted` for
 * 5xx and network errors, after which SES may have sent the message all the same.
 */
export class SesMailer implements Mailer {
  /** `SES (eu-west-1)`, or `SES` when no region was given. */
  readonly description: string;
  readonly #client: SESClient;
  readonly #configurationSetName: string | undefined;

  constructor(options: SesMailerOptions) {
    this.#client = options.client;
    this.#configurationSetName = options.configurationSetName;
    this.description = options.region === undefined ? 'SES' : `SES (${options.region})`;
  }

  async send(message: OutgoingMessage): Promise<SentMessage> {
    const data = await composeMime(message);
    let messageId: string | undefined;
    try {
      const output = await this.#client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: data },
          Source: message.from,
          Destinations: [message.to],
          ...(this.#configurationSetName !== undefined && {
            ConfigurationSetName: this.#configurationSetName,
          }),
          ...(message.tags !== undefined && {
            Tags: Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value })),
          }),
        }),
      );
      messageId = output.MessageId;
    } catch (error) {
      throw deliveryError(message, error);
    }
    if (messageId === undefined) {
      // Accepted (probably sent), so sending again could duplicate it: not worth a retry.
      throw new MailDeliveryError(
        `SES accepted the message to ${message.to} but returned no MessageId`,
        true,
      );
    }
    return { messageId };
  }
}
