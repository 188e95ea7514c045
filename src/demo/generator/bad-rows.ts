/**
 * The deliberately bad rows of a file: how many, where they go and of which kinds, and the
 * tally by kind that the summary reports.
 */
import type { Prng } from '../prng';

/** How many bad rows go with `goodRows` rows: always under 1% of the file, and at most 1 below 200 rows x share. */
export function badRowCount(goodRows: number, share: number): number {
  if (share <= 0 || goodRows <= 0) return 0;
  return Math.max(Math.floor(goodRows * share), goodRows >= 200 ? 1 : 0);
}

export interface BadPlan {
  /** Sorted: a bad row goes right before good row number `position` (0-based), never first. */
  readonly positions: number[];
  readonly kinds: string[];
}

export function planBadRows(rng: Prng, goodRows: number, share: number, kinds: readonly string[]): BadPlan {
  const count = badRowCount(goodRows, share);
  const positions = Array.from({ length: count }, () => 1 + rng.int(goodRows)).sort((a, b) => a - b);
  const offset = rng.int(kinds.length);
  return { positions, kinds: positions.map((_, i) => kinds[(offset + i) % kinds.length] ?? '') };
}

export function tally(kinds: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
