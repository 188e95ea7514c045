/**
 * The delivery ledger: which recipients already got a quarter's report, kept next to the
 * report (`reports/<quarter>/deliveries/`), so that a rerun, a retry after a crash, or a
 * second run started at the same time mails each recipient once. Per recipient it keeps a
 * record of the send (`<key>.json`) and a claim (`<key>.claim.json`) that says which run
 * is sending to them. Every change of either is a conditional write: created only if
 * absent (S3 `If-None-Match: *`), or replaced only if unchanged since read (S3 `If-Match`
 * on the ETag), so of two runs racing for one change exactly one makes it. The protocol
 * (README, "Delivery") is driven by `deliverOnce`; this module holds the store operations,
 * `delivery-claims.ts` the records and claims, `claim-handle.ts` a claim being held.
 */
import type * as z from 'zod';
import { reportKeys } from '../core/data-root';
import type { ExportStore, VersionedText } from '../core/ports';
import { ClaimHandle, conditional, JSON_TYPE, json, MAX_TRIES } from './claim-handle';
import {
  type Claim,
  claimSchema,
  DEFAULT_LEASE_MS,
  type DeliveryRecord,
  deliveryRecordSchema,
  leaseOnlyPresence,
  type ReadClaim,
  type RunPresence,
  uncertainAncestry,
} from './delivery-claims';
import { LedgerContentionError, LedgerFileError, StoreCannotExcludeError } from './delivery-ledger-errors';
import { normaliseAddress, recipientHash, recipientKey } from './recipient-key';

/**
 * What trying to claim a recipient came to. `replaced` is the claim this one replaced: a
 * released one, or one whose run had stopped (`tookOver`).
 */
export type ClaimAttempt =
  | {
      readonly kind: 'claimed';
      readonly handle: ClaimHandle;
      readonly replaced?: Claim;
      readonly tookOver: boolean;
    }
  | { readonly kind: 'held'; readonly heldBy: Claim };

/** Options of a ledger. */
export interface DeliveryLedgerOptions {
  /** @default DEFAULT_LEASE_MS */
  readonly leaseMs?: number;
  /** @default leaseOnlyPresence */
  readonly presence?: RunPresence;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * The ledger of one data root. Reads of ledger files are validated; a file that is not one
 * fails with `LedgerFileError` naming it.
 */
export class DeliveryLedger {
  readonly #store: ExportStore;
  readonly leaseMs: number;
  readonly presence: RunPresence;
  readonly now: () => Date;

