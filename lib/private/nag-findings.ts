import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The finding ids that cdk-nag's per-finding IAM rules report for a resource, named as cdk-nag names
 * them (its `flattenCfnReference`), so a construct can acknowledge each one: the library does not
 * depend on cdk-nag. `wildcards` is AwsSolutions-IAM5 (`Action::s3:*`, `Resource::<Bucket.Arn>/*`),
 * `managed-policies` is AwsSolutions-IAM4 (`Policy::arn:<AWS::Partition>:iam::aws:policy/...`).
 */
export function policyFindings(stack: Stack, resource: CfnResource, kind: 'wildcards' | 'managed-policies'): string[] {
  const findings = new Set<string>();
  const identity = resource instanceof iam.CfnRole || resource instanceof iam.CfnUser || resource instanceof iam.CfnGroup;
  if (kind === 'managed-policies') {
    if (!identity) return [];
    for (const arn of asList(stack.resolve(resource.managedPolicyArns))) {
      const flat = flattenReference(stack.resolve(arn));
      if (flat.includes(':iam::aws:')) findings.add(`Policy::${flat}`);
    }
    return [...findings];
  }
  const documents: unknown[] = [];
  if (identity) {
    for (const policy of asList(stack.resolve(resource.policies))) documents.push(stack.resolve((policy as { policyDocument?: unknown }).policyDocument));
  } else if (resource instanceof iam.CfnPolicy || resource instanceof iam.CfnManagedPolicy) {
    documents.push(stack.resolve(resource.policyDocument));
  }
  for (const document of documents) {
    for (const statement of asList((document as { Statement?: unknown } | undefined)?.Statement) as Statement[]) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of asList(statement.Action)) {
        if (String(action).includes('*')) findings.add(`Action::${action}`);
      }
      for (const resourceArn of asList(statement.Resource)) {
        const flat = flattenReference(resourceArn);
        if (flat.includes('*')) findings.add(`Resource::${flat}`);
      }
    }
  }
  return [...findings];
}

/** A resolved CloudFormation value as a flat string: `<Logical.Attr>` for GetAtt, `<Logical>` for Ref, joins joined. */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\${/g, '<').replace(/}/g, '>');
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (v['Fn::Join']) {
      const [delimiter, items] = v['Fn::Join'] as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (v['Fn::Sub']) return flattenReference(v['Fn::Sub']);
    if (v['Fn::GetAtt']) {
      const [logicalId, attribute] = v['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(logicalId)}.${flattenReference(attribute)}>`;
    }
    if (v['Fn::ImportValue']) return flattenReference(v['Fn::ImportValue']);
    if (v.Ref) return `<${flattenReference(v.Ref)}>`;
  }
  return JSON.stringify(value);
}

interface Statement { readonly Effect?: string; readonly Action?: unknown; readonly Resource?: unknown }

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
