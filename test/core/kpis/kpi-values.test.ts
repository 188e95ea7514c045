import { describe, expect, it } from 'vitest';
import { ClientBook } from '../../../src/core/client-state/client-book';
import { QuarterActivity } from '../../../src/core/client-state/quarter-activity';
import { emptyTotals, type GroupTotals, totalGroups } from '../../../src/core/kpis/group-totals';
import { type MeasureContext, measureGroup } from '../../../src/core/kpis/kpi-values';
import { dayNumber, quarterPeriod } from '../../../src/core/quarter';

const totals = (overrides: Partial<GroupTotals>): GroupTotals => ({ ...emptyTotals(), ...overrides });
const context = (overrides: Partial<MeasureContext> = {}): MeasureContext => ({
  servicesPresent: true,
  surveysPresent: true,
  costsPresent: true,
  catalogSize: 5,
  company: totals({ active: 10, activeAssisted: 8 }),
  poolNanos: 0n,
  ...overrides,
});
const units = (amount: number) => BigInt(amount) * 1_000_000_000n;

describe('KPI formulas', () => {
  it('computes Client Independence Rate as independent served clients over served clients', () => {
    const kpis = measureGroup(totals({ served: 8, independent: 6 }), context(), true);
    expect(kpis.clientIndependenceRate).toMatchObject({ value: 75, numerator: 6, denominator: 8 });
  });

  it('computes Self-Service Adoption Rate over active clients', () => {
    const kpis = measureGroup(totals({ active: 4, activeWithSelfService: 1 }), context(), true);
    expect(kpis.selfServiceAdoptionRate).toMatchObject({ value: 25, numerator: 1, denominator: 4 });
  });

  it('computes Relationship Depth per active client and as a share of the catalog', () => {
    const kpis = measureGroup(totals({ active: 5, activeServices: 7 }), context({ catalogSize: 5 }), true);
    expect(kpis.relationshipDepth).toMatchObject({
      value: 1.4,
      numerator: 7,
      denominator: 5,
      shareOfCatalog: 28,
    });
  });

  it('computes CESS as the mean of score over scale_max, in percent', () => {
    // 80 + 90 + 70 points, in millionths
    const kpis = measureGroup(totals({ cessMicroPoints: 240e6, cessResponses: 3 }), context(), true);
    expect(kpis.empowermentSatisfactionScore).toMatchObject({ value: 80, numerator: 240, denominator: 3 });
  });

  it('computes NPS as promoters minus detractors over all responses', () => {
    const kpis = measureGroup(totals({ promoters: 5, detractors: 2, npsResponses: 12 }), context(), true);
    expect(kpis.netPromoterScore).toMatchObject({ value: 25, numerator: 3, denominator: 12 });
  });

  it('computes Customer Retention Rate as retained over customers at start', () => {
    const kpis = measureGroup(totals({ customersAtStart: 4, retained: 3 }), context(), true);
    expect(kpis.customerRetentionRate).toMatchObject({ value: 75, numerator: 3, denominator: 4 });
  });

  it('computes the company Cost to Support as all costs in the quarter over active clients', () => {
    // Arrange: 1,050 direct (of which 50 to a churned client) and a pool of 500.
    const company = totals({ active: 5, activeAssisted: 4, directCostNanos: units(1050) });
    // Act
    const kpis = measureGroup(company, context({ company, poolNanos: units(500) }), true);
    // Assert
    expect(kpis.costToSupportPerClient).toMatchObject({ value: 310, numerator: 1550, denominator: 5 });
  });

  it('allocates the pool to a segment by its share of assisted interactions of active clients', () => {
    // Arrange: the segment has 1 of the 4 assisted interactions, 2 active clients and 0 direct cost.
    const company = totals({ active: 5, activeAssisted: 4 });
    const segment = totals({ active: 2, activeAssisted: 1 });
    // Act
    const kpis = measureGroup(segment, context({ company, poolNanos: units(500) }), false);
    // Assert: 500 × 1/4 = 125 over 2 active clients
    expect(kpis.costToSupportPerClient.value).toBe(62.5);
  });

  it('spreads the pool evenly over active clients when none had an assisted interaction', () => {
    const company = totals({ active: 4, activeAssisted: 0 });
    const segment = totals({ active: 1, directCostNanos: units(10) });
    const kpis = measureGroup(segment, context({ company, poolNanos: units(400) }), false);
    // 10 direct + 400 × 1/4
    expect(kpis.costToSupportPerClient.value).toBe(110);
  });

  it('gives null, never 0, NaN or Infinity, when a denominator is zero', () => {
    const kpis = measureGroup(emptyTotals(), context(), true);
    for (const measure of Object.values(kpis)) {
      expect(measure.value).toBeNull();
    }
    expect(kpis.relationshipDepth.shareOfCatalog).toBeNull();
  });

  it('gives null for the KPIs of an absent optional dataset even with data elsewhere', () => {
    const group = totals({
      active: 3,
      activeServices: 3,
      cessResponses: 1,
      cessMicroPoints: 50e6,
      npsResponses: 1,
    });
    const kpis = measureGroup(
      group,
      context({ servicesPresent: false, surveysPresent: false, costsPresent: false }),
      true,
    );
    expect(kpis.relationshipDepth.value).toBeNull();
    expect(kpis.empowermentSatisfactionScore.value).toBeNull();
    expect(kpis.netPromoterScore.value).toBeNull();
    expect(kpis.costToSupportPerClient.value).toBeNull();
    expect(kpis.selfServiceAdoptionRate.value).toBe(0);
  });
});

