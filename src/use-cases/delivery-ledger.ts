/**
 * The delivery ledger: which recipients already got a quarter's report, kept next to the
 * report (`reports/<quarter>/deliveries/`), so a rerun, or a retry after a crash half-way
 * through the recipient list, mails only those not yet served. Built on the store's
 * conditional create (S3 `If-None-Match: *`), so two runs at once cannot both claim one
 * recipient.
 */
import { recipientSlug } from '../core/email/recipient-slug';
import type { ExportStore } from '../core/ports';
import { reportKeys } from './report-keys';

/** How long a claim protects a send in progress; after that it is taken to be a crashed run. */
export const DEFAULT_CLAIM_TIMEOUT_MS = 2 * 60_000;

export interface DeliveryRecord {
  readonly recipient: string;
  readonly quarter: string;
  readonly sentAt: string;
  readonly messageId: string;
  readonly runId: string;
  /** Set when the report was sent again on purpose (`--resend`). */
  readonly resentAt?: string;
}

interface Claim {
  readonly runId: string;
  readonly claimedAt: string;
  readonly releasedAt?: string;
}

export type ClaimResult =
  | { readonly claimed: true; readonly tookOverFrom?: Claim }
  | { readonly claimed: false; readonly heldBy: Claim };

const JSON_TYPE = 'application/json';
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export class DeliveryLedger {
  readonly #store: ExportStore;
  readonly #claimTimeoutMs: number;

  constructor(store: ExportStore, options: { claimTimeoutMs?: number } = {}) {
    this.#store = store;
    this.#claimTimeoutMs = options.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
  }

  /** The record of an earlier successful send, if any. */
  async sent(quarter: string, recipient: string): Promise<DeliveryRecord | undefined> {
    const text = await this.#store.readText(this.#recordKey(quarter, recipient));
    return text === undefined ? undefined : (JSON.parse(text) as DeliveryRecord);
  }

  /**
   * Claims the right to send to `recipient` for this run. Fails when another run holds a
   * live claim; takes over a claim that was released after a failure, or that is older than
   * the claim timeout (its run stopped mid-send).
   */
  async claim(quarter: string, recipient: string, runId: string, now: Date): Promise<ClaimResult> {
    const key = this.#claimKey(quarter, recipient);
    const mine: Claim = { runId, claimedAt: now.toISOString() };
    if (await this.#store.createIfAbsent(key, json(mine), JSON_TYPE)) return { claimed: true };
    const text = await this.#store.readText(key);
    const held = text === undefined ? undefined : (JSON.parse(text) as Claim);
    const reusable =
      held === undefined ||
      held.runId === runId ||
      held.releasedAt !== undefined ||
      now.getTime() - Date.parse(held.claimedAt) > this.#claimTimeoutMs;
    if (!reusable) return { claimed: false, heldBy: held };
    await this.#store.write(key, json(mine), JSON_TYPE);
    return held === undefined || held.runId === runId || held.releasedAt !== undefined
      ? { claimed: true }
      : { claimed: true, tookOverFrom: held };
  }

  /** Gives a claim back once the send is over (sent or failed), so the next run may claim at once. */
  async release(quarter: string, recipient: string, runId: string, now: Date): Promise<void> {
    const key = this.#claimKey(quarter, recipient);
    const text = await this.#store.readText(key);
    const held = text === undefined ? undefined : (JSON.parse(text) as Claim);
    if (held?.runId !== runId) return;
    await this.#store.write(key, json({ ...held, releasedAt: now.toISOString() }), JSON_TYPE);
  }

  /** Records a successful send; with `resent`, replaces the earlier record. */
  async record(entry: DeliveryRecord): Promise<void> {
    const key = this.#recordKey(entry.quarter, entry.recipient);
    if (entry.resentAt !== undefined) {
      await this.#store.write(key, json(entry), JSON_TYPE);
      return;
    }
    // A record already there means another run recorded it first; the first record stays.
    await this.#store.createIfAbsent(key, json(entry), JSON_TYPE);
  }

  #recordKey(quarter: string, recipient: string): string {
    return `${reportKeys.deliveries(quarter)}${recipientSlug(recipient)}.json`;
  }

  #claimKey(quarter: string, recipient: string): string {
    return `${reportKeys.deliveries(quarter)}${recipientSlug(recipient)}.claim.json`;
  }
}
