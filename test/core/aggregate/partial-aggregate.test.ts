import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartialFold } from '../../../src/core/aggregate/fold-partials';
import type { InteractionTally } from '../../../src/core/aggregate/interaction-tally';
import { PartShuffler } from '../../../src/core/aggregate/part-shuffler';
import {
  type Claims,
  ClaimsBuilder,
  CostsBuilder,
  emptyPartial,
  IN_QUARTER,
  PairsBuilder,
  type PartialAggregate,
  position,
  SELF_SERVICE_OR_CESS,
} from '../../../src/core/aggregate/partial-aggregate';
import { RepeatResolver } from '../../../src/core/aggregate/repeat-resolver';

const CLIENTS = 5;
const encoder = new TextEncoder();

interface Row {
  readonly id: number;
  readonly client: number;
  readonly flags: number;
  readonly service: string;
  readonly cost: bigint;
  readonly rejected: boolean;
}

const rowArbitrary = fc.record({
  id: fc.integer({ min: 1, max: 12 }),
  client: fc.integer({ min: -1, max: CLIENTS - 1 }),
  flags: fc.integer({ min: 0, max: 3 }),
  service: fc.constantFrom('api', 'sso', 'training'),
  cost: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
  rejected: fc.boolean(),
});

/** One partial per slice of rows; positions are the rows' places, so slices keep file order. */
function partialOf(rows: readonly Row[], first: number): PartialAggregate {
  const partial = emptyPartial('interactions');
  const claims = new ClaimsBuilder(4);
  const pairs = new PairsBuilder(4, ['api', 'sso', 'training']);
  const costs = new CostsBuilder();
  rows.forEach((row, i) => {
    const at = position(0, first + i + 1);
    partial.rows++;
    if (row.rejected) {
      partial.rejected++;
      if (partial.examples.length < 10) partial.examples.push({ position: at, reason: `bad ${first + i}` });
      return;
    }
    const client = Math.max(row.client, 0);
    const id = encoder.encode(`I${row.id}`);
    claims.add(row.id, row.id * 7, client, row.flags, 0, at, id, 0, id.length);
    pairs.add(client, ['api', 'sso', 'training'].indexOf(row.service));
    costs.add(row.client, row.cost);
  });
  partial.claims = claims.finish();
  partial.servicePairs = pairs.finish();
  partial.costs = costs.finish();
  return partial;
}

function folded(partials: readonly PartialAggregate[]) {
  const folder = new PartialFold(CLIENTS);
  for (const partial of partials) folder.fold(partial);
  const { activity } = folder;
  return {
    selfService: [...activity.selfService],
    assisted: [...activity.assisted],
    servicesInUse: [...activity.servicesInUse],
    catalog: [...activity.catalog].sort(),
    direct: Array.from({ length: CLIENTS }, (_, client) =>
      String(activity.directCostNanos.get(client) ?? 0n),
    ),
    pool: String(activity.poolNanos),
    quality: folder.quality.get('interactions'),
  };
}

const slices = fc
  .tuple(
    fc.array(rowArbitrary, { maxLength: 40 }),
    fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }),
  )
  .map(([rows, cuts]) => {
    const points = [...new Set([0, ...cuts.map((cut) => Math.min(cut, rows.length)), rows.length])].sort(
      (a, b) => a - b,
    );
    return points.slice(1).map((end, i) => partialOf(rows.slice(points[i], end), points[i] as number));
  });

/** Parts of one dataset, each a list of chunk partials; positions are lines of the part alone. */
const parts = fc.array(slices, { minLength: 1, maxLength: 3 });

/** The parts as one pass sees them: every chunk in file order, positions in the dataset. */
function inFileOrder(partials: readonly (readonly PartialAggregate[])[]): PartialAggregate[] {
  return partials.flatMap((chunks, part) => chunks.map((chunk) => atPart(chunk, part)));
}

function atPart(partial: PartialAggregate, part: number): PartialAggregate {
  const shift = part * 2 ** 32;
  const examples = partial.examples.map((example) => ({ ...example, position: example.position + shift }));
  const claims = partial.claims && {
    ...partial.claims,
    position: partial.claims.position.map((at) => at + shift),
  };
  return { ...partial, examples, ...(claims && { claims }) };
}

/** The distributed run's steps on `partials`, pieces kept in memory: a folder holding the sum. */
async function shuffled(
  partials: readonly (readonly PartialAggregate[])[],
  ranges: number,
  pieceClaims: number,
) {
  const pieces: { part: number; range: number; claims: Claims }[] = [];
  const tallies: InteractionTally[] = [];
  for (const [part, chunks] of partials.entries()) {
    const shuffler = new PartShuffler({
      clientCount: CLIENTS,
      ranges,
      pieceClaims,
      writePiece: async (range, _piece, claims) => {
        // A copy (the shuffler reuses the memory), at the part's place in the dataset, as a store gives it back.
        const copy = new ClaimsBuilder(claims.length);
        for (let i = 0; i < claims.length; i++) copy.copyFrom(claims, i);
        pieces.push({
          part,
          range,
          claims: atPart({ ...emptyPartial('interactions'), claims: copy.finish() }, part).claims as Claims,
        });
      },
    });
    for (const chunk of chunks) await shuffler.add(chunk);
    const { tally } = await shuffler.finish();
    tallies.push({
      ...tally,
      examples: atPart({ ...emptyPartial('interactions'), examples: [...tally.examples] }, part).examples,
    });
  }
  const folder = new PartialFold(CLIENTS);
  for (const tally of tallies) folder.foldTally(tally);
  for (let range = 0; range < ranges; range++) {
    const resolver = new RepeatResolver(CLIENTS, 16);
    for (const piece of pieces) if (piece.range === range) resolver.add(piece.claims);
    folder.foldTally(resolver.result());
  }
  return folder;
}

