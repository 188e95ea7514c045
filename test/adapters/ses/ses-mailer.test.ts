import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MessageRejected, type SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSesClient, SesMailer } from '../../../src/adapters/ses/ses-mailer';
import { MailDeliveryError } from '../../../src/core/ports';
import { readEml } from '../../support/read-eml';
import {
  BLUE_PNG,
  ORANGE_PNG,
  SAMPLE_CSV,
  sampleOutgoingMessage,
} from '../../support/sample-outgoing-message';
import {
  type RunningSesLocal,
  type SesFault,
  type SesSendRequest,
  startSesLocal,
} from '../../support/ses-local';

const REGION = 'eu-west-1';
const ANY_CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

/** Two emulators share one store (the package keeps it in a module-level variable). */
let ses: RunningSesLocal;
let faultySes: RunningSesLocal;
let injectFault: (send: SesSendRequest) => SesFault | undefined;
const clients: SESClient[] = [];

function clientFor(endpoint: string, maxAttempts?: number): SESClient {
  const client = createSesClient({ region: REGION, endpoint, credentials: ANY_CREDENTIALS, maxAttempts });
  clients.push(client);
  return client;
}

/** Fails every send to `recipient` with `fault` and counts the attempts. */
function failFor(recipient: string, fault: SesFault) {
  const attempts = { count: 0 };
  injectFault = (send) => {
    if (!send.destinations.includes(recipient)) return undefined;
    attempts.count += 1;
    return fault;
  };
  return attempts;
}

/** Lets every send through the front and keeps what each carried. */
function recordSends(): SesSendRequest[] {
  const sends: SesSendRequest[] = [];
  injectFault = (send) => {
    sends.push(send);
    return undefined;
  };
  return sends;
}

