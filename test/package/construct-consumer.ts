/**
 * A CDK app as another team writes it: imports the construct as `kpi-report/cdk`, compiled
 * with `module: NodeNext`, two instances with non-default props in one stack.
 */
export const CONSTRUCT_APP = `import { App, Duration, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { QuarterlyKpiReports, type QuarterlyKpiReportsProps } from 'kpi-report/cdk';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'eu-west-1' } });
const props: QuarterlyKpiReportsProps = {
  senderEmail: 'kpi@acme.example',
  recipients: [{ address: 'ceo@acme.example', name: 'Alex' }],
  configuration: { companyName: 'Acme', targets: { netPromoterScore: { value: 40 } } },
  logRetention: logs.RetentionDays.SIX_MONTHS,
  functionSizing: { run: { memorySize: 2048, timeout: Duration.minutes(8) } },
};
new QuarterlyKpiReports(stack, 'Finance', props);
new QuarterlyKpiReports(stack, 'Sales', { ...props, dataPrefix: 'sales', apiThrottling: { rateLimit: 2 } });

// The declarations are real types, not any: each of these must be refused.
// @ts-expect-error logRetention is a logs.RetentionDays
const wrongRetention: QuarterlyKpiReportsProps = { logRetention: 'forever' };
// @ts-expect-error currency is a string in the written-out configuration type
const wrongCurrency: QuarterlyKpiReportsProps = { configuration: { currency: 978 } };
void wrongRetention;
void wrongCurrency;

app.synth();
`;

export const CONSTRUCT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    outDir: 'build',
  },
  include: ['main.ts'],
};

/** The synthesised template's resources, as the assertions read them. */
export interface SynthesisedTemplate {
  Resources: Record<
    string,
    { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }
  >;
}
