/**
 * The report function when SES rejects a recipient for good (an unverified address in the
 * sandbox): the run ends `failed`, with the recipient and SES's reason in status.json, the
 * MessagesFailed metric the alarm watches, and no address anywhere in the function's log
 * output. Real SDK, s3rver behind the conditional-write front, the SES emulator.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRunReportHandler } from '../../functions/run-report/index';
import { createSesClient, SesMailer } from '../../src/adapters/ses/ses-mailer';
import { parseConfig } from '../../src/core/config';
import { DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { openEmailRendering } from '../../src/wiring/email-delivery';
import { captureOutput } from '../support/capture-output';
import { exampleDataRoot, useLocalAws } from '../support/local-report-handlers';
import { rejectingSendsTo } from '../support/ses-local';

const REJECTED = "o'neil@example.com";
const CONFIG = parseConfig({
  companyName: 'Smith & Jones',
  rejectLimitPercent: 50,
  email: {
    from: 'KPI report <kpi@example.com>',
    recipients: [{ address: 'ceo@example.com' }, { address: REJECTED }],
  },
});

// SES answers a send to the rejected address as it does for an unverified one in the sandbox.
const aws = useLocalAws('kpi-data', rejectingSendsTo(REJECTED));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the report function, when SES rejects a recipient for good', () => {
  it('ends the run failed with the reason in status.json, counts it for the alarm, and logs no address', async () => {
    // Arrange
    const store = await exampleDataRoot(aws, 'permanent');
    const client = createSesClient({
      region: 'eu-west-1',
      endpoint: aws.ses.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const handler = createRunReportHandler({
      store,
      config: CONFIG,
      rendering: () => openEmailRendering(CONFIG),
      delivery: () => ({ mailer: new SesMailer({ client }), ledger: new DeliveryLedger(store) }),
      logger: new Logger({ serviceName: 'kpi-report', logLevel: 'DEBUG' }),
      metrics: new Metrics({ namespace: 'kpi-report', serviceName: 'kpi-report' }),
      now: () => new Date('2026-10-05T06:00:05.000Z'),
    });
    const output = captureOutput();

    // Act
    const result = await handler({ source: 'schedule', scheduledTime: '2026-10-05T06:00:00Z' });

    // Assert
    const logged = `${output.stdout()}${output.stderr()}`;
    vi.restoreAllMocks();
    expect(result).toMatchObject({ status: 'failed' });
    expect(JSON.parse((await store.readText('reports/2026-Q3/status.json')) ?? '{}')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^SES rejected 1 of 2 recipients for good/),
      deliveries: {
        sent: 1,
        unserved: [
          {
            recipient: REJECTED,
            permanent: true,
            reason: expect.stringContaining('MessageRejected: Email address is not verified.'),
          },
        ],
      },
    });
    expect(logged).toContain('"MessagesFailed":1');
    expect(logged).toContain('report run finished');
    expect(logged).not.toMatch(/ceo@example\.com|o'neil@example\.com/i);
  });
});