  constructor(store: ExportStore, options: DeliveryLedgerOptions = {}) {
    this.#store = store;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.presence = options.presence ?? leaseOnlyPresence;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Proves the store excludes before anything is sent: a second create of one key must be
   * refused, and so must a replace of a version already replaced. Throws
   * `StoreCannotExcludeError` otherwise (s3rver, for one, accepts both). Four small
   * requests on `deliveries/conditional-write-probe.json`; concurrent probes are fine.
   */
  async checkExclusion(quarter: string): Promise<void> {
    const store = conditional(this.#store);
    const key = `${reportKeys.deliveries(quarter)}conditional-write-probe.json`;
    // Unique bodies: S3's ETag is the body's MD5, so two equal bodies would share a version.
    const body = () => json({ probedAt: this.now().toISOString(), writeId: crypto.randomUUID() });
    await store.createIfAbsent(key, body(), JSON_TYPE);
    if (await store.createIfAbsent(key, body(), JSON_TYPE)) {
      throw new StoreCannotExcludeError(store.location, `a second create of ${key} succeeded`);
    }
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const read = await store.readVersioned(key);
      if (read === undefined)
        throw new StoreCannotExcludeError(store.location, `${key} vanished after it was created`);
      // Lost to a concurrent probe: read again.
      if (!(await store.replaceIfUnchanged(key, body(), JSON_TYPE, read.version))) continue;
      if (await store.replaceIfUnchanged(key, body(), JSON_TYPE, read.version)) {
        throw new StoreCannotExcludeError(
          store.location,
          `a replace of ${key} at a version already replaced succeeded`,
        );
      }
      return;
    }
    throw new StoreCannotExcludeError(store.location, `no replace of ${key} succeeded in five tries`);
  }

  /**
   * The record of an earlier send to `recipient`, if any. A record under the recipient's key
   * for another address (an older ledger named both `o'neil@` and `o_neil@` alike) is not
   * theirs.
   */
  async sent(quarter: string, recipient: string): Promise<DeliveryRecord | undefined> {
    const key = this.#recordKey(quarter, recipient);
    const text = await this.#store.readText(key);
    if (text === undefined) return undefined;
    const record = this.#parse(key, text, deliveryRecordSchema);
    return normaliseAddress(record.recipient) === normaliseAddress(recipient) ? record : undefined;
  }

  /**
   * Records a send. The first record stays: `false` when one was already there (another run
   * recorded first). With `resentAt`, replaces the earlier record instead.
   */
  async record(entry: DeliveryRecord): Promise<boolean> {
    const store = conditional(this.#store);
    const key = this.#recordKey(entry.quarter, entry.recipient);
    for (let tries = 0; tries < MAX_TRIES; tries += 1) {
      const earlier = await store.readVersioned(key);
      if (earlier === undefined) {
        // A lost create is read again: another run's record, or only a passing 409.
        if (await store.createIfAbsent(key, json(entry), JSON_TYPE)) return true;
      } else if (entry.resentAt === undefined) {
        return false;
      } else if (await store.replaceIfUnchanged(key, json(entry), JSON_TYPE, earlier.version)) {
        return true;
      }
    }
    throw new LedgerContentionError(
      `could not replace ${store.location}/${key}: ${MAX_TRIES} other writes came first`,
    );
  }

  /**
   * Claims `recipient` for run `runId` with a new attempt id: creates the claim, or replaces
   * a released one, or takes over one whose run has stopped (its lease ran out, or its
   * process is known to be gone). A live claim of another run comes back as `held`.
   */
  async claim(quarter: string, recipient: string, runId: string, attempt: string): Promise<ClaimAttempt> {
    const store = conditional(this.#store);
    const key = this.#claimKey(quarter, recipient);
    const fresh = (replaced?: Claim, tookOverFrom?: Claim): Claim => {
      const now = this.now();
      const uncertainSince = uncertainAncestry(replaced);
      return {
        recipientHash: recipientHash(recipient),
        runId,
        attempt,
        writeId: crypto.randomUUID(),
        holder: this.presence.self,
        state: 'claimed',
        claimedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + this.leaseMs).toISOString(),
        ...(uncertainSince !== undefined && { uncertainSince }),
        ...(tookOverFrom !== undefined && {
          tookOverFrom: {
            runId: tookOverFrom.runId,
            attempt: tookOverFrom.attempt,
            state: tookOverFrom.state,
            since: tookOverFrom.claimedAt,
          },
        }),
      };
    };
    for (let tries = 0; tries < MAX_TRIES; tries += 1) {
      if (await store.createIfAbsent(key, json(fresh()), JSON_TYPE)) {
        const mine = await this.#readClaim(key);
        // Replaced already: this run stalled past its lease before it even read its claim.
        if (mine?.claim.attempt !== attempt) continue;
        return { kind: 'claimed', handle: new ClaimHandle(this, store, key, mine), tookOver: false };
      }
      const held = await this.#readClaim(key);
      if (held === undefined) continue;
      const { claim } = held;
      const stopped = claim.state !== 'released' && this.#hasStopped(claim);
      if (claim.state !== 'released' && !stopped) return { kind: 'held', heldBy: claim };
      const replacement = fresh(claim, stopped ? claim : undefined);
      if (!(await store.replaceIfUnchanged(key, json(replacement), JSON_TYPE, held.version))) continue;
      const mine = await this.#readClaim(key);
      if (mine?.claim.attempt !== attempt) continue;
      return {
        kind: 'claimed',
        handle: new ClaimHandle(this, store, key, mine),
        replaced: claim,
        tookOver: stopped,
      };
    }
    throw new LedgerContentionError(
      `could not claim ${store.location}/${key}: ${MAX_TRIES} other writes came first`,
    );
  }

  /**
   * The claim of `recipient` as it stands, if any: after a record was found, it tells whether
   * a run other than the recorded one may also have reached SES.
   */
  async currentClaim(quarter: string, recipient: string): Promise<Claim | undefined> {
    return (await this.#readClaim(this.#claimKey(quarter, recipient)))?.claim;
  }

  /**
   * The message id of a send SES reported for `attempt` (its `kpi-attempt` tag), from the
   * events the deployed stack records under `deliveries/events/<recipient hash>/`; `undefined`
   * when none was recorded (always so outside AWS).
   */
  async sesSendEvent(quarter: string, recipient: string, attempt: string): Promise<string | undefined> {
    const prefix = `${sesEventFolder(quarter, recipientHash(recipient))}${attempt}.`;
    for await (const object of this.#store.list(prefix)) {
      const match = /\.(send|delivery)\.([^/]+)\.json$/.exec(object.key);
      if (match?.[2] !== undefined) return match[2];
    }
    return undefined;
  }

  #hasStopped(claim: Claim): boolean {
    return Date.parse(claim.expiresAt) < this.now().getTime() || this.presence.hasStopped(claim.holder);
  }

  async #readClaim(key: string): Promise<ReadClaim | undefined> {
    const read: VersionedText | undefined = await conditional(this.#store).readVersioned(key);
    return read === undefined
      ? undefined
      : { claim: this.#parse(key, read.text, claimSchema), version: read.version };
  }

  #parse<T>(key: string, text: string, schema: z.ZodType<T>): T {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new LedgerFileError(this.#store.location, key, `not JSON: ${(error as Error).message}`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LedgerFileError(
        this.#store.location,
        key,
        `${issue?.path.join('.') || '(file)'}: ${issue?.message}`,
      );
    }
    return parsed.data;
  }

  #recordKey(quarter: string, recipient: string): string {
    return `${reportKeys.deliveries(quarter)}${recipientKey(recipient)}.json`;
  }

  #claimKey(quarter: string, recipient: string): string {
    return `${reportKeys.deliveries(quarter)}${recipientKey(recipient)}.claim.json`;
  }

  /** For `ClaimHandle`: parses a claim read back. */
  parseClaim(key: string, text: string): Claim {
    return this.#parse(key, text, claimSchema);
  }
}

/**
 * Where the deployed stack records SES's events for one recipient:
 * `deliveries/events/<recipient hash>/<attempt>.<event>.<message id>.json`.
 */
export function sesEventFolder(quarter: string, hash: string): string {
  return `${reportKeys.deliveries(quarter)}events/${hash}/`;
}
