/**
 * An app that embeds the engine: imports `kpi-report` (the root export), compiled with
 * `module: NodeNext` and `skipLibCheck: false`, so the package's declarations themselves are
 * checked, with nothing of the engine's dependencies installed. It computes the CLI's
 * quarter from the project's data root, first with the default reject limit (which the
 * example is over), and prints what it got as JSON.
 */
export const API_APP = `import {
  computeQuarter,
  type ExportStore,
  type KpiReportSettings,
  type KpiSnapshot,
  localStore,
  type QuarterResult,
  SettingsError,
} from 'kpi-report';

const store: ExportStore = localStore('data');
const refused: QuarterResult = await computeQuarter({ store, quarter: '2026-Q3' });
if (refused.ok) throw new Error('the example is over the default reject limit');

const settings: KpiReportSettings = { rejectLimitPercent: 50, email: { riskDropPoints: 5 } };
const result = await computeQuarter({ store, quarter: '2026-q3', settings });
if (!result.ok) throw new Error(result.problems.join('\\n'));
const snapshot: KpiSnapshot = result.snapshot;
const nps: number | null = snapshot.kpis.netPromoterScore.value;

let settingsError = '';
try {
  await computeQuarter({ store, quarter: '2026-Q3', settings: { timeZone: 'Mars/Olympus' } });
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  settingsError = error.message;
}

// The declarations are real types, not any: each of these must be refused.
// @ts-expect-error not a KPI id
void snapshot.kpis.netPromotorScore;
// @ts-expect-error currency is a string
const wrongCurrency: KpiReportSettings = { currency: 978 };
// @ts-expect-error a snapshot's value is a number or null
const wrongValue: string = snapshot.kpis.customerRetentionRate.value;
void wrongCurrency;
void wrongValue;

process.stdout.write(
  JSON.stringify({ problems: refused.problems, nps, settingsError, kpis: snapshot.kpis, segments: snapshot.segments }),
);
`;

export const API_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    types: ['node'],
    outDir: 'build-api',
  },
  include: ['api.ts'],
};
