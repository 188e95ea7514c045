/**
 * A claim of the delivery ledger that this run holds, and the store operations both the
 * ledger and the handle use: conditional writes of JSON, given up after `MAX_TRIES` lost
 * in a row.
 */
import type { ExportStore } from '../core/ports';
import type { Claim, ReadClaim } from './delivery-claims';
import { LedgerContentionError, StoreCannotExcludeError } from './delivery-ledger-errors';

export const JSON_TYPE = 'application/json';
/** Conditional writes lost in a row before a change gives up (each loss is another run's win). */
export const MAX_TRIES = 20;
export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export type ConditionalStore = ExportStore &
  Required<Pick<ExportStore, 'readVersioned' | 'replaceIfUnchanged'>>;

export function conditional(store: ExportStore): ConditionalStore {
  if (store.readVersioned === undefined || store.replaceIfUnchanged === undefined) {
    throw new StoreCannotExcludeError(store.location, 'the store offers no conditional replace');
  }
  return store as ConditionalStore;
}

/** What a claim handle needs of the ledger that made it. */
export interface ClaimOwner {
  readonly leaseMs: number;
  readonly now: () => Date;
  parseClaim(key: string, text: string): Claim;
}

/**
 * A claim this run holds. Each change is a replace of the version it last wrote, so a
 * change fails (resolves `false`) once another run has taken the claim over: this run
 * stalled past its lease and must not go on as if it still held it. Changes are made one
 * at a time (the heartbeat and the sender share the handle).
 */
export class ClaimHandle {
  readonly #ledger: ClaimOwner;
  readonly #store: ConditionalStore;
  readonly #key: string;
  #current: ReadClaim;
  #lost = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(ledger: ClaimOwner, store: ConditionalStore, key: string, current: ReadClaim) {
    this.#ledger = ledger;
    this.#store = store;
    this.#key = key;
    this.#current = current;
  }

  get claim(): Claim {
    return this.#current.claim;
  }

  /** True once a change found the claim taken over by another run. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Marks that this run is about to call SES: a takeover from here on is uncertain. */
  markSending(): Promise<boolean> {
    return this.#change((claim) => ({ ...claim, state: 'sending', expiresAt: this.#expiry() }));
  }

  /** Moves the lease forward (the heartbeat while SES is called). */
  renew(): Promise<boolean> {
    return this.#change((claim) => ({ ...claim, expiresAt: this.#expiry() }));
  }

  /**
   * Gives the claim back: nobody is sending any more, so the next run may claim at once.
   * `maybeSent` after a send that failed without a clear answer.
   */
  release(options: { maybeSent?: boolean } = {}): Promise<boolean> {
    return this.#change((claim) => ({
      ...claim,
      state: 'released',
      releasedAt: this.#ledger.now().toISOString(),
      ...(options.maybeSent === true && { maybeSent: true }),
    }));
  }

  #expiry(): string {
    return new Date(this.#ledger.now().getTime() + this.#ledger.leaseMs).toISOString();
  }

  #change(update: (claim: Claim) => Claim): Promise<boolean> {
    const next = this.#queue.then(async () => {
      for (let tries = 0; tries < MAX_TRIES && !this.#lost; tries += 1) {
        const body = json({ ...update(this.#current.claim), writeId: crypto.randomUUID() });
        const replaced = await this.#store.replaceIfUnchanged(
          this.#key,
          body,
          JSON_TYPE,
          this.#current.version,
        );
        // Read back either way: a lost replace may have lost to a rival (the claim is gone) or
        // only to a passing conflict (S3's 409), after which the claim is still this run's.
        const read = await this.#store.readVersioned(this.#key);
        const claim = read === undefined ? undefined : this.#ledger.parseClaim(this.#key, read.text);
        if (read === undefined || claim?.attempt !== this.#current.claim.attempt) {
          this.#lost = true;
          return false;
        }
        this.#current = { claim, version: read.version };
        if (replaced) return true;
      }
      if (!this.#lost)
        throw new LedgerContentionError(`could not update ${this.#key}: ${MAX_TRIES} writes lost in a row`);
      return false;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
