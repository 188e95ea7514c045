/**
 * The 95% intervals and noise flags of kpis.json against values worked out by hand (the
 * arithmetic is in the comments; the README's "Uncertainty" section has the same example).
 */
import { describe, expect, it } from 'vitest';
import { ClientBook } from '../../../src/core/client-state/client-book';
import { QuarterActivity } from '../../../src/core/client-state/quarter-activity';
import { parseConfig } from '../../../src/core/config';
import type { KpiId } from '../../../src/core/kpi-ids';
import {
  buildSnapshot,
  type PriorValues,
  priorValuesFromSnapshot,
  type QuarterMeasures,
} from '../../../src/core/kpis/build-snapshot';
import { emptyTotals, type GroupTotals, totalGroups } from '../../../src/core/kpis/group-totals';
import {
  meanInterval,
  npsInterval,
  outsideNoise,
  wilsonInterval,
  Z_95,
} from '../../../src/core/kpis/intervals';
import { type KpiMeasures, type MeasureContext, measureGroup } from '../../../src/core/kpis/kpi-values';
import { dayNumber, quarterPeriod } from '../../../src/core/quarter';
import { priorSnapshotSchema } from '../../../src/core/snapshot';

const totals = (overrides: Partial<GroupTotals>): GroupTotals => ({ ...emptyTotals(), ...overrides });
const units = (amount: number) => BigInt(amount) * 1_000_000_000n;

