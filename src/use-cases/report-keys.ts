/** Where the job writes, under the data root (exports.md layout). */
export const reportKeys = {
  folder: (quarter: string) => `reports/${quarter}/`,
  snapshot: (quarter: string) => `reports/${quarter}/kpis.json`,
  validation: (quarter: string) => `reports/${quarter}/validation.json`,
};
