/**
 * The delivery ledger's full real-process trials (the test suite runs a few of each):
 *
 *   npx tsx scripts/delivery-trials.ts [--concurrent 12] [--kills 27] [--seed 1]
 *
 * Bundles the CLI, starts the SES emulator and the conditional-write S3 front, then runs
 * `--concurrent` trials of two `run --send` processes at once (40 recipients) on a local
 * data root and on S3, one trial on S3 without conditional writes (where `--send` must
 * refuse), and `--kills` trials of a run killed with SIGKILL at a random moment of its
 * sending followed by reruns until one succeeds. Prints what each trial found and the totals.
 */
import { parseArgs } from 'node:util';
import {
  buildTrialCli,
  concurrentTrial,
  killTrial,
  removeTrialCli,
  startTrialBed,
  TRIAL_RECIPIENTS,
  type TrialStore,
} from '../test/support/delivery-trials';

const { values } = parseArgs({
  options: {
    concurrent: { type: 'string', default: '12' },
    kills: { type: 'string', default: '27' },
    seed: { type: 'string', default: '1' },
  },
});
const concurrentTrials = Number(values.concurrent);
const killTrials = Number(values.kills);

/** mulberry32: a small seeded generator, so a run of the script can be repeated. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(Number(values.seed));

const cli = buildTrialCli();
const bed = await startTrialBed(cli);
/** The last lines a run wrote to stderr, for a run that ended otherwise than expected. */
const tail = (stderr: string) => stderr.trim().split('\n').slice(-3).join(' | ');
try {
  for (const store of ['local', 's3'] as const satisfies readonly TrialStore[]) {
    let duplicates = 0;
    let misses = 0;
    for (let trial = 1; trial <= concurrentTrials; trial += 1) {
      const result = await concurrentTrial(bed, store);
      duplicates += result.duplicates;
      misses += result.misses;
      const codes = result.runs.map((run) => run.code).join(',');
      const seconds = result.runs.map((run) => (run.milliseconds / 1000).toFixed(1)).join(',');
      console.log(
        `concurrent ${store} #${trial}: exit ${codes} in ${seconds} s, ${result.duplicates} duplicates ${JSON.stringify(result.duplicated)}, ${result.misses} misses ${JSON.stringify(result.missed)}`,
      );
      for (const run of result.runs)
        if (run.code !== 0) console.log(`  exit ${run.code}: ${tail(run.stderr)}`);
    }
    console.log(
      `concurrent ${store}: ${concurrentTrials} trials, ${duplicates} duplicates, ${misses} misses\n`,
    );
  }

  const unconditional = await concurrentTrial(bed, 's3-without-conditions');
  console.log(
    `S3 without conditional writes: exit ${unconditional.runs.map((run) => run.code).join(',')}, ${unconditional.duplicates} duplicates, ${40 - unconditional.misses} recipients mailed`,
  );
  const refusal = unconditional.runs[0]?.stderr.split('\n').find((line) => /conditional/i.test(line));
  console.log(`  message: ${refusal ?? '(none)'}\n`);

  let duplicates = 0;
  let misses = 0;
  let unexplained = 0;
  let uncertain = 0;
  let worstRerunMs = 0;
  for (let trial = 1; trial <= killTrials; trial += 1) {
    const store: TrialStore = trial % 2 === 0 ? 's3' : 'local';
    const result = await killTrial(bed, store, {
      killAfterSends: 1 + Math.floor(random() * (TRIAL_RECIPIENTS.length - 1)),
      killDelayMs: Math.floor(random() * 40),
    });
    duplicates += result.duplicates;
    misses += result.misses;
    unexplained += result.unexplainedDuplicates.length;
    uncertain += result.reportedUncertain.length;
    const rerunMs = result.reruns.reduce((sum, run) => sum + run.milliseconds, 0);
    worstRerunMs = Math.max(worstRerunMs, rerunMs);
    console.log(
      `kill ${store} #${trial}: ${result.killed ? 'killed' : 'NOT killed'} ${result.killDelayMs} ms after send ${result.killAfterSends}; reruns exit ${result.reruns.map((run) => run.code).join(',')} in ${(rerunMs / 1000).toFixed(1)} s; ${result.duplicates} duplicates ${JSON.stringify(result.duplicated)}, reported uncertain ${JSON.stringify(result.reportedUncertain)}, ${result.misses} misses`,
    );
    for (const run of result.reruns)
      if (run.code !== 0) console.log(`  exit ${run.code}: ${tail(run.stderr)}`);
  }
  console.log(
    `kills: ${killTrials} trials, ${duplicates} duplicates (${unexplained} not reported uncertain), ${uncertain} reported uncertain, ${misses} misses; reruns took at most ${(worstRerunMs / 1000).toFixed(1)} s in all`,
  );
} finally {
  await bed.stop();
  await removeTrialCli(cli);
}
