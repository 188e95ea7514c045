/** Where a deployment's report settings live, relative to the data root (see `report-settings.ts`). */
export const REPORT_SETTINGS_KEY = 'config/kpi-report.json';
