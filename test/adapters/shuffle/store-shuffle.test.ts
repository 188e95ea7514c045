/** The shuffle's objects in a real directory (`LocalExportStore`), written and read back. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../../src/adapters/local/local-export-store';
import { ShuffleObjectError, StoreShuffle } from '../../../src/adapters/shuffle/store-shuffle';
import { ClaimsBuilder, position } from '../../../src/core/aggregate/partial-aggregate';
import type { MappedPart, ResolvedRange, ShufflePlan } from '../../../src/core/aggregate/shuffle-store';

const FOLDER = 'reports/runs/2026-Q3/r1/shuffle/';
let root: string;
let shuffle: StoreShuffle;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'store-shuffle-'));
  shuffle = new StoreShuffle(new LocalExportStore(root), FOLDER);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const file = (key: string) => path.join(root, ...key.split('/'));

const PLAN: ShufflePlan = {
  quarter: '2026-Q3',
  ranges: 2,
  pieceClaims: 100,
  parts: [
    { key: 'exports/2026-Q3/interactions/a.csv', size: 10, etag: 'e1' },
    { key: 'exports/2026-Q3/interactions/b.csv.gz', size: 20 },
  ],
};

const tally = (sign: 1 | -1) => ({
  rows: 3,
  rejected: 1,
  examples: [{ position: 2, reason: 'bad date' }],
  counts: {
    client: Int32Array.from([0, 4]),
    selfService: Int32Array.from([sign * 2, 0]),
    assisted: Int32Array.from([0, sign]),
  },
});

describe('StoreShuffle', () => {
  it('writes the plan as JSON people can read, and reads it back', async () => {
    await shuffle.writePlan(PLAN);

    expect(JSON.parse(await readFile(file(`${FOLDER}plan.json`), 'utf8'))).toEqual({
      format: 'kpi-report/shuffle-plan/1',
      ...PLAN,
    });
    expect(await shuffle.readPlan()).toMatchObject(PLAN);
  });

  it('answers undefined for what was not written', async () => {
    expect(await shuffle.readPlan()).toBeUndefined();
    expect(await shuffle.readPieces(0)).toBeUndefined();
    expect(await shuffle.readPart(0)).toBeUndefined();
    expect(await shuffle.readRange(0)).toBeUndefined();
  });

  it("reads back a part's pieces, tally and claims, and a range's repeats", async () => {
    const builder = new ClaimsBuilder(2);
    const id = new TextEncoder().encode('I7');
    builder.add(5, 6, 4, 3, 0, position(0, 12), id, 0, 2);
    const claims = builder.finish();
    const pieces = { attempt: 'req-1', ranges: 2, clientCount: 5, pieces: [1, 0], claims: [1, 0] };
    const mapped: MappedPart = {
      key: 'exports/2026-Q3/interactions/b.csv.gz',
      tally: tally(1),
      provenance: { file: 'interactions/b.csv.gz', bytes: 99, sha256: 'abc', rows: 3 },
      clientsSha256: ['def'],
    };
    const resolved: ResolvedRange = { range: 1, ranges: 2, claims: 7, repeats: tally(-1) };

    const writing = shuffle.writePiece(1, 'req-1', 0, 0, claims);
    // Encoded before the call returned: the caller may reuse the claims' memory at once.
    claims.client[0] = 9;
    await writing;
    await shuffle.writePieces(1, pieces);
    await shuffle.writePart(1, mapped);
    await shuffle.writeRange(resolved);

    const read = await shuffle.readPiece(1, pieces, 0, 0);
    expect({ client: read.client[0], position: read.position[0], flags: read.flags[0] }).toEqual({
      client: 4,
      position: 2 ** 32 + 12,
      flags: 3,
    });
    expect(await shuffle.readPieces(1)).toMatchObject(pieces);
    expect(await shuffle.readPart(1)).toMatchObject(mapped);
    expect(await shuffle.readRange(1)).toMatchObject(resolved);
  });

  it('keeps the pieces of each attempt apart', async () => {
    const builder = new ClaimsBuilder(1);
    builder.add(5, 6, 0, 1, 0, 3, new Uint8Array([73]), 0, 1);
    await shuffle.writePiece(0, 'first', 0, 0, builder.finish());

    await expect(
      shuffle.readPiece(0, { attempt: 'retry', ranges: 1, clientCount: 1, pieces: [1], claims: [1] }, 0, 0),
    ).rejects.toThrow(`${root}/${FOLDER}parts/00000/claims/retry/0000-000000.claims is missing`);
  });

  it('refuses an object that is not what it should be, naming it and the problem', async () => {
    await shuffle.writePlan(PLAN);
    await writeFile(
      file(`${FOLDER}plan.json`),
      JSON.stringify({ format: 'kpi-report/shuffle-plan/1', ...PLAN, ranges: 0 }),
    );
    await shuffle.writePart(0, { key: 'k', tally: tally(1), provenance: {} } as unknown as MappedPart);
    await shuffle.writeRange({ range: 0, ranges: 1, claims: 1, repeats: tally(-1) });
    await writeFile(file(`${FOLDER}ranges/0000.bin`), 'not a tally');

    await expect(shuffle.readPlan()).rejects.toThrow(ShuffleObjectError);
    await expect(shuffle.readPlan()).rejects.toThrow(
      /plan\.json is not what the distributed run wrote there: ranges: /,
    );
    await expect(shuffle.readPart(0)).rejects.toThrow(
      /parts\/00000\/tally\.bin is not what the distributed run wrote there: provenance\.file/,
    );
    await expect(shuffle.readRange(0)).rejects.toThrow(/ranges\/0000\.bin is not/);
  });
});
