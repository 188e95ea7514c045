/**
 * The delivery ledger with real processes: the bundled CLI run as separate Node processes
 * (`run --send`, 40 recipients) against the SES emulator, on a local data root and on S3
 * through a front that honours `If-None-Match` and `If-Match` as S3 does. A few trials of
 * each; `npx tsx scripts/delivery-trials.ts` runs the full 12 and 27.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTrialCli,
  concurrentTrial,
  killTrial,
  removeTrialCli,
  startTrialBed,
  type TrialBed,
  type TrialStore,
} from '../support/delivery-trials';

/** A lease, as the CLI's ledger has it: a takeover sooner than this did not wait for one. */
const LEASE_MS = 60_000;
const TRIAL_TIMEOUT_MS = 120_000;

let bed: TrialBed;

beforeAll(async () => {
  bed = await startTrialBed(buildTrialCli());
}, TRIAL_TIMEOUT_MS);
afterAll(async () => {
  await bed?.stop();
  if (bed !== undefined) await removeTrialCli(bed.cli);
});

describe('two run --send processes started together', () => {
  it.each<TrialStore>(['local', 's3'])(
    'mail each of 40 recipients exactly once, o’neil@ and o_neil@ included, on %s',
    async (store) => {
      // Act
      const trial = await concurrentTrial(bed, store);

      // Assert
      expect(trial.runs.map((run) => run.code)).toEqual([0, 0]);
      expect({ duplicated: trial.duplicated, missed: trial.missed }).toEqual({ duplicated: [], missed: [] });
    },
    TRIAL_TIMEOUT_MS,
  );

  it(
    'refuse to send from a store that ignores conditional writes, saying why',
    async () => {
      // Act
      const trial = await concurrentTrial(bed, 's3-without-conditions');

      // Assert
      expect(trial.runs.map((run) => run.code)).toEqual([2, 2]);
      expect(trial.missed).toHaveLength(40);
      for (const run of trial.runs) {
        expect(run.stderr).toMatch(
          /will not send from s3:\/\/trials\/\S+: a second create of reports\/2026-Q3\/deliveries\/conditional-write-probe\.json succeeded, so two runs at once could both mail a recipient/,
        );
      }
    },
    TRIAL_TIMEOUT_MS,
  );
});

describe('a run killed with SIGKILL while sending, then run again', () => {
  it.each<TrialStore>(['local', 's3'])(
    'misses nobody, reports any second copy as uncertain, and goes on at once on %s',
    async (store) => {
      // Arrange: a random moment of the sending, said in any failure.
      const killAfterSends = 1 + Math.floor(Math.random() * 35);
      const killDelayMs = Math.floor(Math.random() * 25);
      const moment = `killed ${killDelayMs} ms after send ${killAfterSends}`;

      // Act
      const trial = await killTrial(bed, store, { killAfterSends, killDelayMs });

      // Assert
      expect(trial.killed, moment).toBe(true);
      expect(
        trial.reruns.map((run) => run.code),
        moment,
      ).toEqual([0]);
      expect(trial.missed, moment).toEqual([]);
      expect(trial.unexplainedDuplicates, moment).toEqual([]);
      // The killed run's claim was taken over because its process was gone, not after its lease.
      for (const takeover of trial.takeovers) {
        expect(Date.parse(takeover.claimedAt) - Date.parse(takeover.since), moment).toBeLessThan(LEASE_MS);
      }
    },
    TRIAL_TIMEOUT_MS,
  );
});
