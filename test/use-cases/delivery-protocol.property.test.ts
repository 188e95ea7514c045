/**
 * Model-checks the delivery protocol: the real `deliverEachOnce` and `DeliveryLedger`, two or
 * three runs at once over one store, with fast-check's scheduler choosing the order of every
 * store call, send and pause. Runs crash at any step, before or after the step took effect
 * (the SES window among them: SES took the message, the run died before recording it); the
 * store loses conditional writes to invented rivals (S3's 409) besides answering 412 and
 * 200 as the data says; SES fails a send, sometimes after taking it (a lost answer); a run
 * stalls past its lease while the others take over. Then runs go again, without faults,
 * until one serves everyone. Whatever happened, nobody is missed, every recipient mailed more
 * than once was reported `uncertain` by some run that finished, the record names a message
 * SES took, and without crashes, stalls or lost answers nobody is mailed twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExportStore,
  MailDeliveryError,
  type Mailer,
  type OutgoingMessage,
  type VersionedText,
} from '../../src/core/ports';
import { type DeliveryOutcome, deliverEachOnce } from '../../src/use-cases/deliver-once';
import type { RunPresence } from '../../src/use-cases/delivery-claims';
import { DeliveryLedger } from '../../src/use-cases/delivery-ledger';
import { LedgerContentionError } from '../../src/use-cases/delivery-ledger-errors';
import { MemoryExportStore } from '../support/memory-store';
import { sampleOutgoingMessage } from '../support/sample-outgoing-message';

const QUARTER = '2026-Q3';
const RECIPIENTS = ["o'neil@example.com", 'o_neil@example.com', 'cfo@example.com'];
/** Long enough that no lease runs out by itself: stalls are modelled explicitly. */
const LEASE_MS = 1e9;

class Crash extends Error {
  override readonly name = 'Crash';
}

/** What one run does wrong, if anything. */
interface RunPlan {
  /** The step (store call or send) at which the run dies, and whether that step took effect first. */
  readonly crash: { readonly atStep: number; readonly afterEffect: boolean } | undefined;
  /** Steps at which a conditional write is lost to a rival (409), cycling. */
  readonly conflicts: readonly boolean[];
  /** Sends that fail: `rejected` never reached SES, `lost-answer` did. */
  readonly sendFailures: readonly ('none' | 'rejected' | 'lost-answer')[];
  /** The others take this run's claims over as if its lease ran out, while it goes on. */
  readonly stalls: boolean;
}

const runPlan: fc.Arbitrary<RunPlan> = fc.record({
  crash: fc.option(fc.record({ atStep: fc.nat({ max: 40 }), afterEffect: fc.boolean() }), { nil: undefined }),
  conflicts: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
  sendFailures: fc.array(fc.constantFrom('none', 'none', 'rejected', 'lost-answer'), {
    minLength: 1,
    maxLength: 4,
  }),
  stalls: fc.boolean(),
});

/** Every message SES took, per recipient. */
class SesModel {
  readonly taken = new Map<string, string[]>();
  #ids = 0;

  take(recipient: string): string {
    this.#ids += 1;
    const id = `ses-${this.#ids}`;
    this.taken.set(recipient, [...(this.taken.get(recipient) ?? []), id]);
    return id;
  }
}

/** One run's view of the world: the shared store and SES, each step scheduled and maybe faulted. */
function faultyWorld(
  shared: MemoryExportStore,
  ses: SesModel,
  plan: RunPlan,
  step: (label: string) => Promise<void>,
): { store: ExportStore; mailer: Mailer } {
  let steps = 0;
  let conditionals = 0;
  let sends = 0;
  /** Waits for the scheduler, then runs `effect` unless the run dies here. */
  const act = async <T>(label: string, effect: () => Promise<T>): Promise<T> => {
    await step(label);
    steps += 1;
    const crash = plan.crash !== undefined && plan.crash.atStep === steps ? plan.crash : undefined;
    if (crash !== undefined && !crash.afterEffect) throw new Crash(`before ${label}`);
    const result = await effect();
    if (crash !== undefined) throw new Crash(`after ${label}`);
    return result;
  };
  const conflicted = () => {
    conditionals += 1;
    return plan.conflicts[conditionals % plan.conflicts.length] === true;
  };
  const store: ExportStore = {
    location: 'memory:',
    list: (prefix) => shared.list(prefix),
    read: (key) => shared.read(key),
    readExportFile: (file, options) => shared.readExportFile(file, options),
    readText: (key) => act(`readText ${key}`, () => shared.readText(key)),
    write: (key, body) => act(`write ${key}`, () => shared.write(key, body)),
    createIfAbsent: (key, body) =>
      act(`createIfAbsent ${key}`, async () => !conflicted() && shared.createIfAbsent(key, body)),
    readVersioned: (key): Promise<VersionedText | undefined> =>
      act(`readVersioned ${key}`, () => shared.readVersioned(key)),
    replaceIfUnchanged: (key, body, type, version) =>
      act(
        `replaceIfUnchanged ${key}`,
        async () => !conflicted() && shared.replaceIfUnchanged(key, body, type, version),
      ),
  };
  const mailer: Mailer = {
    description: 'SES model',
    send: (message: OutgoingMessage) =>
      act(`send ${message.to}`, async () => {
        const failure = plan.sendFailures[sends % plan.sendFailures.length];
        sends += 1;
        if (failure === 'rejected') throw new MailDeliveryError('MessageRejected', true);
        const messageId = ses.take(message.to);
        if (failure === 'lost-answer')
          throw new MailDeliveryError('socket hang up', false, { maybeAccepted: true });
        return { messageId };
      }),
  };
  return { store, mailer };
}

