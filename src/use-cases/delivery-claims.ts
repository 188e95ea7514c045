/**
 * What the delivery ledger keeps per recipient (see `delivery-ledger.ts`): the record of a
 * send and the claim of the run sending, as zod schemas; who holds a claim and how a run
 * tells that its holder stopped; and what a claim says about whether SES may have been
 * reached.
 */
import * as z from 'zod';

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

export const deliveryRecordSchema = z.object({
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

export const claimStateSchema = z.enum(['claimed', 'sending', 'released']);
/**
 * `claimed`: a run is about to send (it has not reached SES); `sending`: it may have
 * reached SES; `released`: nobody is sending, the next run may claim at once.
 */
export type ClaimState = z.infer<typeof claimStateSchema>;

export const claimSchema = z.object({
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
export interface ReadClaim {
  readonly claim: Claim;
  readonly version: string;
}

/**
 * Whether the run of `claim` may have reached SES: it was sending when it stopped, or it
 * released the claim after a send that ended without a clear answer.
 */
export function mayHaveReachedSes(claim: Claim): boolean {
  return claim.state === 'sending' || claim.maybeSent === true || claim.uncertainSince !== undefined;
}

/** What a claim replacing `replaced` inherits: the earliest attempt that may have reached SES. */
export function uncertainAncestry(replaced: Claim | undefined): Claim['uncertainSince'] {
  if (replaced === undefined) return undefined;
  if (replaced.uncertainSince !== undefined) return replaced.uncertainSince;
  return mayHaveReachedSes(replaced) ? { runId: replaced.runId, claimedAt: replaced.claimedAt } : undefined;
}
