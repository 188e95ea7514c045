/**
 * What `kpi-report validate` prints (the period, per dataset its rows, rejections and rows
 * in the period, then the verdict) and what `run` prints of the same before its KPIs.
 */
import { DATASET_NAMES, type DatasetName } from '../core/export-set/contract';
import type { ValidationReport } from '../use-cases/validate-quarter';
import { type DatasetRejections, MAX_TALLIED } from './rejection-tally';

const count = new Intl.NumberFormat('en-US');
/** `April`: the month a fiscal year starts in, by its number (1 to 12). */
const monthName = (month: number) =>
  new Intl.DateTimeFormat('en-US', { month: 'long', timeZone: 'UTC' }).format(Date.UTC(2000, month - 1, 1));

/** Reasons and values a dataset's text lists; `--json` and `--rejects` have them all. */
const SHOWN_REASONS = 10;
const SHOWN_VALUES = 5;

export function renderValidation(
  report: ValidationReport,
  rejectLimitPercent: number,
  rejections?: (dataset: DatasetName) => DatasetRejections,
): string {
  const lines = [periodLine(report)];
  for (const name of DATASET_NAMES) {
    const quality = report.dataQuality[name];
    lines.push(datasetLine(report, name));
    if (!quality.present) continue;
    for (const example of quality.examples) {
      lines.push(`    ${example.file}:${example.line}  ${example.reason}`);
    }
    if (quality.rejected > quality.examples.length) {
      lines.push(`    … and ${count.format(quality.rejected - quality.examples.length)} more`);
    }
    // A dataset not read in full has no counts (its problem says why).
    if (rejections !== undefined && quality.rejected > 0) lines.push(...countLines(rejections(name)));
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  if (report.ok) {
    lines.push(`OK: a run would succeed (reject limit ${rejectLimitPercent}% per dataset).`);
  } else {
    lines.push('A run would FAIL:', ...report.problems.map((problem) => `  - ${problem}`));
  }
  return lines.join('\n');
}

/** A dataset's rejected rows counted by reason and by the most frequent rejected values. */
function countLines(counts: DatasetRejections): string[] {
  const rows = (n: number) => `${count.format(n)} ${n === 1 ? 'row' : 'rows'}`;
  const width = Math.max(...counts.byReason.slice(0, SHOWN_REASONS).map((entry) => rows(entry.rows).length));
  const lines = ['    rejected rows by reason:'];
  for (const entry of counts.byReason.slice(0, SHOWN_REASONS)) {
    lines.push(`      ${rows(entry.rows).padStart(width)}  ${entry.reason}`);
  }
  if (counts.byReason.length > SHOWN_REASONS) {
    lines.push(`      … and ${count.format(counts.byReason.length - SHOWN_REASONS)} more reasons`);
  }
  if (counts.byValue.length > 0) {
    const values = counts.byValue.slice(0, SHOWN_VALUES);
    lines.push(
      `    most rejected values: ${values.map((entry) => `${entry.field} '${entry.value}' (${rows(entry.rows)})`).join(', ')}`,
    );
    if (counts.byValue.length > SHOWN_VALUES) {
      lines.push(
        `      … and ${count.format(counts.byValue.length - SHOWN_VALUES)} more distinct values (all in --json; every row with --rejects FILE)`,
      );
    }
  }
  if (counts.untallied > 0) {
    lines.push(
      `    ${rows(counts.untallied)} past the first ${count.format(MAX_TALLIED)} distinct reasons or values, not counted above`,
    );
  }
  return lines;
}

/** The period and each dataset's rows, as `run` states them before computing any KPI. */
export function renderReading(report: ValidationReport): string {
  return [periodLine(report), ...DATASET_NAMES.map((name) => datasetLine(report, name))].join('\n');
}

/** `Export set 2027-Q1: 2026-04-01 to 2026-06-30 (UTC; fiscal year 2027, which starts in April)`. */
function periodLine(report: ValidationReport): string {
  const { start, end, timeZone, fiscalYearStartMonth } = report.period;
  const fiscal =
    fiscalYearStartMonth === 1
      ? 'calendar quarters'
      : `fiscal year ${report.quarter.slice(0, 4)}, which starts in ${monthName(fiscalYearStartMonth)}`;
  return `Export set ${report.quarter}: ${start} to ${end} (${timeZone}; ${fiscal})`;
}

function datasetLine(report: ValidationReport, name: DatasetName): string {
  const quality = report.dataQuality[name];
  if (!quality.present) return `  ${name}: not present`;
  if (quality.files.length === 0) return `  ${name}: not read (see the problems)`;
  const share = quality.rows === 0 ? 0 : (quality.rejected / quality.rows) * 100;
  let line = `  ${name}: ${count.format(quality.rows)} rows, ${count.format(quality.rejected)} rejected (${share.toFixed(2)}%)`;
  const { dated } = quality;
  if (name === 'clients' && quality.files.length > 0) {
    line += `; ${count.format(report.activeClients)} active in the period`;
  } else if (dated !== undefined) {
    const inPeriod = dated.rows === 0 ? 0 : (dated.inPeriod / dated.rows) * 100;
    line += `; ${count.format(dated.inPeriod)} of ${count.format(dated.rows)} dated rows in the period (${inPeriod.toFixed(1)}%)`;
    if (dated.first !== null) line += `, dated ${dated.first} to ${dated.last}`;
  }
  return line;
}