const interactionsOf = (folder: PartialFold) => ({
  selfService: [...folder.activity.selfService],
  assisted: [...folder.activity.assisted],
  quality: folder.quality.get('interactions') ?? { rows: 0, rejected: 0, examples: [] },
});

describe("the distributed run's shuffle", () => {
  it('counts and rejects as folding every chunk in file order does, for any ranges and pieces', async () => {
    await fc.assert(
      fc.asyncProperty(
        parts,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        async (partials, ranges, pieceClaims) => {
          const expected = new PartialFold(CLIENTS);
          for (const partial of inFileOrder(partials)) expected.fold(partial);

          const actual = await shuffled(partials, ranges, pieceClaims);

          expect(interactionsOf(actual)).toEqual(interactionsOf(expected));
        },
      ),
    );
  });

  it('writes full pieces of each range in row order, holding no more than a piece per range', async () => {
    await fc.assert(
      fc.asyncProperty(
        slices,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        async (chunks, ranges, pieceClaims) => {
          const written: { range: number; piece: number; positions: number[] }[] = [];
          const shuffler = new PartShuffler({
            clientCount: CLIENTS,
            ranges,
            pieceClaims,
            writePiece: async (range, piece, claims) => {
              written.push({ range, piece, positions: [...claims.position] });
            },
          });
          for (const chunk of chunks) await shuffler.add(chunk);
          const result = await shuffler.finish();

          for (let range = 0; range < ranges; range++) {
            const ofRange = written.filter((piece) => piece.range === range);
            expect(ofRange.map((piece) => piece.piece)).toEqual(ofRange.map((_, i) => i));
            // Every piece but the last is full: a range never holds more than one piece.
            for (const piece of ofRange.slice(0, -1)) expect(piece.positions).toHaveLength(pieceClaims);
            const positions = ofRange.flatMap((piece) => piece.positions);
            expect(positions).toEqual([...positions].sort((a, b) => a - b));
            expect(result.pieces[range]).toBe(ofRange.length);
            expect(result.claims[range]).toBe(positions.length);
          }
          const claims = chunks.reduce((sum, chunk) => sum + (chunk.claims?.length ?? 0), 0);
          expect(written.reduce((sum, piece) => sum + piece.positions.length, 0)).toBe(claims);
        },
      ),
    );
  });
});

describe('PartialFold', () => {
  it('keeps the first row of a repeated id and names the repeat (hand-computed)', () => {
    // Rows: I1 self-service in Q for client 0, I2 assisted in Q for client 1, I1 again for client 1.
    const partial = partialOf(
      [
        {
          id: 1,
          client: 0,
          flags: IN_QUARTER | SELF_SERVICE_OR_CESS,
          service: 'api',
          cost: 5n,
          rejected: false,
        },
        { id: 2, client: 1, flags: IN_QUARTER, service: 'api', cost: 7n, rejected: false },
        {
          id: 1,
          client: 1,
          flags: IN_QUARTER | SELF_SERVICE_OR_CESS,
          service: 'sso',
          cost: -1n,
          rejected: false,
        },
      ],
      1,
    );
    const result = folded([partial]);
    expect(result.selfService).toEqual([1, 0, 0, 0, 0]);
    expect(result.assisted).toEqual([0, 1, 0, 0, 0]);
    // Services and costs carry no id: all three rows count.
    expect(result.servicesInUse).toEqual([1, 2, 0, 0, 0]);
    expect(result.direct).toEqual(['5', '6', '0', '0', '0']);
    expect(result.quality).toEqual({
      rows: 3,
      rejected: 1,
      examples: [{ position: 4, reason: "interaction_id 'I1' repeats an earlier row; the first is kept" }],
    });
  });

  it('refuses partials of a dataset folded out of row order', () => {
    const rows = [{ id: 1, client: 0, flags: 1, service: 'api', cost: 0n, rejected: false }];
    const folder = new PartialFold(CLIENTS);
    folder.fold(partialOf(rows, 10));
    expect(() => folder.fold(partialOf(rows, 3))).toThrow(/out of row order/);
  });
});

describe('services in use', () => {
  it('counts distinct services per client past 31 catalog names (masks give way to pairs)', () => {
    const names = Array.from({ length: 40 }, (_, i) => `service-${i}`);
    const partial = emptyPartial('services');
    const pairs = new PairsBuilder(100, names);
    // Client 0 uses every service twice; client 1 uses service-3 and service-35.
    for (let round = 0; round < 2; round++) for (let s = 0; s < 40; s++) pairs.add(0, s);
    pairs.add(1, 3);
    pairs.add(1, 35);
    partial.servicePairs = pairs.finish();
    const folder = new PartialFold(2);
    folder.fold(partial);
    expect([...folder.activity.servicesInUse]).toEqual([40, 2]);
    expect(folder.activity.catalog.size).toBe(40);
  });
});
