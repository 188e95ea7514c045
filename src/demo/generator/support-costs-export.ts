/**
 * `support_costs.csv`: the quarter's support costs (a desk every day, a vendor every week,
 * tooling and training every month, credits, and direct costs of larger clients), in
 * proportion to the assisted interactions.
 */
import { type Prng, WeightedTable } from '../prng';
import { planBadRows } from './bad-rows';
import { quarterOrdinal } from './calendar';
import { type ActiveClient, type Context, type QuarterFrame, STREAM_COSTS } from './context';
import { writeSmallDataset } from './dataset-file';
import { clamp } from './numbers';
import { csvField, formatCents, pad } from './text';
import type { Trend } from './trend';

export interface CostRow {
  readonly day: number;
  readonly cents: number;
  readonly client: string;
  readonly category: string;
}

export async function writeSupportCosts(
  context: Context,
  frame: QuarterFrame,
  active: readonly ActiveClient[],
  assisted: number,
  trend: Trend,
  bad: Prng,
): Promise<void> {
  const rng = context.rng(quarterOrdinal(frame.quarter), STREAM_COSTS);
  const noise = 0.92 + 0.16 * rng.next();
  const variable = assisted * trend.costPerAssistedCents * noise;
  const fixed = active.length * 1500;
  const total = variable + fixed;
  const rows: CostRow[] = [];

  // The pool: support desk rows every day, a vendor every week, tooling and training every month.
  const pooled: { day: number; weight: number; category: string; fixedPart: boolean }[] = [];
  for (let day = frame.start; day <= frame.end; day++) {
    const weekday = (day + 3) % 7; // 0 = Monday (day 0, 1970-01-01, was a Thursday)
    if (weekday < 5) {
      pooled.push({ day, weight: 1 + 0.3 * rng.normal(), category: 'tier1', fixedPart: false });
      pooled.push({ day, weight: 1 + 0.3 * rng.normal(), category: 'tier1', fixedPart: false });
      pooled.push({ day, weight: 0.9 + 0.3 * rng.normal(), category: 'tier2', fixedPart: false });
    } else {
      pooled.push({ day, weight: 0.3 + 0.1 * rng.normal(), category: 'tier1 weekend', fixedPart: false });
    }
    if (weekday === 0) {
      pooled.push({
        day,
        weight: 2.5 + 0.4 * rng.normal(),
        category: 'Vendor "Acme, Inc." escalations',
        fixedPart: false,
      });
    }
    if (context.days.of(day).endsWith('-01')) {
      pooled.push({ day, weight: 2, category: 'tooling', fixedPart: true });
      pooled.push({ day, weight: 1, category: 'training', fixedPart: true });
    }
  }
  const weightOf = (fixedPart: boolean): number =>
    pooled.reduce((sum, row) => (row.fixedPart === fixedPart ? sum + Math.max(0.05, row.weight) : sum), 0);
  const variableWeight = weightOf(false);
  const fixedWeight = weightOf(true);
  for (const row of pooled) {
    const amount = row.fixedPart
      ? (0.8 * fixed * Math.max(0.05, row.weight)) / fixedWeight
      : (0.8 * variable * Math.max(0.05, row.weight)) / variableWeight;
    rows.push({ day: row.day, cents: Math.round(amount), client: '', category: row.category });
  }
  // Credits from vendors and goodwill.
  const credits = rng.between(2, 5);
  for (let i = 0; i < credits; i++) {
    const cents = -Math.round((total * (0.001 + 0.004 * rng.next())) / 10) * 10;
    rows.push({
      day: frame.start + rng.int(frame.end - frame.start + 1),
      cents,
      client: '',
      category: 'credit',
    });
  }
  // Direct costs: professional services and dedicated managers, mostly for larger clients.
  if (active.length > 0) {
    const table = new WeightedTable(active.map((entry) => [1, 2, 6][entry.client.size] ?? 1));
    const direct = clamp(Math.round(active.length * 0.08), 10, 120);
    const shares = Array.from({ length: direct }, () => 0.2 + rng.next());
    const shareSum = shares.reduce((sum, share) => sum + share, 0);
    for (const share of shares) {
      const entry = active[table.pick(rng)];
      if (!entry) continue;
      rows.push({
        day: entry.from + rng.int(entry.to - entry.from + 1),
        cents: Math.round((0.2 * total * share) / shareSum),
        client: entry.client.id,
        category: rng.chance(0.6) ? 'professional services' : 'dedicated CSM',
      });
    }
  }
  const ordered = rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => a.row.day - b.row.day || a.index - b.index)
    .map(
      ({ row }) =>
        `${context.days.of(row.day)},${formatCents(row.cents)},${row.client},${csvField(row.category)}`,
    );

  const plan = planBadRows(bad, ordered.length, context.badRowShare, [
    'non-numeric amount',
    'invalid incurred_on',
    'unknown client_id',
  ]);
  const year = frame.quarter.year;
  const day = frame.dayNames[1 + Math.floor((frame.end - frame.start) / 3)] ?? '';
  await writeSmallDataset(context, frame, 'support_costs', ordered, ordered.length, plan, (kind, n) => {
    switch (kind) {
      case 'non-numeric amount':
        return `${day},${['abc', 'n/a', '"12,50"'][n % 3]},,tier1`;
      case 'invalid incurred_on':
        return `${year}-13-01,120.00,,tier1`;
      default:
        return `${day},75.00,C-Z${pad(n, 6)},professional services`;
    }
  });
}
