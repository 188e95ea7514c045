/**
 * The heartbeat on a real local data root: when the last completed quarter's report is
 * overdue, counted in days after the quarter's end in the reporting time zone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { parseConfig } from '../../src/core/config';
import { waitForExports } from '../../src/use-cases/await-exports';
import { DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { checkReportHeartbeat } from '../../src/use-cases/report-heartbeat';
import { createDataRoot, removeDataRoots } from '../support/export-fixtures';

const CONFIG = parseConfig({
  timeZone: 'Europe/Paris',
  email: { send: true, recipients: [{ address: 'ceo@example.com' }, { address: 'cfo@example.com' }] },
});
// 2026-Q3 ends on 30 September; due 8 days later, by the end of 8 October (Paris time).
const ON_DUE_DAY = new Date('2026-10-08T21:59:00Z'); // 23:59 in Paris
const AFTER_DUE_DAY = new Date('2026-10-08T22:01:00Z'); // 00:01 on 9 October in Paris

afterEach(async () => {
  await removeDataRoots();
});

async function published(store: LocalExportStore, recipients: readonly string[]) {
  await store.write('reports/2026-Q3/kpis.json', '{}', 'application/json');
  const ledger = new DeliveryLedger(store);
  for (const recipient of recipients) {
    await ledger.record({
      recipient,
      quarter: '2026-Q3',
      sentAt: '2026-10-05T06:01:00Z',
      messageId: 'm',
      runId: 'r',
    });
  }
}

describe('checkReportHeartbeat', () => {
  it('is quiet until the due day has passed in the reporting time zone, then says the report is overdue', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());

    // Act
    const onDueDay = await checkReportHeartbeat({ store, config: CONFIG }, { now: ON_DUE_DAY, dueDays: 8 });
    const after = await checkReportHeartbeat({ store, config: CONFIG }, { now: AFTER_DUE_DAY, dueDays: 8 });

    // Assert
    expect(onDueDay).toEqual({ quarter: '2026-Q3', overdue: false, reason: 'due by the end of 2026-10-08' });
    expect(after).toEqual({
      quarter: '2026-Q3',
      overdue: true,
      reason: 'the 2026-Q3 report was due by the end of 2026-10-08 and has not gone out (last run: none)',
    });
  });

  it('counts the report out only once every recipient has a delivery record', async () => {
    // Arrange
    const partly = new LocalExportStore(await createDataRoot());
    await published(partly, ['ceo@example.com']);
    const fully = new LocalExportStore(await createDataRoot());
    await published(fully, ['ceo@example.com', 'cfo@example.com']);

    // Act
    const [missingOne, all] = await Promise.all(
      [partly, fully].map((store) =>
        checkReportHeartbeat({ store, config: CONFIG }, { now: AFTER_DUE_DAY, dueDays: 8 }),
      ),
    );

    // Assert
    expect(missingOne?.overdue).toBe(true);
    expect(all).toMatchObject({ overdue: false, reason: 'reported' });
  });

  it('stays quiet while the scheduled run waits for its exports within its window, not after', async () => {
    // Arrange
    const store = new LocalExportStore(await createDataRoot());
    await waitForExports(
      { store, notifier: undefined },
      {
        quarter: '2026-Q3',
        runId: 'schedule-2026-10-05T04:00:00Z',
        scheduledTime: '2026-10-05T04:00:00.000Z',
        problems: ['surveys is missing'],
        now: new Date('2026-10-05T04:00:05Z'),
        windowDays: 30,
      },
    );

    // Act
    const waiting = await checkReportHeartbeat({ store, config: CONFIG }, { now: AFTER_DUE_DAY, dueDays: 8 });
    const expired = await checkReportHeartbeat(
      { store, config: CONFIG },
      { now: new Date('2026-11-04T04:00:01Z'), dueDays: 8 },
    );

    // Assert
    expect(waiting).toMatchObject({
      overdue: false,
      reason: 'waiting for its exports until 2026-11-04T04:00:00.000Z',
    });
    expect(expired).toMatchObject({
      overdue: true,
      reason: expect.stringContaining('last run: waiting-for-exports'),
    });
  });
});
