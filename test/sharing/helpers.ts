import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * A template value as one string: `Fn::Join` joined, the partition `aws`, other `Ref`s and
 * `Fn::GetAtt`s as `<LogicalId>` / `<LogicalId.Attribute>`, so a test can compare a whole ARN.
 */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (typeof v.Ref === 'string') return `<${v.Ref}>`;
  if (Array.isArray(v['Fn::GetAtt'])) return `<${v['Fn::GetAtt'].join('.')}>`;
  if (Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as unknown[]).map(flatten).join(v['Fn::Join'][0]);
  throw new Error(`flatten: cannot read ${JSON.stringify(value)}`);
}

/** The only resource share of the stack, its properties flattened. */
export function shareOf(stack: Stack): { name: string; allowExternalPrincipals: unknown; permissions: string[]; principals: string[]; resources: string[]; keys: string[] } {
  const shares = Object.values<any>(Template.fromStack(stack).findResources('AWS::RAM::ResourceShare'));
  expect(shares).toHaveLength(1);
  const p = shares[0].Properties;
  return {
    name: p.Name,
    allowExternalPrincipals: p.AllowExternalPrincipals,
    permissions: p.PermissionArns.map(flatten),
    principals: p.Principals.map(flatten),
    resources: p.ResourceArns.map(flatten),
    keys: Object.keys(p).sort(),
  };
}

/** The subnet ARN a share must name for `subnet` of a stack in 111111111111 / us-east-1. */
export function subnetArn(stack: Stack, subnet: ec2.ISubnet): string {
  const logicalId = stack.getLogicalId(subnet.node.defaultChild as ec2.CfnSubnet);
  return `arn:aws:ec2:us-east-1:111111111111:subnet/<${logicalId}>`;
}

/** A VPC with a public, a private-with-egress and an isolated subnet group over two zones. */
export function threeTierVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Ingress', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
}

export const SUBNET_PERMISSION = 'arn:aws:ram::aws:permission/AWSRAMDefaultPermissionSubnet';
export const OU_ARN = 'arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-a1b2-c3d4e5f6';
export const ORG_ARN = 'arn:aws:organizations::999999999999:organization/o-a1b2c3d4e5';
