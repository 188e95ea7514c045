/**
 * The function that records SES's events beside the delivery ledger, with events shaped as
 * SES publishes them to EventBridge, on a local data root; then the ledger finds the
 * recorded send of the attempt that stopped.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { createRecordDeliveryEventHandler } from '../../functions/record-delivery-event/index';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { recipientHash } from '../../src/use-cases/recipient-key';
import { createDataRoot, filesUnder, removeDataRoots } from '../support/export-fixtures';

const CEO = 'ceo@example.com';

afterEach(async () => {
  await removeDataRoots();
});

/** An SES event as EventBridge delivers it (`detail` is SES's event record). */
function sesEvent(eventType: string, tags: Record<string, string[]>) {
  return {
    version: '0',
    source: 'aws.ses',
    'detail-type': `Email ${eventType}`,
    detail: {
      eventType,
      mail: {
        timestamp: '2026-10-05T06:01:02.000Z',
        source: 'kpi@example.com',
        messageId: '0102019a-abcdef-000000',
        destination: [CEO],
        tags: { 'ses:configuration-set': ['kpi-report'], ...tags },
      },
      ...(eventType === 'Delivery' && { delivery: { recipients: [CEO] } }),
    },
  };
}

const TAGS = {
  'kpi-quarter': ['2026-Q3'],
  'kpi-run': ['schedule-2026-10-05T06_00_00Z'],
  'kpi-attempt': ['0f8c1a2e-6d3b-4a5c-9e7f-112233445566'],
  'kpi-recipient': [recipientHash(CEO)],
};

describe('the delivery events function', () => {
  it('writes a tagged message’s send event under its recipient hash, without the address, where the ledger finds it', async () => {
    // Arrange
    const root = await createDataRoot();
    const store = new LocalExportStore(root);
    const handler = createRecordDeliveryEventHandler({ store, logger: new Logger({ logLevel: 'SILENT' }) });

    // Act
    const result = await handler(sesEvent('Send', TAGS));
    await handler(sesEvent('Delivery', TAGS));

    // Assert
    const folder = `reports/2026-Q3/deliveries/events/${recipientHash(CEO)}/`;
    expect(result).toEqual({
      recorded: `${folder}0f8c1a2e-6d3b-4a5c-9e7f-112233445566.send.0102019a-abcdef-000000.json`,
    });
    expect(await filesUnder(root, folder)).toEqual([
      '0f8c1a2e-6d3b-4a5c-9e7f-112233445566.delivery.0102019a-abcdef-000000.json',
      '0f8c1a2e-6d3b-4a5c-9e7f-112233445566.send.0102019a-abcdef-000000.json',
    ]);
    const recorded = await readFile(path.join(root, result.recorded as string), 'utf8');
    expect(JSON.parse(recorded)).toEqual({
      eventType: 'send',
      messageId: '0102019a-abcdef-000000',
      quarter: '2026-Q3',
      runId: 'schedule-2026-10-05T06_00_00Z',
      attempt: '0f8c1a2e-6d3b-4a5c-9e7f-112233445566',
      recipientHash: recipientHash(CEO),
      sentAt: '2026-10-05T06:01:02.000Z',
    });
    expect(recorded).not.toContain('@');
    expect(
      await new DeliveryLedger(store).sesSendEvent('2026-Q3', CEO, '0f8c1a2e-6d3b-4a5c-9e7f-112233445566'),
    ).toBe('0102019a-abcdef-000000');
  });

  it('ignores the events of mail kpi-report did not tag, and refuses a tag that would reach outside the folder', async () => {
    // Arrange
    const root = await createDataRoot();
    const handler = createRecordDeliveryEventHandler({
      store: new LocalExportStore(root),
      logger: new Logger({ logLevel: 'SILENT' }),
    });

    // Act
    const untagged = await handler(sesEvent('Send', {}));
    const crafted = handler(sesEvent('Send', { ...TAGS, 'kpi-attempt': ['../../../exports/x'] }));

    // Assert
    expect(untagged).toEqual({ recorded: null });
    await expect(crafted).rejects.toThrow(/kpi-attempt/);
    expect(await filesUnder(root, 'reports')).toEqual([]);
  });
});