/** A message to `to`; its content does not matter here. */
function message(to: string): OutgoingMessage {
  return sampleOutgoingMessage({ to });
}

/** Runs that crashed, or stalled, look stopped to the others (a gone pid, a lease run out). */
function presenceOf(pid: number, looksStopped: Set<number>): RunPresence {
  return {
    self: { host: 'model', pid },
    hasStopped: (holder) => holder.pid !== undefined && looksStopped.has(holder.pid),
  };
}

interface RunReport {
  readonly outcomes: readonly DeliveryOutcome[];
}

async function run(
  pid: number,
  world: { store: ExportStore; mailer: Mailer },
  looksStopped: Set<number>,
  pause: () => Promise<void>,
): Promise<RunReport> {
  const ledger = new DeliveryLedger(world.store, {
    leaseMs: LEASE_MS,
    presence: presenceOf(pid, looksStopped),
    now: () => new Date(0),
  });
  const outcomes: DeliveryOutcome[] = [];
  await deliverEachOnce(
    RECIPIENTS.map(message),
    {
      ledger,
      mailer: world.mailer,
      runId: `run-${pid}`,
      resend: false,
      waitForOtherRuns: { pauseMs: 1, maxWaitMs: 4 },
      sleep: pause,
    },
    (outcome) => outcomes.push(outcome),
  );
  return { outcomes };
}

describe('the delivery protocol, model-checked', () => {
  it('misses nobody and reports every recipient mailed twice as uncertain, whatever the interleaving, crashes and store answers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(runPlan, { minLength: 2, maxLength: 3 }),
        async (s, plans) => {
          // Arrange
          const shared = new MemoryExportStore();
          const ses = new SesModel();
          const looksStopped = new Set<number>();
          const reports: RunReport[] = [];

          // Act: the runs at once, every step ordered by the scheduler.
          const runs = plans.map((plan, index) => {
            const pid = index + 1;
            if (plan.stalls) looksStopped.add(pid);
            const world = faultyWorld(shared, ses, plan, (label) =>
              s.schedule(Promise.resolve(), `run ${pid}: ${label}`),
            );
            return run(pid, world, looksStopped, () =>
              s.schedule(Promise.resolve(), `run ${pid}: pause`),
            ).then(
              (report) => {
                reports.push(report);
                looksStopped.add(pid); // its process has exited
              },
              (error: unknown) => {
                // A run stops when it crashes, or gives up on a store that answers 409 to everything.
                if (!(error instanceof Crash || error instanceof LedgerContentionError)) throw error;
                looksStopped.add(pid);
              },
            );
          });
          await s.waitFor(Promise.all(runs));
          // Then reruns without faults until one serves everyone (at most three).
          for (let rerun = 0; rerun < 3; rerun += 1) {
            const pid = 10 + rerun;
            const world = faultyWorld(
              shared,
              ses,
              { crash: undefined, conflicts: [false], sendFailures: ['none'], stalls: false },
              async () => {},
            );
            const report = await run(pid, world, looksStopped, async () => {});
            reports.push(report);
            if (
              report.outcomes.every(
                (outcome) => outcome.status === 'sent' || outcome.status === 'already-sent',
              )
            )
              break;
          }

          // Assert
          for (const recipient of RECIPIENTS) {
            const copies = ses.taken.get(recipient)?.length ?? 0;
            const reportedUncertain = reports
              .flatMap((report) => report.outcomes)
              .some((outcome) => outcome.recipient === recipient && outcome.uncertain !== undefined);
            expect(copies, `${recipient} was never mailed`).toBeGreaterThanOrEqual(1);
            if (copies > 1)
              expect(reportedUncertain, `${recipient} got ${copies} copies, none reported`).toBe(true);
            const recorded = await new DeliveryLedger(shared).sent(QUARTER, recipient);
            expect(ses.taken.get(recipient)).toContain(recorded?.messageId);
          }
          const faultless = plans.every(
            (plan) =>
              plan.crash === undefined &&
              !plan.stalls &&
              plan.sendFailures.every((failure) => failure !== 'lost-answer'),
          );
          if (faultless) for (const copies of ses.taken.values()) expect(copies).toHaveLength(1);
        },
      ),
      { numRuns: 400 },
    );
  });
});
