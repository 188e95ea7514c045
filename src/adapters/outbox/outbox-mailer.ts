/**
 * A `Mailer` that delivers into the data root instead of to people: what the CLI and demos
 * use, so a run can be inspected (open the `.eml` in any mail client) without SES.
 */
import { REPORTS_FOLDER, reportKeys } from '../../core/data-root';
import {
  type ExportStore,
  MailDeliveryError,
  type Mailer,
  type OutgoingMessage,
  type SentMessage,
} from '../../core/ports';

/** Content type of a stored whole email. */
export const EML_CONTENT_TYPE = 'message/rfc822';

/**
 * The outbox key of one recipient's message: `reports/<quarter>/report-<recipient key>.eml`
 * (the key is the message's `recipientKey`; for a plain address, the address lower-cased).
 */
export function outboxKey(quarter: string, recipientKey: string): string {
  return `${reportKeys.folder(quarter)}report-${recipientKey}.eml`;
}

/** Where the outbox writes. */
export interface OutboxMailerOptions {
  readonly store: ExportStore;
  /** The quarter being sent, only for `description`; omitted, it names `reports/`. */
  readonly quarter?: string | undefined;
}

/**
 * Writes each message, MIME-encoded exactly as SES would receive it, to
 * `reports/<quarter>/report-<recipient key>.eml` (content type `message/rfc822`; the key is
 * the address, with a hash added when it is not file-name safe) in the store, replacing an
 * earlier file for the same recipient, and reports that key as the message id. A failed write becomes a transient `MailDeliveryError`.
 */
export class OutboxMailer implements Mailer {
  /** `outbox ./data/reports/2026-Q3/`, or `outbox ./data/reports/` without a quarter. */
  readonly description: string;
  readonly #store: ExportStore;

  constructor(options: OutboxMailerOptions) {
    this.#store = options.store;
    const root = options.store.location.replace(/\/+$/, '');
    const folder = options.quarter === undefined ? REPORTS_FOLDER : reportKeys.folder(options.quarter);
    this.description = `outbox ${root}/${folder}`;
  }

  async send(message: OutgoingMessage): Promise<SentMessage> {
    const key = outboxKey(message.quarter, message.recipientKey);
    // MIME (nodemailer) is loaded by the first message only: most local runs write none.
    const { composeMime } = await import('../mime/compose-mime');
    const raw = await composeMime(message);
    try {
      await this.#store.write(key, raw, EML_CONTENT_TYPE);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MailDeliveryError(
        `could not write the message for ${message.to} to ${key}: ${reason}`,
        false,
        {
          cause: error,
        },
      );
    }
    return { messageId: key };
  }
}
