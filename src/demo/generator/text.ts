/**
 * How the generated rows write values: CSV quoting, amounts in cents, zero-padded numbers.
 */

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
