/**
 * The CSV attachment: every KPI for the company and every segment, at full precision, with
 * its 95% interval and whether each change is outside the noise, so a reader can sort and
 * filter what the email summarises. Safe to open in a spreadsheet:
 * a text cell that a spreadsheet would run as a formula is neutralised.
 */
import type { Recipient } from '../../config';
import { KPI_DEFINITIONS, KPI_IDS } from '../../kpi-ids';
import type { KpiResults, Snapshot } from '../../snapshot';

export const KPI_CSV_COLUMNS = [
  'quarter',
  'scope',
  'dimension',
  'segment',
  'kpi_id',
  'kpi',
  'unit',
  'value',
  'numerator',
  'denominator',
  'band',
  'low_sample',
  'previous',
  'delta_qoq',
  'year_ago',
  'delta_yoy',
  'delta_qoq_percent',
  'delta_yoy_percent',
  'interval_low',
  'interval_high',
  'delta_qoq_outside_noise',
  'delta_yoy_outside_noise',
] as const;

/**
 * Text starting with `=`, `+`, `-`, `@`, tab or carriage return is a formula to Excel,
 * LibreOffice and Google Sheets (OWASP "CSV injection"); a leading `'` makes it text.
 * Numbers are written as numbers, never prefixed, so `-3.5` stays a number.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = neutraliseFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function rows(snapshot: Snapshot, scope: string, dimension: string, segment: string, results: KpiResults) {
  return KPI_IDS.map((id) => {
    const result = results[id];
    return [
      snapshot.quarter,
      scope,
      dimension,
      segment,
      id,
      KPI_DEFINITIONS[id].name,
      result.unit,
      result.value,
      result.numerator,
      result.denominator,
      result.band,
      result.lowSample,
      result.previous,
      result.deltaQoQ,
      result.yearAgo,
      result.deltaYoY,
      result.deltaQoQPercent,
      result.deltaYoYPercent,
      result.interval?.low,
      result.interval?.high,
      result.deltaQoQOutsideNoise,
      result.deltaYoYOutsideNoise,
    ]
      .map(cell)
      .join(',');
  });
}

/**
 * The attachment's text: a UTF-8 byte-order mark (so Excel reads accents right), a header,
 * the company rows (unless the recipient is limited to segments), then every segment of
 * every dimension, or only the recipient's segments. CRLF line ends, as RFC 4180 has it.
 */
export function renderKpisCsv(snapshot: Snapshot, recipient?: Recipient): string {
  const lines: string[] = [KPI_CSV_COLUMNS.join(',')];
  const limitedTo = recipient?.segments;
  if (limitedTo === undefined) {
    lines.push(...rows(snapshot, 'company', '', '', snapshot.kpis));
    for (const [dimension, values] of Object.entries(snapshot.segments)) {
      for (const [segment, results] of Object.entries(values)) {
        lines.push(...rows(snapshot, 'segment', dimension, segment, results));
      }
    }
  } else {
    for (const { dimension, value } of limitedTo) {
      const results = snapshot.segments[dimension]?.[value];
      if (results !== undefined) lines.push(...rows(snapshot, 'segment', dimension, value, results));
    }
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
