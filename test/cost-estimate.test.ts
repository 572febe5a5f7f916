import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { RotatingSecret, RotationStrategy } from '../lib/secrets';
import { estimateMonthlyCost, formatCost } from '../scripts/cost-estimate';
import { testApp } from './support/app';

const PRICES = {
  hoursPerMonth: 730,
  regions: { 'us-east-1': { secretPerMonth: 0.4, kmsKeyPerMonth: 1, interfaceEndpointPerAzHour: 0.01, alarmPerMonth: 0.1 } },
};

describe('estimated monthly cost', () => {
  test('adds secrets (replicas billed as secrets), keys, interface endpoint AZ-hours and alarms', () => {
    const template = {
      Resources: {
        A: { Type: 'AWS::SecretsManager::Secret', Properties: { ReplicaRegions: [{ Region: 'eu-west-1' }, { Region: 'us-west-2' }] } },
        B: { Type: 'AWS::SecretsManager::Secret' },
        K: { Type: 'AWS::KMS::Key' },
        E: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: ['subnet-1', 'subnet-2', 'subnet-3'] } },
        G: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
        M: { Type: 'AWS::CloudWatch::Alarm' },
        F: { Type: 'AWS::Lambda::Function' },
      },
    };
    const estimate = estimateMonthlyCost(template, 'us-east-1', PRICES);
    expect(estimate.counts).toEqual({ secrets: 4, kmsKeys: 1, endpointAzs: 3, alarms: 1 });
    // 4 × 0.40 + 1 × 1.00 + 3 × 0.01 × 730 + 1 × 0.10 = 1.60 + 1.00 + 21.90 + 0.10
    expect(estimate.monthly).toBe(24.6);
    expect(formatCost(estimate, 'us-east-1')).toBe('$24.60/mo');
  });

  test('assumes 2 AZs for an endpoint whose subnets are not a literal list, and says so', () => {
    const estimate = estimateMonthlyCost({ Resources: { E: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: { Ref: 'X' } } } } }, 'us-east-1', PRICES);
    expect(estimate.monthly).toBe(14.6);
    expect(formatCost(estimate, 'us-east-1')).toBe('~$14.60/mo');
  });

  test('prices a region missing from the table as us-east-1, and says so', () => {
    const estimate = estimateMonthlyCost({ Resources: { K: { Type: 'AWS::KMS::Key' } } }, 'ap-south-2', PRICES);
    expect(formatCost(estimate, 'ap-south-2')).toBe('$1.00/mo (us-east-1 prices)');
  });

  test('the shared key makes 50 rotated secrets cost about $22 a month instead of $71 (committed prices)', () => {
    const synth = (dedicatedEncryptionKey: boolean) => {
      const stack = new Stack(testApp(), 'Cost', { env: { account: '111111111111', region: 'us-east-1' } });
      for (let i = 0; i < 50; i++) new RotatingSecret(stack, `S${i}`, { rotation: RotationStrategy.randomKey(), dedicatedEncryptionKey });
      return estimateMonthlyCost(Template.fromStack(stack).toJSON(), 'us-east-1');
    };
    const shared = synth(false);
    const dedicated = synth(true);
    // 50 secrets, the shared key and the rotation function's log key
    expect(shared.counts).toEqual({ secrets: 50, kmsKeys: 2, endpointAzs: 0, alarms: 0 });
    expect(shared.monthly).toBe(22);
    expect(dedicated.counts.kmsKeys).toBe(51);
    expect(dedicated.monthly).toBe(71);
  });

  test('one endpoint per VPC: two stacks on one VPC pay for one endpoint\'s AZs', () => {
    const app = testApp();
    const env = { account: '111111111111', region: 'us-east-1' };
    const network = new Stack(app, 'Network', { env });
    const vpc = new ec2.Vpc(network, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    for (const name of ['A', 'B']) new RotatingSecret(new Stack(app, name, { env }), 'Key', { rotation: RotationStrategy.randomKey(), vpc, secretsManagerEndpoint: true });
    const assembly = app.synth();
    const total = assembly.stacks.map((s) => estimateMonthlyCost(s.template, 'us-east-1').counts.endpointAzs).reduce((a, b) => a + b, 0);
    expect(total).toBe(2);
  });
});
