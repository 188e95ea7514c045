/**
 * Records SES's sending events beside the delivery ledger. The configuration set publishes
 * each message's events to EventBridge; a rule sends this stack's (its configuration set)
 * here. Each event of a message kpi-report tagged (`kpi-quarter`, `kpi-run`, `kpi-attempt`,
 * `kpi-recipient`: see `deliverEachOnce`) becomes
 * `reports/<quarter>/deliveries/events/<recipient hash>/<attempt>.<event>.<message id>.json`,
 * holding no address. A run that takes over a claim whose run may have reached SES looks
 * there first (`DeliveryLedger.sesSendEvent`): a recorded send settles it without a second
 * copy. Events of other mail (no kpi tags) are ignored.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import type { ExportStore } from '../../src/core/ports';
import { quarterLabelSchema } from '../../src/core/quarter-label';
import { sesEventFolder } from '../../src/use-cases/delivery-ledger';
import { lambdaSettings } from '../../src/wiring/lambda-environment';

/** SES message tags as events carry them: each name with its values. */
const tag = (pattern: RegExp) => z.tuple([z.string().regex(pattern)]).rest(z.string());

/** The part of an SES event (EventBridge `detail`) the record needs. */
export const sesEventSchema = z.object({
  detail: z.object({
    eventType: z.string().regex(/^[A-Za-z]+$/),
    mail: z.object({
      messageId: z.string().regex(/^[A-Za-z0-9._-]+$/),
      timestamp: z.string(),
      tags: z
        .object({
          'kpi-quarter': z.tuple([quarterLabelSchema]).rest(z.string()),
          'kpi-run': tag(/^[A-Za-z0-9_-]+$/),
          'kpi-attempt': tag(/^[A-Za-z0-9_-]+$/),
          'kpi-recipient': tag(/^[0-9a-f]{12}$/),
        })
        .partial(),
    }),
  }),
});

export interface RecordDeliveryEventDependencies {
  readonly store: ExportStore;
  readonly logger: Logger;
}

export function createRecordDeliveryEventHandler(deps: RecordDeliveryEventDependencies) {
  return async (event: unknown): Promise<{ recorded: string | null }> => {
    const { detail } = sesEventSchema.parse(event);
    const { tags } = detail.mail;
    const quarter = tags['kpi-quarter']?.[0];
    const recipient = tags['kpi-recipient']?.[0];
    const attempt = tags['kpi-attempt']?.[0];
    if (quarter === undefined || recipient === undefined || attempt === undefined) {
      deps.logger.info('an SES event of a message kpi-report did not tag; ignored', {
        eventType: detail.eventType,
      });
      return { recorded: null };
    }
    const eventType = detail.eventType.toLowerCase();
    const key = `${sesEventFolder(quarter, recipient)}${attempt}.${eventType}.${detail.mail.messageId}.json`;
    await deps.store.write(
      key,
      `${JSON.stringify(
        {
          eventType,
          messageId: detail.mail.messageId,
          quarter,
          runId: tags['kpi-run']?.[0],
          attempt,
          recipientHash: recipient,
          sentAt: detail.mail.timestamp,
        },
        null,
        2,
      )}\n`,
      'application/json',
    );
    deps.logger.info('SES event recorded', { eventType, quarter, recipient, key });
    return { recorded: key };
  };
}

let cold: ((event: unknown) => Promise<unknown>) | undefined;
export const handler = (event: unknown): Promise<unknown> => {
  cold ??= createRecordDeliveryEventHandler({
    store: lambdaSettings(process.env).store,
    logger: new Logger(),
  });
  return cold(event);
};
