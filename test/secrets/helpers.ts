import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { testApp } from '../support/app';

export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';

/** A stack with an explicit environment, as the examples have. */
export function newStack(id = 'Test'): Stack {
  return new Stack(testApp(), id, { env: { account: ACCOUNT, region: REGION } });
}

/** A stack with a VPC and an RDS PostgreSQL instance whose master secret has a customer-managed key. */
export function databaseStack(id = 'Test'): { stack: Stack; vpc: ec2.Vpc; instance: rds.DatabaseInstance } {
  const stack = newStack(id);
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const key = new kms.Key(stack, 'DatabaseKey', { enableKeyRotation: true });
  const instance = new rds.DatabaseInstance(stack, 'Database', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    credentials: rds.Credentials.fromGeneratedSecret('example_admin', { encryptionKey: key }),
  });
  return { stack, vpc, instance };
}

/** Resources of one type in a synthesized template, keyed by logical id. */
export function resourcesOfType(template: { Resources?: Record<string, any> }, type: string): Record<string, any> {
  return Object.fromEntries(Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type));
}

/**
 * The rotation engine's functions in a template: a stack with an `ec2.Vpc` also holds CDK's own
 * `Custom::VpcRestrictDefaultSG` provider function under the recommended feature flags.
 */
export function rotationFunctions(template: Template): Record<string, any> {
  return Object.fromEntries(Object.entries(resourcesOfType(template.toJSON(), 'AWS::Lambda::Function'))
    .filter(([, r]) => /cdk-security-patterns rotation engine/.test(r.Properties?.Description ?? '')));
}
