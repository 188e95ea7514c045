/**
 * Sends each message to its recipient once per quarter, however many runs are going at
 * once and wherever an earlier run stopped: the delivery ledger's protocol (README,
 * "Delivery"). Per recipient: skip if recorded; claim; read the record again (another run
 * may have finished meanwhile); mark the claim `sending`; call SES while renewing the
 * claim; record the send; release the claim. Recipients another run is sending to are
 * looked at again at the end, until that run records or stops.
 */

import { MailDeliveryError, type Mailer, type OutgoingMessage } from '../core/ports';
import type { ClaimHandle } from './claim-handle';
import { type Claim, type DeliveryRecord, mayHaveReachedSes } from './delivery-claims';
import type { DeliveryLedger } from './delivery-ledger';
import { recipientHash } from './recipient-key';

export type DeliveryStatus = 'sent' | 'already-sent' | 'in-progress-elsewhere' | 'failed';

/**
 * The recipient may get (or have got) a second copy: on a `sent` outcome, the run that held
 * the recipient before stopped after it may have reached SES (or this run lost its claim
 * while SES answered); on a `failed` one, SES gave no clear answer, so it may have taken
 * the message, and the next run will send it again.
 */
export interface UncertainSend {
  /** The run that may have sent before. */
  readonly earlierRunId: string;
  /** When that run claimed the recipient. */
  readonly since: string;
  readonly reason: string;
}

export interface DeliveryOutcome {
  readonly recipient: string;
  readonly status: DeliveryStatus;
  readonly messageId?: string;
  /** Why the recipient was not served this time. */
  readonly reason?: string;
  /** For a failure: whether retrying cannot help (the address or sender is rejected). */
  readonly permanent?: boolean;
  /** Set when this run's send may have been the recipient's second copy. */
  readonly uncertain?: UncertainSend;
  /** `already-sent` learnt from SES's events for an earlier run that stopped before recording. */
  readonly settledBy?: 'ses-event';
}

/** How a run waits for recipients another run is sending to. */
export interface WaitForOtherRuns {
  /** Between looks at a held claim. */
  readonly pauseMs: number;
  /** Longest wait in all; then the recipient is left `in-progress-elsewhere`. */
  readonly maxWaitMs: number;
}

