/**
 * How KPI values and deltas read to a person, shared by the CLI table and the email, so a
 * figure is rounded the same way everywhere. Rounding happens here only.
 */
import { KPI_DEFINITIONS, type KpiId } from '../../kpi-ids';

export const NOT_AVAILABLE = 'n/a';

function fixed(value: number, digits: number): string {
  // Avoid "-0.0" for tiny negatives.
  const text = value.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text;
}

function money(value: number, currency: string, signed = false): string {
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    signDisplay: signed ? 'exceptZero' : 'auto',
  }).format(value);
}

/** Decimal places a KPI's value and deltas are shown with (cost: cents). */
function displayDigits(id: KpiId): number {
  return KPI_DEFINITIONS[id].unit === 'percent' || KPI_DEFINITIONS[id].unit === 'score' ? 1 : 2;
}

/** A delta rounded as it is displayed, so "unchanged" means "shows as zero". */
export function displayedDelta(id: KpiId, delta: number): number {
  return Number(fixed(delta, displayDigits(id)));
}

export function formatKpiValue(id: KpiId, value: number | null, currency: string): string {
  if (value === null) return NOT_AVAILABLE;
  switch (KPI_DEFINITIONS[id].unit) {
    case 'percent':
      return `${fixed(value, 1)}%`;
    case 'score':
      return fixed(value, 1);
    case 'servicesPerClient':
      return fixed(value, 2);
    case 'currencyPerClient':
      return money(value, currency);
  }
}

function signed(text: string): string {
  return text.startsWith('-') || Number(text) === 0 ? text : `+${text}`;
}

/** A delta in the KPI's unit: points for percentages and NPS, currency for cost. */
export function formatKpiDelta(id: KpiId, delta: number | null, currency: string): string {
  if (delta === null) return NOT_AVAILABLE;
  switch (KPI_DEFINITIONS[id].unit) {
    case 'percent':
      return `${signed(fixed(delta, 1))} pp`;
    case 'score':
      return `${signed(fixed(delta, 1))} pts`;
    case 'servicesPerClient':
      return signed(fixed(delta, 2));
    case 'currencyPerClient':
      return money(delta, currency, true);
  }
}

export function formatPercentChange(change: number | null | undefined): string {
  return change === null || change === undefined ? NOT_AVAILABLE : `${signed(fixed(change, 1))}%`;
}
