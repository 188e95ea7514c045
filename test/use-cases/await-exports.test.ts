/**
 * The scheduled run that waits for its exports, on a real local data root: the wait and
 * its one notice, the start by exactly one of several validations, and the end of a wait
 * that outlived its window.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import type { OpsNotifier, RunLauncher, RunRequest } from '../../src/core/ports';
import { expireWaitingRun, resumeWaitingRun, waitForExports } from '../../src/use-cases/await-exports';
import { readRunStatus } from '../../src/use-cases/report-run';
import { createDataRoot, removeDataRoots } from '../support/export-fixtures';

const SCHEDULED = '2026-10-05T06:00:00.000Z';
const NOW = new Date('2026-10-05T06:00:05.000Z');
const DAY = 86_400_000;
const later = (days: number) => new Date(NOW.getTime() + days * DAY);

afterEach(async () => {
  await removeDataRoots();
});

function recorders() {
  const notices: { subject: string; message: string }[] = [];
  const started: RunRequest[] = [];
  const notifier: OpsNotifier = {
    notify: async (subject, message) => void notices.push({ subject, message }),
  };
  const launcher: RunLauncher = { start: async (request) => void started.push(request) };
  return { notices, started, notifier, launcher };
}

const request = (now: Date) => ({
  quarter: '2026-Q3',
  runId: `schedule-${SCHEDULED}`,
  scheduledTime: SCHEDULED,
  problems: ['the required dataset surveys is missing (exports/2026-Q3/surveys.csv)'],
  now,
  windowDays: 30,
});

describe('waitForExports', () => {
  it('records what the run waits for until when, and tells operations once however often it is asked', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());
    const { notices, notifier } = recorders();

    // Act
    const first = await waitForExports({ store, notifier }, request(NOW));
    const repeat = await waitForExports({ store, notifier }, request(later(1)));

    // Assert
    expect(first).toMatchObject({
      status: 'waiting-for-exports',
      requestedBy: 'schedule',
      waiting: {
        since: NOW.toISOString(),
        until: '2026-11-04T06:00:00.000Z',
        scheduledTime: SCHEDULED,
        problems: [expect.stringContaining('surveys is missing')],
        notifiedAt: NOW.toISOString(),
      },
    });
    expect(repeat.waiting).toEqual(first.waiting);
    expect(await readRunStatus(store, '2026-Q3')).toMatchObject({ status: 'waiting-for-exports' });
    expect(notices).toEqual([
      {
        subject: 'kpi-report: the 2026-Q3 report is waiting for its exports',
        message: expect.stringMatching(
          /surveys is missing[\s\S]*the run starts by itself as soon as the set is valid, until 2026-11-04T06:00:00\.000Z/,
        ),
      },
    ]);
  });
});

describe('resumeWaitingRun', () => {
  it('starts the waiting run exactly once when several validations find the set valid at once', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());
    const { started, launcher, notifier } = recorders();
    await waitForExports({ store, notifier }, request(NOW));

    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        resumeWaitingRun({ store, launcher }, { quarter: '2026-Q3', now: later(2) }),
      ),
    );

    // Assert
    expect(outcomes.filter((outcome) => outcome === 'started')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'started-elsewhere')).toHaveLength(4);
    expect(started).toEqual([
      {
        runId: `schedule-${SCHEDULED}`,
        quarter: '2026-Q3',
        dryRun: false,
        resend: false,
        requestedBy: 'schedule',
      },
    ]);
    expect(await readRunStatus(store, '2026-Q3')).toMatchObject({ status: 'queued' });
  });

  it('starts nothing when no run waits, or when the wait outlived its window', async () => {
    // Arrange
    const quiet = new LocalExportStore(await createDataRoot());
    const expired = new LocalExportStore(await createDataRoot());
    const { started, launcher, notifier } = recorders();
    await waitForExports({ store: expired, notifier }, request(NOW));

    // Act
    const none = await resumeWaitingRun({ store: quiet, launcher }, { quarter: '2026-Q3', now: later(2) });
    const late = await resumeWaitingRun({ store: expired, launcher }, { quarter: '2026-Q3', now: later(31) });

    // Assert
    expect([none, late]).toEqual(['not-waiting', 'expired']);
    expect(started).toEqual([]);
  });
});

describe('expireWaitingRun', () => {
  it('ends a wait past its window as failed, saying why, and tells operations', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());
    const { notices, notifier } = recorders();
    await waitForExports({ store, notifier }, request(NOW));

    // Act
    const within = await expireWaitingRun({ store, notifier }, { quarter: '2026-Q3', now: later(29) });
    const past = await expireWaitingRun({ store, notifier }, { quarter: '2026-Q3', now: later(31) });
    const again = await expireWaitingRun({ store, notifier }, { quarter: '2026-Q3', now: later(32) });

    // Assert
    expect([within, past, again]).toEqual([false, true, false]);
    expect(await readRunStatus(store, '2026-Q3')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('no valid export set arrived by 2026-11-04T06:00:00.000Z'),
    });
    expect(notices.map((notice) => notice.subject)).toEqual([
      'kpi-report: the 2026-Q3 report is waiting for its exports',
      'kpi-report: the 2026-Q3 report gave up waiting for its exports',
    ]);
  });
});
