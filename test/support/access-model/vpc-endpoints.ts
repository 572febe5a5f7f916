import type { IConstruct } from 'constructs';
import { Catalog, entryName } from './catalog';
import type { PolicyDocument } from './types';

/** The VPC endpoint a request goes through: its policy and the keys it adds to the request. */
export interface EndpointInfo {
  readonly name: string;
  /** Undefined: the endpoint has no policy, which allows full access. */
  readonly policy?: PolicyDocument;
  readonly context: Record<string, string>;
}

export function resolveEndpoint(catalog: Catalog, construct: IConstruct): EndpointInfo {
  const entry = catalog.entryOf(construct, 'vpcEndpoint');
  if (entry.resource.Type !== 'AWS::EC2::VPCEndpoint') {
    throw new Error(`AccessModel: vpcEndpoint must be an AWS::EC2::VPCEndpoint, got ${entryName(entry)}.`);
  }
  const context: Record<string, string> = { 'aws:SourceVpce': catalog.physical(entry).ref() };
  const vpc = catalog.prop(entry, 'VpcId');
  if (typeof vpc === 'string') context['aws:SourceVpc'] = vpc;
  const policy = catalog.prop(entry, 'PolicyDocument') as PolicyDocument | undefined;
  return { name: entryName(entry), policy: policy && anyPrincipalAsStar(policy), context };
}

/**
 * `Principal: { AWS: '*' }` (how CDK writes AnyPrincipal) as `'*'`: IAM treats them alike, but
 * iam-simulate rejects anything but `"*"` in an endpoint policy.
 */
function anyPrincipalAsStar(policy: PolicyDocument): PolicyDocument {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return {
    ...policy,
    Statement: statements.map((s: Record<string, unknown>) => {
      const p = s?.Principal as { AWS?: unknown } | undefined;
      const anyAws = p && typeof p === 'object' && Object.keys(p).length === 1 && (p.AWS === '*' || (Array.isArray(p.AWS) && p.AWS.length === 1 && p.AWS[0] === '*'));
      return anyAws ? { ...s, Principal: '*' } : s;
    }),
  };
}
