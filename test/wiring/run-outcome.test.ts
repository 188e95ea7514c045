/**
 * What the report and reduce functions do with a finished run: the retry policy (a retry
 * while some recipient can still be served, none for SES's permanent rejections) and the
 * metrics and log line, whose recipients are hashes, never addresses.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it, vi } from 'vitest';
import type { DeliveryOutcome } from '../../src/use-cases/deliver-once';
import { recipientHash } from '../../src/use-cases/recipient-key';
import type { ReportRunResult } from '../../src/use-cases/report-run';
import { DeliveryIncompleteError, recordRunOutcome } from '../../src/wiring/run-outcome';
import { sampleSnapshot } from '../support/sample-snapshot';

/** A finished run that served `sent` recipients and left `unserved` unserved. */
function finishedRun(sent: number, unserved: readonly DeliveryOutcome[]): ReportRunResult {
  return {
    snapshot: sampleSnapshot(),
    delivery: {
      htmlKey: 'reports/2026-Q3/report.html',
      textKey: 'reports/2026-Q3/report.txt',
      csvKey: 'reports/2026-Q3/kpis.csv',
      htmlBytes: 1,
      budgetWarnings: [],
      outcomes: unserved,
      unserved,
    },
    status: {
      quarter: '2026-Q3',
      runId: 'run-1',
      status: unserved.length === 0 ? 'succeeded' : 'partial',
      requestedBy: 'schedule',
      dryRun: false,
      updatedAt: '2026-10-05T06:01:00.000Z',
      deliveries: {
        sent,
        alreadySent: 0,
        unserved: unserved.map(({ recipient, reason, permanent }) => ({ recipient, reason, permanent })),
        uncertain: [],
      },
    },
  };
}

function observers() {
  const logger = new Logger({ logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'kpi-report-test', serviceName: 'test' });
  return { logger, metrics, message: 'run finished' };
}

const failed = (recipient: string, permanent: boolean): DeliveryOutcome => ({
  recipient,
  status: 'failed',
  reason: permanent ? 'MessageRejected: address is not verified' : 'Throttling: slow down',
  permanent,
});

describe('recordRunOutcome', () => {
  it('asks for no retry when every recipient was served', () => {
    // Arrange
    const run = finishedRun(3, []);

    // Act
    const recording = () => recordRunOutcome(run, observers());

    // Assert
    expect(recording).not.toThrow();
  });

  it('asks for a retry while a recipient can still be served, naming it by hash only', () => {
    // Arrange
    const run = finishedRun(2, [failed('cfo@example.com', false)]);

    // Act
    const recording = () => recordRunOutcome(run, observers());

    // Assert
    expect(recording).toThrow(DeliveryIncompleteError);
    expect(recording).toThrow(
      `not delivered yet to 1 recipients (${recipientHash('cfo@example.com')}); retrying`,
    );
    expect(recording).not.toThrow(/cfo@example\.com/);
  });

  it('asks for no retry when SES rejected the only unserved recipient for good', () => {
    // Arrange: a retry cannot help; MessagesFailed raises the alarm instead.
    const run = finishedRun(2, [failed('gone@example.com', true)]);
    const watching = observers();
    const metric = vi.spyOn(watching.metrics, 'addMetric');

    // Act
    const recording = () => recordRunOutcome(run, watching);

    // Assert
    expect(recording).not.toThrow();
    expect(metric).toHaveBeenCalledWith('MessagesFailed', 'Count', 1);
    expect(metric).toHaveBeenCalledWith('MessagesSent', 'Count', 2);
  });

  it('counts only the retryable recipients in the retry, when some failures are permanent', () => {
    // Arrange
    const run = finishedRun(0, [failed('gone@example.com', true), failed('cfo@example.com', false)]);

    // Act
    const recording = () => recordRunOutcome(run, observers());

    // Assert
    expect(recording).toThrow(
      `not delivered yet to 1 recipients (${recipientHash('cfo@example.com')}); retrying`,
    );
  });

  it('logs the deliveries with recipients as hashes', () => {
    // Arrange
    const run = finishedRun(1, [failed('gone@example.com', true)]);
    const watching = observers();
    const info = vi.spyOn(watching.logger, 'info');

    // Act
    recordRunOutcome(run, watching);

    // Assert
    expect(info).toHaveBeenCalledWith('run finished', {
      status: 'partial',
      deliveries: {
        sent: 1,
        alreadySent: 0,
        unserved: [{ recipient: recipientHash('gone@example.com'), status: 'failed', permanent: true }],
        uncertain: [],
      },
    });
    expect(JSON.stringify(info.mock.calls)).not.toContain('gone@example.com');
  });
});