export interface DeliverOnceOptions {
  readonly ledger: DeliveryLedger;
  readonly mailer: Mailer;
  /** Identifies the run in claims, records and the SES message tags. */
  readonly runId: string;
  /** Send even to recipients the ledger says were served, replacing their records. */
  readonly resend: boolean;
  /** A new id per claim attempt. @default crypto.randomUUID */
  readonly newAttempt?: () => string;
  /** @default a pause of 1 s, for up to the ledger's lease plus 15 s */
  readonly waitForOtherRuns?: WaitForOtherRuns;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A recipient left to a run that holds their claim: looked at again at the end. */
interface Held {
  readonly kind: 'held';
  readonly heldBy: Claim | undefined;
}

/**
 * Delivers `messages` in order, calling `onOutcome` as each recipient is settled, then looks
 * again at recipients another run held, until they are settled or `maxWaitMs` has passed.
 * Returns the outcomes in the order of `messages`.
 */
export async function deliverEachOnce(
  messages: readonly OutgoingMessage[],
  options: DeliverOnceOptions,
  onOutcome: (outcome: DeliveryOutcome) => void,
): Promise<DeliveryOutcome[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const wait = options.waitForOtherRuns ?? { pauseMs: 1000, maxWaitMs: options.ledger.leaseMs + 15_000 };
  const outcomes = new Map<OutgoingMessage, DeliveryOutcome>();
  let held = new Map<OutgoingMessage, Held>();
  for (const message of messages) {
    const result = await deliverOne(message, options);
    if (result.kind === 'held') held.set(message, result);
    else {
      outcomes.set(message, result.outcome);
      onOutcome(result.outcome);
    }
  }
  // Counted in pauses, not read off the clock, so that a frozen test clock still ends.
  for (let waited = 0; held.size > 0 && waited < wait.maxWaitMs; waited += Math.max(1, wait.pauseMs)) {
    await sleep(wait.pauseMs);
    const stillHeld = new Map<OutgoingMessage, Held>();
    for (const message of held.keys()) {
      const result = await deliverOne(message, options);
      if (result.kind === 'held') stillHeld.set(message, result);
      else {
        outcomes.set(message, result.outcome);
        onOutcome(result.outcome);
      }
    }
    held = stillHeld;
  }
  for (const [message, { heldBy }] of held) {
    const outcome: DeliveryOutcome = {
      recipient: message.to,
      status: 'in-progress-elsewhere',
      reason:
        heldBy === undefined
          ? 'another run took over the claim while this run was about to send'
          : `run ${heldBy.runId} has been sending to them since ${heldBy.claimedAt}`,
    };
    outcomes.set(message, outcome);
    onOutcome(outcome);
  }
  return messages.map((message) => outcomes.get(message) as DeliveryOutcome);
}

type OneResult = Held | { readonly kind: 'settled'; readonly outcome: DeliveryOutcome };

const settled = (outcome: DeliveryOutcome): OneResult => ({ kind: 'settled', outcome });

/**
 * A recipient found recorded. Still uncertain when the record says so (the run that sent
 * it may have stopped before reporting), or when the claim shows another attempt than the
 * recorded one that may have reached SES (it took over, sent, found this record and
 * stopped before it could report a second copy).
 */
function alreadySent(recipient: string, record: DeliveryRecord, claim: Claim | undefined): DeliveryOutcome {
  const otherAttempt =
    claim !== undefined && claim.attempt !== record.attempt && mayHaveReachedSes(claim) ? claim : undefined;
  const uncertain =
    record.uncertain ?? (otherAttempt === undefined ? undefined : uncertainAfter(otherAttempt));
  return {
    recipient,
    status: 'already-sent',
    messageId: record.messageId,
    ...(record.settledBy !== undefined && { settledBy: record.settledBy }),
    ...(uncertain !== undefined && { uncertain }),
  };
}

/** SES message tags: letters, digits, `_` and `-` only, at most 256 characters. */
function tagValue(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
}

async function deliverOne(message: OutgoingMessage, options: DeliverOnceOptions): Promise<OneResult> {
  const { ledger, runId, resend } = options;
  const { to: recipient, quarter } = message;
  if (!resend) {
    const earlier = await ledger.sent(quarter, recipient);
    if (earlier !== undefined) {
      return settled(alreadySent(recipient, earlier, await ledger.currentClaim(quarter, recipient)));
    }
  }
  const attempt = (options.newAttempt ?? (() => crypto.randomUUID()))();
  const claim = await ledger.claim(quarter, recipient, runId, attempt);
  if (claim.kind === 'held') return { kind: 'held', heldBy: claim.heldBy };
  const { handle, replaced } = claim;
  const earlierMayHaveSent = replaced !== undefined && mayHaveReachedSes(replaced);
  if (!resend) {
    // Another run may have sent and recorded between the first look and this claim.
    const recorded = await ledger.sent(quarter, recipient);
    if (recorded !== undefined) {
      // Released, the claim keeps what it inherited: later runs see the same doubt, if any.
      await handle.release();
      return settled(alreadySent(recipient, recorded, handle.claim));
    }
    if (replaced !== undefined && earlierMayHaveSent) {
      const fromEvents = await settleFromSesEvents(ledger, message, replaced);
      if (fromEvents !== undefined) {
        await handle.release();
        return settled(fromEvents);
      }
    }
  }
  if (!(await handle.markSending())) return { kind: 'held', heldBy: undefined };
  const uncertain = replaced !== undefined && earlierMayHaveSent ? uncertainAfter(replaced) : undefined;
  return settled(await sendClaimed(message, options, handle, attempt, uncertain));
}

/** Why a send after `replaced` may be a second copy. */
function uncertainAfter(replaced: Claim): UncertainSend {
  const earliest = replaced.uncertainSince ?? { runId: replaced.runId, claimedAt: replaced.claimedAt };
  const what =
    replaced.uncertainSince !== undefined
      ? `an attempt of run ${earliest.runId} (claimed ${earliest.claimedAt}) may have reached SES and nothing recorded it since`
      : replaced.state === 'sending'
        ? `run ${earliest.runId} stopped while sending to them (claimed ${earliest.claimedAt})`
        : `run ${earliest.runId}'s send (claimed ${earliest.claimedAt}) failed without a clear answer`;
  return {
    earlierRunId: earliest.runId,
    since: earliest.claimedAt,
    reason: `${what}; SES may have taken that message, so this may be a second copy`,
  };
}

/**
 * The earlier run's send as SES reported it (the deployed stack records SES's events), as a
 * record of that send; `undefined` when no event says SES took it.
 */
async function settleFromSesEvents(
  ledger: DeliveryLedger,
  message: OutgoingMessage,
  earlier: Claim,
): Promise<DeliveryOutcome | undefined> {
  const messageId = await ledger.sesSendEvent(message.quarter, message.to, earlier.attempt);
  if (messageId === undefined) return undefined;
  const record: DeliveryRecord = {
    recipient: message.to,
    quarter: message.quarter,
    sentAt: earlier.claimedAt,
    messageId,
    runId: earlier.runId,
    attempt: earlier.attempt,
    settledBy: 'ses-event',
  };
  await ledger.record(record);
  return alreadySent(message.to, (await ledger.sent(message.quarter, message.to)) ?? record, undefined);
}

async function sendClaimed(
  message: OutgoingMessage,
  options: DeliverOnceOptions,
  handle: ClaimHandle,
  attempt: string,
  uncertain: UncertainSend | undefined,
): Promise<DeliveryOutcome> {
  const { ledger, runId, resend } = options;
  const recipient = message.to;
  const tagged: OutgoingMessage = {
    ...message,
    tags: {
      'kpi-quarter': tagValue(message.quarter),
      'kpi-run': tagValue(runId),
      'kpi-attempt': tagValue(attempt),
      'kpi-recipient': recipientHash(recipient),
    },
  };
  // The heartbeat: a live run's claim never runs out while SES (with its retries) answers.
  const heartbeat = setInterval(() => {
    handle.renew().catch(() => undefined);
  }, ledger.leaseMs / 4);
  let messageId: string;
  try {
    ({ messageId } = await options.mailer.send(tagged));
  } catch (error) {
    if (!(error instanceof MailDeliveryError)) throw error;
    await handle.release({ maybeSent: error.maybeAccepted });
    const failed: DeliveryOutcome = {
      recipient,
      status: 'failed',
      reason: error.message,
      permanent: error.permanent,
    };
    if (!error.maybeAccepted) return failed;
    // Reported now, though the copy (if any) was this one: the next run's send is flagged too.
    return {
      ...failed,
      uncertain: {
        earlierRunId: runId,
        since: handle.claim.claimedAt,
        reason:
          'SES gave no clear answer; it may have taken this message, so the next send may be a second copy',
      },
    };
  } finally {
    clearInterval(heartbeat);
  }
  const lostClaim = (): UncertainSend => ({
    earlierRunId: runId,
    since: handle.claim.claimedAt,
    reason:
      'this run lost its claim while SES was answering (it was paused past its lease), and another run may have sent too',
  });
  const flaggedBeforeRecord = uncertain ?? (handle.lost ? lostClaim() : undefined);
  const sentAt = ledger.now().toISOString();
  const first = await ledger.record({
    recipient,
    quarter: message.quarter,
    sentAt,
    messageId,
    runId,
    attempt,
    ...(resend && { resentAt: sentAt }),
    ...(flaggedBeforeRecord !== undefined && { uncertain: flaggedBeforeRecord }),
  });
  await handle.release();
  const flagged = flaggedBeforeRecord ?? (first ? undefined : lostClaim());
  return { recipient, status: 'sent', messageId, ...(flagged !== undefined && { uncertain: flagged }) };
}
