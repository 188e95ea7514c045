/**
 * Bands (kpis.md): strong at or above `strong`, moderate at or above `moderate`, else weak.
 * Relationship depth is banded on its share of the catalog. Cost to Support has no band
 * unless the configuration gives one, and then lower is better.
 */
import type { Config } from '../config';
import type { KpiId } from '../kpi-ids';
import type { Band } from '../snapshot';

export function bandOf(id: KpiId, value: number | null, bands: Config['bands']): Band | null {
  if (value === null) return null;
  if (id === 'costToSupportPerClient') {
    const thresholds = bands.costToSupportPerClient;
    if (thresholds === undefined) return null;
    return value <= thresholds.strong ? 'strong' : value <= thresholds.moderate ? 'moderate' : 'weak';
  }
  const thresholds = bands[id];
  return value >= thresholds.strong ? 'strong' : value >= thresholds.moderate ? 'moderate' : 'weak';
}
