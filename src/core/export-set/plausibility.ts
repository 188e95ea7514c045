/**
 * Plausibility guards, checked by both readers once a set is read and before any KPI is
 * computed: a set that is read without a single bad row can still be the wrong set. A
 * required dataset with no data rows, or an event dataset whose dated rows mostly fall
 * outside the quarter (another quarter's exports in this folder, a wrong
 * `fiscalYearStartMonth` or `timeZone`), would publish confident zeros; each is a problem
 * that names what was found and the likely fix.
 */
import type { Config } from '../config';
import { exportKeys } from '../data-root';
import { formatDay, type QuarterPeriod } from '../quarter';
import { DATED_DATASETS, type DatasetName, REQUIRED_DATASETS } from './contract';
import type { DatasetQuality } from './dataset-quality';

export function plausibilityProblems(
  dataQuality: Record<DatasetName, DatasetQuality>,
  period: QuarterPeriod,
  config: Pick<Config, 'minRowsInPeriodPercent' | 'fiscalYearStartMonth' | 'timeZone' | 'rejectLimitPercent'>,
): string[] {
  const problems: string[] = [];
  for (const name of REQUIRED_DATASETS) {
    const { files, rows, rejected } = dataQuality[name];
    // Not read in full: its own problem says why.
    if (files.length === 0) continue;
    if (rows === 0) {
      problems.push(
        `${name} has no data rows (${files.map((file) => file.file).join(', ')}: a header only), so its KPIs would read 0 or n/a; upload the full export`,
      );
    } else if (rejected === rows && config.rejectLimitPercent >= 100) {
      problems.push(
        `${name} has no valid rows: all ${rows} were rejected; fix the rows listed in the data-quality report`,
      );
    }
  }
  for (const name of DATED_DATASETS) {
    const dated = dataQuality[name].dated;
    if (dated === undefined || dated.rows === 0) continue;
    const share = (dated.inPeriod / dated.rows) * 100;
    if (share >= config.minRowsInPeriodPercent) continue;
    problems.push(
      `${name}: only ${dated.inPeriod} of ${dated.rows} dated rows (${share.toFixed(1)}%) fall in ${period.label} (${formatDay(period.start)} to ${formatDay(period.end)}, ${config.timeZone}); they run from ${dated.first} to ${dated.last}. Check that ${exportKeys.set(period.label)} holds ${period.label}'s exports, and the configuration's fiscalYearStartMonth (${config.fiscalYearStartMonth}) and timeZone (${config.timeZone}); minRowsInPeriodPercent (${config.minRowsInPeriodPercent}) sets this check`,
    );
  }
  return problems;
}