describe('the Wilson interval of a proportion', () => {
  it('gives 30.06%–95.44% for 3 of 4, as worked by hand', () => {
    // p = 0.75, n = 4, z² = 3.8415: centre (0.75 + 0.4802) / 1.9604 = 0.62753,
    // half 1.95996 / 1.9604 × √(0.046875 + 0.060023) = 0.32689.
    const interval = wilsonInterval(3, 4);

    expect(interval?.low).toBeCloseTo(30.0642, 3);
    expect(interval?.high).toBeCloseTo(95.4413, 3);
  });

  it('is not zero-width at 0%: 0 of 5 gives 0%–z²/(n + z²)', () => {
    const interval = wilsonInterval(0, 5);

    expect(interval?.low).toBe(0);
    expect(interval?.high).toBeCloseTo((Z_95 ** 2 / (5 + Z_95 ** 2)) * 100, 10);
  });

  it('is null without trials', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('the NPS interval', () => {
  it('uses Var = (pP + pD − (pP − pD)²) / n: 5 promoters and 2 detractors of 12 give 25 ± 1.96 × 20.83', () => {
    // pP + pD = 7/12, (pP − pD)² = 1/16: Var = (7/12 − 1/16) / 12 = 25/576, SE = 5/24 = 20.83 points.
    const interval = npsInterval(5, 2, 12);

    expect(interval?.low).toBeCloseTo(25 - Z_95 * (500 / 24), 10);
    expect(interval?.high).toBeCloseTo(25 + Z_95 * (500 / 24), 10);
  });

  it('stays within −100 to 100', () => {
    // 1 promoter, 1 detractor: NPS 0, SE 100/√2 = 70.7, so ± 138.6 before clamping.
    expect(npsInterval(1, 1, 2)).toEqual({ low: -100, high: 100 });
  });
});

describe('the interval of a mean', () => {
  it('is mean ± z·s/√n: 80, 90 and 70 give 80 ± 1.96 × 10/√3', () => {
    // Σx = 240, Σx² = 19,400: s² = (19,400 − 240²/3) / 2 = 100.
    const interval = meanInterval(80, { count: 3, sum: 240, sumOfSquares: 19_400 });

    expect(interval?.low).toBeCloseTo(80 - (Z_95 * 10) / Math.sqrt(3), 10);
    expect(interval?.high).toBeCloseTo(68.6841 + 2 * 11.3159, 3);
  });

  it('is null under two observations and clamped to its bounds', () => {
    expect(meanInterval(80, { count: 1, sum: 80, sumOfSquares: 6400 })).toBeNull();
    expect(meanInterval(95, { count: 3, sum: 240, sumOfSquares: 19_400 }, { max: 100 })?.high).toBe(100);
  });
});

describe('the intervals of the worked example (spec/example)', () => {
  // The example's company totals (spec/example/README.md), with the sums of squares by hand.
  const company = totals({
    served: 6,
    independent: 2,
    active: 5,
    activeWithSelfService: 3,
    // A 2, C 1, D 1, E 0, F 3: Σs = 7, Σs² = 15
    activeServices: 7,
    activeServicesSquared: 15,
    // A, D, E and F one assisted interaction each; A's 1,000 direct (B's 50 is not active)
    activeAssisted: 4,
    activeAssistedSquared: 4,
    activeDirectCostNanos: units(1000),
    activeDirectCostSquaredNanos: units(1000) * units(1000),
    activeDirectCostTimesAssistedNanos: units(1000),
    customersAtStart: 4,
    retained: 3,
    // 80, 90, 70 points: Σ in millionths, Σ² in hundredths of a point squared
    cessMicroPoints: 240e6,
    cessSquaredCentipoints: 8000 ** 2 + 9000 ** 2 + 7000 ** 2,
    cessResponses: 3,
    promoters: 2,
    detractors: 2,
    npsResponses: 6,
    directCostNanos: units(1050),
  });
  const context: MeasureContext = {
    servicesPresent: true,
    surveysPresent: true,
    costsPresent: true,
    catalogSize: 5,
    company,
    poolNanos: units(500),
  };

  it('gives every KPI its interval', () => {
    // Act
    const kpis = measureGroup(company, context, true);

    // Assert
    const interval = (id: KpiId) => kpis[id].interval;
    // 2 of 6 served clients
    expect(interval('clientIndependenceRate')?.low).toBeCloseTo(9.6771, 3);
    expect(interval('clientIndependenceRate')?.high).toBeCloseTo(70.0007, 3);
    // 3 of 5 active clients
    expect(interval('selfServiceAdoptionRate')?.low).toBeCloseTo(23.0724, 3);
    expect(interval('selfServiceAdoptionRate')?.high).toBeCloseTo(88.2379, 3);
    // s² = (15 − 7²/5) / 4 = 1.3; 1.4 ± 1.96 × √(1.3/5) = 1.4 ± 0.99939
    expect(interval('relationshipDepth')?.low).toBeCloseTo(0.40061, 4);
    expect(interval('relationshipDepth')?.high).toBeCloseTo(2.39939, 4);
    expect(interval('empowermentSatisfactionScore')?.low).toBeCloseTo(68.6841, 3);
    expect(interval('empowermentSatisfactionScore')?.high).toBeCloseTo(91.3159, 3);
    // pP = pD = 1/3: Var = (2/3 − 0) / 6 = 1/9, SE = 33.33 points
    expect(interval('netPromoterScore')?.low).toBeCloseTo(-Z_95 * (100 / 3), 10);
    expect(interval('netPromoterScore')?.high).toBeCloseTo(Z_95 * (100 / 3), 10);
    expect(interval('customerRetentionRate')?.low).toBeCloseTo(30.0642, 3);
    // Active clients cost A 1,000 + 125, C 0, D, E and F 125 each (the pool of 500 over 4
    // assisted interactions): Σc = 1,500, Σc² = 1,312,500, s² = (1,312,500 − 1,500²/5) / 4
    // = 215,625, SE = √(215,625 / 5) = 207.666; around the reported 310.
    expect(interval('costToSupportPerClient')?.low).toBeCloseTo(310 - Z_95 * 207.66559657, 5);
    expect(interval('costToSupportPerClient')?.high).toBeCloseTo(717.0171, 3);
  });

  it('totals the squares the intervals need from the quarter activity', () => {
    // Arrange: two clients, one with services and two CESS answers, one with direct cost.
    const q3 = quarterPeriod({ year: 2026, index: 3 });
    const book = new ClientBook([]);
    book.add('A', dayNumber(2020, 1, 1), undefined, []);
    book.add('B', dayNumber(2020, 1, 1), undefined, []);
    const activity = new QuarterActivity(2);
    activity.addServiceInUse(0, 'onboarding');
    activity.addServiceInUse(0, 'reporting');
    activity.addServiceInUse(1, 'training');
    activity.addCessResponse(0, 4, 5); // 80 points
    activity.addCessResponse(0, 2, 3); // 66.666… points, 6,667 hundredths
    activity.addInteraction(1, 'assisted');
    activity.addInteraction(1, 'assisted');
    activity.addCost(1, units(30));

    // Act
    const { company } = totalGroups(book, activity, q3, 0.8);

    // Assert
    expect(company).toMatchObject({
      activeServicesSquared: 2 ** 2 + 1 ** 2,
      cessSquaredCentipoints: 8000 ** 2 + 6667 ** 2,
      activeAssistedSquared: 4,
      activeDirectCostNanos: units(30),
      activeDirectCostSquaredNanos: units(30) * units(30),
      activeDirectCostTimesAssistedNanos: units(60),
    });
  });
});

describe('whether a change is outside the noise', () => {
  it('is true when the change is larger than the two half-widths combined', () => {
    // d = 10, half-width √(5² + 5²) = 7.07
    expect(outsideNoise(55, { low: 50, high: 60 }, 45, { low: 40, high: 50 })).toBe(true);
  });

  it('is false when it is not', () => {
    // d = 7 < 7.07
    expect(outsideNoise(52, { low: 47, high: 57 }, 45, { low: 40, high: 50 })).toBe(false);
  });

  it('uses the sides of the intervals towards each other, for asymmetric intervals', () => {
    // d = −6: the new value's upper side (3) and the old value's lower side (2) count: √13 = 3.6.
    // The other sides (10 and 3) would give √109 = 10.4 and call it noise.
    expect(outsideNoise(90, { low: 80, high: 93 }, 96, { low: 94, high: 99 })).toBe(true);
    // Upper side 10 and lower side 10: √200 = 14.1 > 6.
    expect(outsideNoise(90, { low: 87, high: 100 }, 96, { low: 86, high: 97 })).toBe(false);
  });

  it('takes an earlier quarter without an interval to be as precise as this one', () => {
    expect(outsideNoise(55, { low: 50, high: 60 }, 45, undefined)).toBe(true);
    expect(outsideNoise(52, { low: 47, high: 57 }, 45, undefined)).toBe(false);
  });

  it('is null when there is nothing to judge', () => {
    expect(outsideNoise(55, null, 45, { low: 40, high: 50 })).toBeNull();
    expect(outsideNoise(55, { low: 50, high: 60 }, null, null)).toBeNull();
  });
});

describe('the snapshot', () => {
  const config = parseConfig({ targets: { customerRetentionRate: { value: 95 } } });
  const period = quarterPeriod({ year: 2026, index: 3 });

  function measures(retained: number, atStart: number): QuarterMeasures {
    const group = totals({ customersAtStart: atStart, retained });
    const context: MeasureContext = {
      servicesPresent: true,
      surveysPresent: true,
      costsPresent: true,
      catalogSize: 0,
      company: group,
      poolNanos: 0n,
    };
    const company: KpiMeasures = measureGroup(group, context, true);
    return { company, segments: new Map(), catalogSize: 0 };
  }

  function build(priors: ReadonlyMap<string, PriorValues>) {
    return buildSnapshot({
      period,
      config,
      measures: measures(900, 1000),
      priors,
      dataQuality: {} as never,
      warnings: [],
      generatedAt: new Date('2026-10-05T06:00:00Z'),
    });
  }

  it('records the interval, the noise flag of each delta and the targets', () => {
    // Arrange: 90.0% of 1,000 now; 86.0% of 1,000 last quarter, 89.0% a year ago.
    const priors = new Map([
      ['2026-Q2', priorValuesFromMeasuresOf(860, 1000)],
      ['2025-Q3', priorValuesFromMeasuresOf(890, 1000)],
    ]);

    // Act
    const snapshot = build(priors);

    // Assert: Wilson half-widths near 1.9 and 2.2 points: +4.0 is outside, +1.0 is not.
    const retention = snapshot.kpis.customerRetentionRate;
    expect(retention.interval?.low).toBeCloseTo(88.0, 0);
    expect(retention.deltaQoQ).toBeCloseTo(4, 10);
    expect(retention.deltaQoQOutsideNoise).toBe(true);
    expect(retention.deltaYoY).toBeCloseTo(1, 10);
    expect(retention.deltaYoYOutsideNoise).toBe(false);
    expect(snapshot.targets).toEqual({ customerRetentionRate: { value: 95, direction: 'higher' } });
  });

  it('still takes an older snapshot without intervals as a prior, judging its deltas by this quarter’s noise', () => {
    // Arrange: a snapshot as written before intervals existed.
    const older = priorSnapshotSchema.parse({
      schemaVersion: 1,
      quarter: '2026-Q2',
      kpis: { customerRetentionRate: { value: 86, numerator: 860, denominator: 1000 } },
      segments: {},
    });

    // Act
    const snapshot = build(new Map([['2026-Q2', priorValuesFromSnapshot(older)]]));

    // Assert
    expect(snapshot.kpis.customerRetentionRate.previous).toBe(86);
    expect(snapshot.kpis.customerRetentionRate.deltaQoQOutsideNoise).toBe(true);
  });

  function priorValuesFromMeasuresOf(retained: number, atStart: number): PriorValues {
    const { company } = measures(retained, atStart);
    return { company: (id) => company[id], segment: () => ({ value: null, interval: null }) };
  }
});
