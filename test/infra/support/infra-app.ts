/**
 * Builds the CDK app as `cdk synth` does (cdk.json's context, feature flags included) but
 * without bundling the functions, so infra tests run in a second and need no esbuild output.
 */
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { defineKpiReportApp } from '../../../infra/kpi-report-app';
import type { KpiReportStack } from '../../../infra/kpi-report-stack';

const cdkJson = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/** An app with cdk.json's context plus `context`; functions are not bundled unless asked. */
export function testApp(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): App {
  return new App({
    context: {
      ...cdkJson.context,
      ...(options.bundle !== true && { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
}

/** The kpi-report app, as infra/app.ts defines it, from the given context. */
export function synthKpiReport(context: Record<string, unknown> = {}) {
  const app = testApp(context);
  const stack = defineKpiReportApp(app);
  return { app, stack, reports: stack.reports, template: Template.fromStack(stack) };
}

/** What a token resolves to in `stack`'s template, e.g. `{ Ref: … }` for a bucket name. */
export function resolved(stack: Stack, value: unknown): unknown {
  return Stack.of(stack).resolve(value);
}

export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** Every Allow statement of the policies attached to `role` (a role token). */
export function allowStatementsOf(stack: Stack, template: Template, role: string): PolicyStatementJson[] {
  const roleRef = resolved(stack, role);
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some((ref) => JSON.stringify(ref) === JSON.stringify(roleRef)),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[])
    .filter((statement) => statement.Effect === 'Allow');
}

export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: PolicyStatementJson): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** The ARN patterns an action is allowed on, written as cdk-nag writes them (`<Bucket.Arn>/reports/*`). */
export function flatResources(statements: PolicyStatementJson[], action: string): string[] {
  return statements
    .filter((statement) => actionsOf(statement).some((allowed) => matchesAction(allowed, action)))
    .flatMap(resourcesOf)
    .map(flatten);
}

/** `s3:*` and `s3:Put*` allow `s3:PutObject` too. */
function matchesAction(allowed: string, action: string): boolean {
  if (allowed === '*') return true;
  const pattern = new RegExp(`^${allowed.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return pattern.test(action);
}

function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  const value = node as Record<string, unknown>;
  const join = value['Fn::Join'] as [string, unknown[]] | undefined;
  if (join !== undefined) return join[1].map(flatten).join(join[0]);
  const getAtt = value['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt !== undefined) return `<${getAtt[0]}.${getAtt[1]}>`;
  if (typeof value.Ref === 'string') return `<${value.Ref}>`;
  return JSON.stringify(node);
}

/** The logical id of a construct's CloudFormation resource (never spelt out in a test). */
export function logicalIdOf(stack: KpiReportStack, ref: string): string {
  const value = resolved(stack, ref) as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const id = value.Ref ?? value['Fn::GetAtt']?.[0];
  if (id === undefined) throw new Error(`not a reference: ${JSON.stringify(value)}`);
  return id;
}
