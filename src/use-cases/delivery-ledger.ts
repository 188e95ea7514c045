/**
 * The delivery ledger: which recipients already got a quarter's report, kept next to the
 * report (`reports/<quarter>/deliveries/`), so that a rerun, a retry after a crash, or a
 * second run started at the same time mails each recipient once. Per recipient it keeps a
 * record of the send (`<key>.json`) and a claim (`<key>.claim.json`) that says which run
 * is sending to them. Every change of either is a conditional write: created only if
 * absent (S3 `If-None-Match: *`), or replaced only if unchanged since read (S3 `If-Match`
 * on the ETag), so of two runs racing for one change exactly one makes it. The protocol
 * (README, "Delivery") is driven by `deliverOnce`; this module holds the states and the
 * store operations, and nothing else.
 */
import * as z from 'zod';
import { reportKeys } from '../core/data-root';
import type { ExportStore, VersionedText } from '../core/ports';
import { normaliseAddress, recipientHash, recipientKey } from './recipient-key';

/** How long a claim stays valid without renewal. A live run renews it every `leaseMs / 4`. */
export const DEFAULT_LEASE_MS = 60_000;

/** Who holds a claim: a process id where that means something (one machine), else a name. */
export interface ClaimHolder {
  readonly host: string;
  readonly pid?: number | undefined;
}

/**
 * Whether the run that holds a claim has stopped. `hasStopped` answers true only when that
 * is certain (a process of this machine that no longer exists); otherwise the claim is
 * taken over only once its lease has run out.
 */
export interface RunPresence {
  /** Written into each claim this process takes. */
  readonly self: ClaimHolder;
  hasStopped(holder: ClaimHolder): boolean;
}

/** For processes whose ids mean nothing to other runs (Lambda): leases alone decide. */
export const leaseOnlyPresence: RunPresence = {
  self: { host: 'lease-only' },
  hasStopped: () => false,
};

const deliveryRecordSchema = z.object({
  recipient: z.string(),
  quarter: z.string(),
  sentAt: z.string(),
  /** SES's MessageId (or the outbox key). */
  messageId: z.string(),
  runId: z.string(),
  /** The claim attempt that sent it (SES message tag `kpi-attempt`). */
  attempt: z.string().optional(),
  /** Set when the report was sent again on purpose (`--resend`). */
  resentAt: z.string().optional(),
  /** Set when an earlier run's send was learnt from SES's events instead of from that run. */
  settledBy: z.literal('ses-event').optional(),
  /**
   * Set when this send may have been a second copy (see `UncertainSend`), so that a later run
   * still reports it if the sending run stopped before it could.
   */
  uncertain: z.object({ earlierRunId: z.string(), since: z.string(), reason: z.string() }).optional(),
});
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>;

const claimStateSchema = z.enum(['claimed', 'sending', 'released']);
/**
 * `claimed`: a run is about to send (it has not reached SES); `sending`: it may have
 * reached SES; `released`: nobody is sending, the next run may claim at once.
 */
export type ClaimState = z.infer<typeof claimStateSchema>;

const claimSchema = z.object({
  recipientHash: z.string(),
  runId: z.string(),
  /** Unique per claim taken (one run may claim twice: a retry with the same run id). */
  attempt: z.string(),
  holder: z.object({ host: z.string(), pid: z.number().int().optional() }),
  state: claimStateSchema,
  claimedAt: z.string(),
  /** A live run moves this forward while it waits on SES; past it, the claim may be taken over. */
  expiresAt: z.string(),
  releasedAt: z.string().optional(),
  /**
   * Released after a send that failed without a clear answer (a timeout, a 5xx): SES may
   * have taken the message all the same, so the next send is uncertain too.
   */
  maybeSent: z.boolean().optional(),
  /**
   * An earlier attempt that may have reached SES without a record to show for it, handed
   * down from claim to claim until a send is recorded: every send after it is uncertain.
   */
  uncertainSince: z.object({ runId: z.string(), claimedAt: z.string() }).optional(),
  /**
   * New for every write: S3's ETag is the body's MD5, so without it two writes of equal
   * content (a renewal within one millisecond) would share a version.
   */
  writeId: z.string().optional(),
  /** The claim this one replaced, when its run had stopped. */
  tookOverFrom: z
    .object({ runId: z.string(), attempt: z.string(), state: claimStateSchema, since: z.string() })
    .optional(),
});
export type Claim = z.infer<typeof claimSchema>;

/** A claim as read, with the version a conditional replace needs. */
interface ReadClaim {
  readonly claim: Claim;
  readonly version: string;
}

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

/**
 * Whether the run of `claim` may have reached SES: it was sending when it stopped, or it
 * released the claim after a send that ended without a clear answer.
 */
export function mayHaveReachedSes(claim: Claim): boolean {
  return claim.state === 'sending' || claim.maybeSent === true || claim.uncertainSince !== undefined;
}

/** What a claim replacing `replaced` inherits: the earliest attempt that may have reached SES. */
function uncertainAncestry(replaced: Claim | undefined): Claim['uncertainSince'] {
  if (replaced === undefined) return undefined;
  if (replaced.uncertainSince !== undefined) return replaced.uncertainSince;
  return mayHaveReachedSes(replaced) ? { runId: replaced.runId, claimedAt: replaced.claimedAt } : undefined;
}

/** Sending needs a store that refuses a second create and a stale replace; this one did not. */
export class StoreCannotExcludeError extends Error {
  override readonly name = 'StoreCannotExcludeError';
  constructor(location: string, what: string) {
    super(
      `kpi-report will not send from ${location}: ${what}, so two runs at once could both mail a recipient. ` +
        'Sending keeps its delivery ledger in the data root and needs conditional writes (If-None-Match: * and If-Match), ' +
        'as AWS S3 and a local directory have; s3rver, fauxqs and some S3-compatible servers ignore them. ' +
        'Use such a store for --send, or run without --send to write the messages to the outbox.',
    );
  }
}

/** Conditional writes kept losing: the store is overloaded, or answers 409 to everything. */
export class LedgerContentionError extends Error {
  override readonly name = 'LedgerContentionError';
}

/** A ledger object that is not what the ledger writes: a hand edit, or another program. */
export class LedgerFileError extends Error {
  override readonly name = 'LedgerFileError';
  constructor(location: string, key: string, problem: string) {
    super(
      `${location}/${key} is not a delivery ledger file (${problem}); move it away and run again (the recipient may then be mailed again)`,
    );
  }
}

const JSON_TYPE = 'application/json';
/** Conditional writes lost in a row before a change gives up (each loss is another run's win). */
const MAX_TRIES = 20;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

type ConditionalStore = ExportStore & Required<Pick<ExportStore, 'readVersioned' | 'replaceIfUnchanged'>>;

function conditional(store: ExportStore): ConditionalStore {
  if (store.readVersioned === undefined || store.replaceIfUnchanged === undefined) {
    throw new StoreCannotExcludeError(store.location, 'the store offers no conditional replace');
  }
  return store as ConditionalStore;
}

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

/**
 * A claim this run holds. Each change is a replace of the version it last wrote, so a
 * change fails (resolves `false`) once another run has taken the claim over: this run
 * stalled past its lease and must not go on as if it still held it. Changes are made one
 * at a time (the heartbeat and the sender share the handle).
 */
export class ClaimHandle {
  readonly #ledger: DeliveryLedger;
  readonly #store: ConditionalStore;
  readonly #key: string;
  #current: ReadClaim;
  #lost = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(ledger: DeliveryLedger, store: ConditionalStore, key: string, current: ReadClaim) {
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