/** A port of 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  ses = await startSesLocal();
  faultySes = await startSesLocal({ injectFault: (send) => injectFault(send) });
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await faultySes?.close();
  await ses?.close();
});

beforeEach(async () => {
  injectFault = () => undefined;
  await ses.clear();
});

describe('createSesClient', () => {
  it('retries up to 6 attempts in adaptive mode unless told otherwise', async () => {
    // Arrange
    const defaults = createSesClient({ region: REGION });
    const fewer = createSesClient({ region: REGION, maxAttempts: 2 });
    clients.push(defaults, fewer);

    // Act
    const attempts = [await defaults.config.maxAttempts(), await fewer.config.maxAttempts()];
    const modes = [defaults.config.retryMode, fewer.config.retryMode];

    // Assert
    expect(attempts).toEqual([6, 2]);
    expect(modes).toEqual(['adaptive', 'adaptive']);
  });
});

describe('SesMailer', () => {
  it('describes itself by its region', () => {
    // Arrange
    const client = clientFor(ses.endpoint);

    // Act
    const descriptions = [
      new SesMailer({ client, region: REGION }).description,
      new SesMailer({ client }).description,
    ];

    // Assert
    expect(descriptions).toEqual(['SES (eu-west-1)', 'SES']);
  });

  it('delivers the message with its inline images and CSV attachment through the real SDK', async () => {
    // Arrange
    const mailer = new SesMailer({ client: clientFor(ses.endpoint), region: REGION });
    const message = sampleOutgoingMessage();

    // Act
    const sent = await mailer.send(message);

    // Assert
    const [stored, ...others] = await ses.messages();
    expect(others).toEqual([]);
    expect(sent.messageId).toBe(stored?.messageId);
    expect(stored?.destination.to).toEqual(['ceo@mueller-soehne.example']);
    expect(stored?.from).toBe('"KPI Reports" <reports@kpi.example.com>');
    expect(stored?.subject).toBe('Müller & Söhne: client KPIs for 2026-Q3');
    expect(stored?.body.text).toBe(message.text);
    // The emulator replaces each cid: link with the image as a data URI.
    expect(stored?.body.html).toContain('<h1>Client KPIs, 2026-Q3</h1>');
    expect(stored?.body.html).toContain(`src="data:image/png;base64,${BLUE_PNG.toString('base64')}"`);
    expect(stored?.body.html).toContain(`src="data:image/png;base64,${ORANGE_PNG.toString('base64')}"`);
    const images = stored?.attachments.filter((attachment) => attachment.contentType === 'image/png') ?? [];
    expect(images.map((image) => [image.cid, image.content])).toEqual([
      ['revenue-trend@kpi-report', BLUE_PNG.toString('base64')],
      ['churn-trend@kpi-report', ORANGE_PNG.toString('base64')],
    ]);
    const csv = stored?.attachments.find((attachment) => attachment.filename === 'kpis-2026-Q3.csv');
    expect(csv?.contentType).toBe('text/csv');
    expect(Buffer.from(csv?.content ?? '', 'base64').toString('utf8')).toBe(SAMPLE_CSV);
  });

  it('sends the composed MIME message as SendRawEmail with Source, one destination and the configuration set', async () => {
    // Arrange
    const sends = recordSends();
    const mailer = new SesMailer({
      client: clientFor(faultySes.endpoint),
      configurationSetName: 'kpi-report-events',
    });

    // Act
    const sent = await mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com' }));

    // Assert
    expect(sent.messageId).toMatch(/^ses-\d+$/);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      action: 'SendRawEmail',
      source: 'KPI Reports <reports@kpi.example.com>',
      destinations: ['cfo@example.com'],
      configurationSetName: 'kpi-report-events',
    });
    const parsed = await readEml(sends[0]?.rawMessage ?? Buffer.alloc(0));
    expect(parsed.subject).toBe('Müller & Söhne: client KPIs for 2026-Q3');
    expect(parsed.headers.get('x-kpi-report-quarter')).toBe('2026-Q3');
  });

  it('leaves ConfigurationSetName out when none is configured', async () => {
    // Arrange
    const sends = recordSends();
    const mailer = new SesMailer({ client: clientFor(faultySes.endpoint) });

    // Act
    await mailer.send(sampleOutgoingMessage());

    // Assert
    expect(sends).toHaveLength(1);
    expect(sends[0]?.configurationSetName).toBeUndefined();
  });

  describe('error classification, each error as SES answers it', () => {
    it.each([
      ['MessageRejected', 400, 'Email address is not verified.'],
      ['MailFromDomainNotVerifiedException', 400, 'MAIL FROM domain not verified'],
      ['ConfigurationSetDoesNotExistException', 400, 'Configuration set does not exist'],
      ['AccountSendingPausedException', 400, 'Sending is paused for this account'],
      ['ConfigurationSetSendingPausedException', 400, 'Sending is paused for this configuration set'],
      ['InvalidParameterValue', 400, 'Missing final @domain'],
      ['AccessDenied', 403, 'not authorized to perform ses:SendRawEmail'],
    ])(
      'makes %s (%i) a permanent MailDeliveryError naming the recipient and the error',
      async (code, status, text) => {
        // Arrange
        const attempts = failFor('cfo@example.com', { status, code, message: text });
        const mailer = new SesMailer({ client: clientFor(faultySes.endpoint) });

        // Act
        const sending = mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com' }));

        // Assert
        await expect(sending).rejects.toBeInstanceOf(MailDeliveryError);
        await expect(sending).rejects.toMatchObject({
          permanent: true,
          message: `SES rejected the message to cfo@example.com: ${code}: ${text}`,
          cause: expect.objectContaining({ name: code }),
        });
        expect(attempts.count).toBe(1);
      },
    );

    it.each([
      ['Throttling', 400, 'Maximum sending rate exceeded.'],
      ['TooManyRequestsException', 429, 'Too many requests'],
      ['InternalFailure', 500, 'internal failure'],
      ['ServiceUnavailable', 503, 'service unavailable'],
    ])(
      'makes %s (%i) a transient MailDeliveryError naming the recipient and the error',
      async (code, status, text) => {
        // Arrange: one attempt, so the SDK's own retries do not hide the answer.
        failFor('cfo@example.com', { status, code, message: text });
        const mailer = new SesMailer({ client: clientFor(faultySes.endpoint, 1) });

        // Act
        const sending = mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com' }));

        // Assert
        await expect(sending).rejects.toMatchObject({
          permanent: false,
          message: `SES did not take the message to cfo@example.com after 1 attempts: ${code}: ${text}`,
          cause: expect.objectContaining({ name: code }),
        });
      },
    );

    it('makes a refused connection a transient MailDeliveryError that SES may have taken', async () => {
      // Arrange: a port nothing listens on.
      const closed = await closedPort();
      const mailer = new SesMailer({ client: clientFor(`http://127.0.0.1:${closed}`, 1) });

      // Act
      const sending = mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com' }));

      // Assert
      await expect(sending).rejects.toMatchObject({
        permanent: false,
        maybeAccepted: true,
        message: expect.stringMatching(/^SES did not take the message to cfo@example\.com.*ECONNREFUSED/),
      });
    });

    it('makes a request that times out a transient MailDeliveryError that SES may have taken', async () => {
      // Arrange: a server that takes the request and never answers.
      const silent = createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const client = createSesClient({
        region: REGION,
        endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        credentials: ANY_CREDENTIALS,
        maxAttempts: 1,
        socketTimeoutMs: 200,
      });
      clients.push(client);
      const mailer = new SesMailer({ client });

      // Act
      const sending = mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com' }));

      // Assert
      try {
        await expect(sending).rejects.toMatchObject({
          permanent: false,
          maybeAccepted: true,
          message: expect.stringMatching(
            /^SES did not take the message to cfo@example\.com.*: TimeoutError: /,
          ),
        });
      } finally {
        silent.closeAllConnections();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });
  });

  describe('through the real SDK against SES errors', () => {
    it('fails one recipient permanently on MessageRejected while the next is delivered', async () => {
      // Arrange
      failFor('bounce@example.com', {
        status: 400,
        code: 'MessageRejected',
        message: 'Email address is not verified.',
      });
      const mailer = new SesMailer({ client: clientFor(faultySes.endpoint), region: REGION });

      // Act
      const [rejected, delivered] = await Promise.allSettled([
        mailer.send(sampleOutgoingMessage({ to: 'bounce@example.com' })),
        mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com' })),
      ]);

      // Assert
      expect(rejected).toMatchObject({ status: 'rejected', reason: expect.any(MailDeliveryError) });
      expect(rejected).toMatchObject({
        reason: {
          permanent: true,
          message:
            'SES rejected the message to bounce@example.com: MessageRejected: Email address is not verified.',
          cause: expect.any(MessageRejected),
        },
      });
      expect(delivered).toMatchObject({ status: 'fulfilled' });
      const deliveredId = delivered.status === 'fulfilled' ? delivered.value.messageId : undefined;
      const stored = await ses.messages();
      expect(stored.map((mail) => [mail.messageId, mail.destination.to])).toEqual([
        [deliveredId, ['cfo@example.com']],
      ]);
    });

    // About 2 s: after a throttle, adaptive mode's client-side rate limiter waits for a token.
    it('retries throttling, then gives up after maxAttempts with a transient error', async () => {
      // Arrange
      const attempts = failFor('cfo@example.com', {
        status: 400,
        code: 'Throttling',
        message: 'Maximum sending rate exceeded.',
      });
      const mailer = new SesMailer({ client: clientFor(faultySes.endpoint, 2) });

      // Act
      const sending = mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com' }));

      // Assert
      await expect(sending).rejects.toMatchObject({
        permanent: false,
        message:
          'SES did not take the message to cfo@example.com after 2 attempts: Throttling: Maximum sending rate exceeded.',
      });
      expect(attempts.count).toBe(2);
      expect(await ses.messages()).toEqual([]);
    });

    it('gives up on a 500 after maxAttempts with a transient error', async () => {
      // Arrange
      const attempts = failFor('cfo@example.com', { status: 500, code: 'InternalFailure', message: 'boom' });
      const mailer = new SesMailer({ client: clientFor(faultySes.endpoint, 2) });

      // Act
      const sending = mailer.send(sampleOutgoingMessage({ to: 'cfo@example.com' }));

      // Assert
      await expect(sending).rejects.toMatchObject({ permanent: false, cause: { name: 'InternalFailure' } });
      expect(attempts.count).toBe(2);
    });
  });
});
