/**
 * A run stopped before any work records `failed` with the reason, unless that very run
 * already finished; a store that cannot be written only costs a log line.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { readRunStatus, writeRunStatus } from '../../src/use-cases/report-run';
import { type RunIdentity, recordFailedBeforeWork } from '../../src/wiring/failed-before-work';
import { MemoryExportStore } from '../support/memory-store';

const RUN: RunIdentity = { quarter: '2026-Q3', runId: 'run-1', requestedBy: 'api', dryRun: false };
const NOW = new Date('2026-10-05T06:00:00Z');
const silent = () => new Logger({ logLevel: 'SILENT' });

describe('recordFailedBeforeWork', () => {
  it('records the run as failed with the reason', async () => {
    // Arrange
    const store = new MemoryExportStore();
    await writeRunStatus(store, { ...RUN, status: 'queued', updatedAt: '2026-10-05T05:59:00.000Z' });

    // Act
    await recordFailedBeforeWork({
      store,
      run: RUN,
      now: () => NOW,
      logger: silent(),
      error: 'templates broken',
    });

    // Assert
    expect(await readRunStatus(store, '2026-Q3')).toEqual({
      ...RUN,
      status: 'failed',
      updatedAt: NOW.toISOString(),
      error: 'templates broken',
    });
  });

  it('leaves a finished run of the same id as it was recorded', async () => {
    // Arrange: a repeated request of a run that already succeeded.
    const store = new MemoryExportStore();
    const succeeded = { ...RUN, status: 'succeeded' as const, updatedAt: '2026-10-05T05:00:00.000Z' };
    await writeRunStatus(store, succeeded);

    // Act
    await recordFailedBeforeWork({
      store,
      run: RUN,
      now: () => NOW,
      logger: silent(),
      error: 'templates broken',
    });

    // Assert
    expect(await readRunStatus(store, '2026-Q3')).toMatchObject(succeeded);
  });

  it('logs, and does not throw, when the status cannot be written', async () => {
    // Arrange
    const store = new (class extends MemoryExportStore {
      override async write(): Promise<void> {
        throw new Error('access denied');
      }
    })();
    const logger = silent();
    const logged = vi.spyOn(logger, 'error');

    // Act
    const recording = recordFailedBeforeWork({
      store,
      run: RUN,
      now: () => NOW,
      logger,
      error: 'settings invalid',
    });

    // Assert
    await expect(recording).resolves.toBeUndefined();
    expect(logged).toHaveBeenCalledWith('the failed status could not be recorded', expect.any(Error));
  });
});
