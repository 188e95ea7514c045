import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AggregateFolder } from '../../../src/core/aggregate/fold-partials';
import {
  ClaimsBuilder,
  CostsBuilder,
  emptyPartial,
  IN_QUARTER,
  mergePartials,
  PairsBuilder,
  type PartialAggregate,
  PartialMerger,
  position,
  SELF_SERVICE,
} from '../../../src/core/aggregate/partial-aggregate';

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

/** A partial as comparable data: lists in a canonical order. */
function canonical(partial: PartialAggregate) {
  const c = partial.claims;
  const p = partial.servicePairs;
  const k = partial.costs;
  return {
    rows: partial.rows,
    rejected: partial.rejected,
    examples: partial.examples,
    claims:
      c &&
      Array.from({ length: c.length }, (_, i) => [c.position[i], c.hashHigh[i], c.client[i], c.flags[i]]),
    pairs:
      p &&
      Array.from({ length: p.length }, (_, i) => `${p.client[i]}:${p.names[p.service[i] as number]}`).sort(),
    costs: k && Array.from({ length: k.length }, (_, i) => `${k.client[i]}:${k.nanos[i]}`).sort(),
  };
}

function folded(partials: readonly PartialAggregate[]) {
  const folder = new AggregateFolder(CLIENTS);
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

describe('partial aggregates', () => {
  it('merge is commutative', () => {
    fc.assert(
      fc.property(slices, (partials) => {
        const [a = emptyPartial('interactions'), b = emptyPartial('interactions')] = partials;
        expect(canonical(mergePartials(a, b))).toEqual(canonical(mergePartials(b, a)));
      }),
    );
  });

  it('merge is associative', () => {
    fc.assert(
      fc.property(slices, (partials) => {
        const [
          a = emptyPartial('interactions'),
          b = emptyPartial('interactions'),
          c = emptyPartial('interactions'),
        ] = partials;
        expect(canonical(mergePartials(mergePartials(a, b), c))).toEqual(
          canonical(mergePartials(a, mergePartials(b, c))),
        );
      }),
    );
  });

  it('folding the merge of all slices equals folding the slices one by one, in order', () => {
    fc.assert(
      fc.property(slices, fc.boolean(), (partials, reversed) => {
        const merged = (reversed ? [...partials].reverse() : partials).reduce(
          mergePartials,
          emptyPartial('interactions'),
        );
        expect(folded([merged])).toEqual(folded([emptyPartial('interactions'), ...partials]));
      }),
    );
  });
});

describe('PartialMerger', () => {
  it('merges partials added one by one into what merging them in turn gives', () => {
    fc.assert(
      fc.property(
        fc.array(slices, { maxLength: 12 }).map((groups) => groups.flat()),
        (partials) => {
          const merger = new PartialMerger('interactions');
          for (const partial of partials) merger.add(partial);
          const inTurn = partials.reduce(mergePartials, emptyPartial('interactions'));
          expect(canonical(merger.result())).toEqual(canonical(inTurn));
        },
      ),
    );
  });

  it('gives an empty partial of its dataset when nothing was added', () => {
    expect(canonical(new PartialMerger('interactions').result())).toEqual(
      canonical(emptyPartial('interactions')),
    );
  });
});

describe('AggregateFolder', () => {
  it('keeps the first row of a repeated id and names the repeat (hand-computed)', () => {
    // Rows: I1 self-service in Q for client 0, I2 assisted in Q for client 1, I1 again for client 1.
    const partial = partialOf(
      [
        { id: 1, client: 0, flags: IN_QUARTER | SELF_SERVICE, service: 'api', cost: 5n, rejected: false },
        { id: 2, client: 1, flags: IN_QUARTER, service: 'api', cost: 7n, rejected: false },
        { id: 1, client: 1, flags: IN_QUARTER | SELF_SERVICE, service: 'sso', cost: -1n, rejected: false },
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
    const folder = new AggregateFolder(CLIENTS);
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
    const folder = new AggregateFolder(2);
    folder.fold(partial);
    expect([...folder.activity.servicesInUse]).toEqual([40, 2]);
    expect(folder.activity.catalog.size).toBe(40);
  });
});
