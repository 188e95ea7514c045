/** What `kpi-report validate` prints: per dataset rows and rejections, then the verdict. */
import { DATASET_NAMES } from '../core/datasets/contract';
import type { ValidationReport } from '../use-cases/validate-quarter';

const count = new Intl.NumberFormat('en-US');

export function renderValidation(report: ValidationReport, rejectLimitPercent: number): string {
  const lines = [`Export set ${report.quarter}`];
  for (const name of DATASET_NAMES) {
    const quality = report.dataQuality[name];
    if (!quality.present) {
      lines.push(`  ${name}: not present`);
      continue;
    }
    const share = quality.rows === 0 ? 0 : (quality.rejected / quality.rows) * 100;
    lines.push(
      `  ${name}: ${count.format(quality.rows)} rows, ${count.format(quality.rejected)} rejected (${share.toFixed(2)}%)`,
    );
    for (const example of quality.examples) {
      lines.push(`    ${example.file}:${example.line}  ${example.reason}`);
    }
    if (quality.rejected > quality.examples.length) {
      lines.push(`    … and ${count.format(quality.rejected - quality.examples.length)} more`);
    }
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  if (report.ok) {
    lines.push(`OK: a run would succeed (reject limit ${rejectLimitPercent}% per dataset).`);
  } else {
    lines.push('A run would FAIL:', ...report.problems.map((problem) => `  - ${problem}`));
  }
  return lines.join('\n');
}
