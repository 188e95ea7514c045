/**
 * A map step killed mid-way, for real: its process writes claims pieces to a directory data
 * root and is killed (SIGKILL) while it does; the retry, another attempt, must give exactly
 * what one pass over the files gives, whatever the killed attempt left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { parseConfig } from '../../src/core/config';
import { parseQuarter, type Quarter, quarterPeriod } from '../../src/core/quarter';
import { readExportSet } from '../../src/core/readers/simple/read-export-set';
import { planShuffle, readerFromPartials } from '../../src/use-cases/distributed-run';
import { measurePart } from '../../src/use-cases/measure-part';
import { measureQuarter } from '../../src/use-cases/measure-quarter';
import { resolveRange } from '../../src/use-cases/resolve-range';
import { shuffleIn } from '../../src/wiring/shuffle';
import { readingSummary } from '../support/reading-summary';

const QUARTER = '2026-Q3';
const config = parseConfig({ rejectLimitPercent: 100 });
const period = quarterPeriod(parseQuarter(QUARTER) as Quarter, 1);
const PART_2 = `exports/${QUARTER}/interactions/part-2.csv`;
const CHILD = path.resolve(import.meta.dirname, '../support/measure-part-process.ts');

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'map-step-crash-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(key: string, text: string): Promise<void> {
  const file = path.join(root, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** Rows whose ids repeat within the part and across parts, in and out of the quarter. */
function interactions(first: number, count: number): string {
  const rows = ['interaction_id,client_id,occurred_at,channel'];
  for (let n = first; n < first + count; n++) {
    const date = n % 11 === 0 ? '2026-10-02' : '2026-08-01';
    rows.push(`I${n % 20_000},C${(n % 40) + 1},${date},${n % 3 === 0 ? 'assisted' : 'self_service'}`);
  }
  return `${rows.join('\n')}\n`;
}

describe('a map step killed mid-way', () => {
  it('leaves its retry to write the part again, and the run reduces to what one pass gives', async () => {
    // Arrange: 40 clients, a small part and a larger one; the plan makes pieces of 200 claims.
    const clients = Array.from({ length: 40 }, (_, i) => `C${i + 1},2025-01-01`);
    await put(`exports/${QUARTER}/clients.csv`, `client_id,customer_since\n${clients.join('\n')}\n`);
    await put(`exports/${QUARTER}/interactions/part-1.csv`, interactions(0, 1_000));
    await put(PART_2, interactions(1_000, 60_000));
    const store = new LocalExportStore(root);
    const shuffle = shuffleIn(store);
    await planShuffle({
      store,
      shuffle,
      quarter: QUARTER,
      runId: 'r',
      sizing: { ranges: 3, pieceClaims: 200 },
    });
    const claims = path.join(root, 'reports/runs', QUARTER, 'r/shuffle/parts/00001/claims/killed');

    // Act: the first attempt at part 2 is killed once it has written some pieces.
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, QUARTER, 'r', PART_2, 'killed'], {
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    while (!existsSync(claims) || (await readdir(claims)).length < 20) {
      if (child.exitCode !== null)
        throw new Error(`the map step ended (exit ${child.exitCode}) before it was killed`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGKILL');
    await exited;
    const killedMidWay = !existsSync(
      path.join(root, 'reports/runs', QUARTER, 'r/shuffle/parts/00001/tally.bin'),
    );
    for (const [key, attempt] of [
      [`exports/${QUARTER}/interactions/part-1.csv`, 'first'],
      [PART_2, 'retry'],
    ] as const) {
      await measurePart({ store, config, shuffle, task: { quarter: QUARTER, runId: 'r', key }, attempt });
    }
    for (const range of [2, 0, 1])
      await resolveRange({ shuffle, task: { quarter: QUARTER, runId: 'r', range } });

    // Assert
    expect(killedMidWay).toBe(true);
    const reduced = await readingSummary(store, period, config, readerFromPartials({ runId: 'r', shuffle }));
    expect(reduced).toEqual(await readingSummary(store, period, config, readExportSet));
    const { reading } = await measureQuarter({ store, period, config, reader: readExportSet });
    // Most of part 2 repeats ids of earlier rows: the check had work to do.
    expect(reading.dataQuality.interactions.rejected).toBeGreaterThan(40_000);
  }, 120_000);
});
