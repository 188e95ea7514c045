/**
 * cdk-nag 3 names each wildcard finding after the resource as written in the template, with
 * references flattened (`<Bucket1234.Arn>/reports/*`). Acknowledging a finding needs that
 * exact name, and its logical ids are hashed; these helpers compute it from the same
 * expression the policy uses, so no suppression spells out a logical id.
 */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The cdk-nag finding id for an `AwsSolutions-IAM5` wildcard on `resourceArn`. */
export function wildcardResourceFinding(scope: IConstruct, resourceArn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenReference(Stack.of(scope).resolve(resourceArn))}]`;
}

/** cdk-nag's flattening (utils/flatten-cfn-reference): Join, Sub, GetAtt and Ref. */
export function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const value = node as Record<string, unknown>;
    const join = value['Fn::Join'] as [string, unknown[]] | undefined;
    if (join !== undefined) return join[1].map(flattenReference).join(join[0]);
    if (value['Fn::Sub'] !== undefined) return flattenReference(value['Fn::Sub']);
    const getAtt = value['Fn::GetAtt'] as [unknown, unknown] | undefined;
    if (getAtt !== undefined) return `<${flattenReference(getAtt[0])}.${flattenReference(getAtt[1])}>`;
    if (value['Fn::ImportValue'] !== undefined) return flattenReference(value['Fn::ImportValue']);
    if (value.Ref !== undefined) return `<${flattenReference(value.Ref)}>`;
  }
  return JSON.stringify(node);
}