describe('populations and independence', () => {
  const q3 = quarterPeriod({ year: 2026, index: 3 });
  const d = (month: number, day: number, year = 2026) => dayNumber(year, month, day);

  it('applies the boundary rules of kpis.md to active, start and retained clients', () => {
    // Arrange
    const book = new ClientBook(['product']);
    book.add('ordinary', d(1, 15, 2024), undefined, ['X']);
    book.add('churned on Q.start', d(3, 1, 2025), d(7, 1), ['X']);
    book.add('joined on Q.start', d(7, 1), undefined, ['X']);
    book.add('churned on Q.end', d(5, 20, 2023), d(9, 30), ['Y']);
    book.add('churned the day after Q.end', d(11, 1, 2022), d(10, 1), ['Y']);
    book.add('joins after Q.end', d(10, 1), undefined, ['Y']);
    // Act
    const { company } = totalGroups(book, new QuarterActivity(book.size), q3, 0.8);
    // Assert
    expect(company.active).toBe(4);
    expect(company.customersAtStart).toBe(3);
    expect(company.retained).toBe(2);
  });

  it('counts a client as independent at exactly the threshold share, served clients only', () => {
    // Arrange
    const book = new ClientBook([]);
    for (const id of ['A', 'B', 'C', 'D']) book.add(id, d(1, 1, 2020), undefined, []);
    const activity = new QuarterActivity(4);
    const interactions: [number, number, number][] = [
      [0, 4, 1], // 0.8: independent (inclusive)
      [1, 3, 1], // 0.75
      [2, 7, 3], // 0.7 exactly, with threshold 0.7 below
    ];
    for (const [client, self, assisted] of interactions) {
      for (let i = 0; i < self; i++) activity.addInteraction(client, 'self_service');
      for (let i = 0; i < assisted; i++) activity.addInteraction(client, 'assisted');
    }
    // Act
    const at08 = totalGroups(book, activity, q3, 0.8).company;
    const at07 = totalGroups(book, activity, q3, 0.7).company;
    // Assert
    expect(at08.served).toBe(3);
    expect(at08.independent).toBe(1);
    expect(at07.independent).toBe(3);
  });

  it('adds each client to its value in every segment dimension', () => {
    // Arrange
    const book = new ClientBook(['region']);
    book.add('A', d(1, 1, 2020), undefined, ['EMEA']);
    book.add('B', d(1, 1, 2020), undefined, [undefined]);
    book.add('C', d(1, 1, 2020), undefined, ['EMEA']);
    const activity = new QuarterActivity(3);
    activity.addServiceInUse(0, 'onboarding');
    activity.addServiceInUse(0, 'onboarding');
    activity.addServiceInUse(2, 'training');
    // Act
    const { segments } = totalGroups(book, activity, q3, 0.8);
    // Assert
    expect(segments.get('region')?.get('EMEA')).toMatchObject({ active: 2, activeServices: 2 });
    expect(segments.get('region')?.get('(unspecified)')).toMatchObject({ active: 1, activeServices: 0 });
  });
});
