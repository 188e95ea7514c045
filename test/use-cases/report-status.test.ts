import { describe, expect, it } from 'vitest';
import { reportKeys } from '../../src/core/data-root';
import type { RunRequest } from '../../src/core/ports';
import { queueRun } from '../../src/use-cases/queue-run';
import { writeRunStatus } from '../../src/use-cases/report-run';
import { reportStatus } from '../../src/use-cases/report-status';
import { MemoryExportStore } from '../support/memory-store';

const run = {
  quarter: '2026-Q3',
  runId: 'run-1',
  status: 'failed',
  requestedBy: 'api',
  dryRun: false,
  updatedAt: '2026-10-02T08:00:00.000Z',
} as const;

describe('the status of a quarter report', () => {
  it('is not found without a run or a report', async () => {
    const answer = await reportStatus(new MemoryExportStore(), '2026-Q3');

    expect(answer).toEqual({ found: false, reason: 'no run and no report for 2026-Q3' });
  });

  it('shows the run without KPIs when kpis.json is not JSON, instead of failing', async () => {
    // Arrange
    const store = new MemoryExportStore();
    await writeRunStatus(store, run);
    store.put(reportKeys.snapshot('2026-Q3'), '{"schemaVersion": 1, "quart');

    // Act
    const answer = await reportStatus(store, '2026-Q3');

    // Assert
    expect(answer).toEqual({
      found: true,
      quarter: '2026-Q3',
      run,
      generatedAt: null,
      kpis: null,
      reportKey: null,
    });
  });

  it('is not found for a run id that names no run of the quarter', async () => {
    const store = new MemoryExportStore();
    await writeRunStatus(store, run);

    const answer = await reportStatus(store, '2026-Q3', 'run-2');

    expect(answer).toEqual({
      found: false,
      reason: '2026-Q3 has no dry run run-2, and its latest run is another one',
    });
  });
});

describe('a run asked for on demand', () => {
  it('is refused, writing and starting nothing, when the quarter has no export set', async () => {
    // Arrange
    const store = new MemoryExportStore();
    const started: RunRequest[] = [];
    const launcher = { start: async (request: RunRequest) => void started.push(request) };
    const request = { quarter: '2026-Q3', runId: 'run-1', dryRun: false, resend: false };

    // Act
    const outcome = await queueRun({ store, launcher, now: () => new Date(0) }, request);

    // Assert
    expect(outcome).toEqual({
      queued: false,
      reason: 'there is no export set for 2026-Q3 (exports/2026-Q3/ is empty)',
    });
    expect(started).toEqual([]);
    expect(store.objects.size).toBe(0);
  });

  it('is queued, its status written first, when the set exists', async () => {
    const store = new MemoryExportStore();
    store.put('exports/2026-Q3/clients.csv', 'client_id\n');
    const seen: (string | undefined)[] = [];
    const launcher = {
      start: async () => void seen.push(await store.readText(reportKeys.status('2026-Q3'))),
    };
    const request = { quarter: '2026-Q3', runId: 'run-1', dryRun: false, resend: false };

    const outcome = await queueRun({ store, launcher, now: () => new Date(0) }, request);

    expect(outcome).toEqual({ queued: true });
    expect(JSON.parse(seen[0] ?? '{}')).toMatchObject({ runId: 'run-1', status: 'queued' });
  });
});
