import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { RotatingSecret, RotationStrategy } from '../../lib/secrets';
import { FLAG_SETS, testApp } from '../support/app';
import { ACCOUNT, REGION, resourcesOfType } from './helpers';

const env = { account: ACCOUNT, region: REGION };

/** Every VPC endpoint of every stack of the app, with the stack it is in. */
function endpointsOf(app: App): { stack: string; endpoint: any }[] {
  const assembly = app.synth();
  return assembly.stacks.flatMap((s) => Object.values(resourcesOfType(s.template, 'AWS::EC2::VPCEndpoint')).map((endpoint) => ({ stack: s.stackName, endpoint })));
}

describe.each(FLAG_SETS)('stacks sharing a VPC (%s feature flags)', (featureFlags) => {
  test('three stacks on one VPC synthesize one private-DNS Secrets Manager endpoint, in the VPC\'s stack, shared by all', () => {
    const app = testApp({ featureFlags });
    const network = new Stack(app, 'Network', { env });
    const vpc = new ec2.Vpc(network, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const secrets = ['Payments', 'Orders', 'Search'].map((name) => {
      const stack = new Stack(app, name, { env });
      return new RotatingSecret(stack, 'ApiKey', { rotation: RotationStrategy.randomKey(), vpc, secretsManagerEndpoint: true });
    });
    expect(new Set(secrets.map((s) => s.secretsManagerEndpoint)).size).toBe(1);
    const endpoints = endpointsOf(app);
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0].stack).toBe('Network');
    expect(endpoints[0].endpoint.Properties).toMatchObject({ ServiceName: 'com.amazonaws.us-east-1.secretsmanager', PrivateDnsEnabled: true });
    // each stack's rotation function waits for the endpoint: the stacks deploy after the network stack
    for (const secret of secrets) expect(secret.stack.dependencies.map((d) => d.stackName)).toContain('Network');
  });

  test('stacks that import one VPC by id share one endpoint, made by the first stack that asks', () => {
    const app = testApp({ featureFlags });
    const imported = (stack: Stack) => ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: '10.0.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'], privateSubnetIds: ['subnet-1', 'subnet-2'],
    });
    const first = new Stack(app, 'First', { env });
    const second = new Stack(app, 'Second', { env });
    const a = new RotatingSecret(first, 'ApiKey', { rotation: RotationStrategy.randomKey(), vpc: imported(first), secretsManagerEndpoint: true });
    const b = new RotatingSecret(second, 'ApiKey', { rotation: RotationStrategy.randomKey(), vpc: imported(second), secretsManagerEndpoint: true });
    expect(b.secretsManagerEndpoint).toBe(a.secretsManagerEndpoint);
    const endpoints = endpointsOf(app);
    expect(endpoints.map((e) => e.stack)).toEqual(['First']);
    expect(endpoints[0].endpoint.Properties.PrivateDnsEnabled).toBe(true);
  });

  test('an existing endpoint is used, not created, and its group admits the rotation function', () => {
    const app = testApp({ featureFlags });
    const stack = new Stack(app, 'App', { env });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: '10.0.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'], privateSubnetIds: ['subnet-1', 'subnet-2'],
    });
    const existing = ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(stack, 'Endpoint', {
      vpcEndpointId: 'vpce-0123456789abcdef0', port: 443, securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'EndpointSg', 'sg-0123456789abcdef0')],
    });
    const secret = new RotatingSecret(stack, 'ApiKey', { rotation: RotationStrategy.randomKey(), vpc, existingSecretsManagerEndpoint: existing });
    expect(secret.secretsManagerEndpoint).toBe(existing);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'Secrets Manager API through the interface endpoint' }],
    });
  });
});

describe('existingSecretsManagerEndpoint', () => {
  const build = () => {
    const stack = new Stack(testApp(), 'App', { env });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', vpcCidrBlock: '10.0.0.0/16', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'] });
    const endpoint = ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(stack, 'Endpoint', { vpcEndpointId: 'vpce-1', port: 443 });
    return { stack, vpc, endpoint };
  };

  test('fails when given with secretsManagerEndpoint', () => {
    const { stack, vpc, endpoint } = build();
    expect(() => new RotatingSecret(stack, 'A', { rotation: RotationStrategy.randomKey(), vpc, existingSecretsManagerEndpoint: endpoint, secretsManagerEndpoint: true }))
      .toThrow('RotatingSecret App/A: existingSecretsManagerEndpoint and secretsManagerEndpoint exclude each other, got both; drop secretsManagerEndpoint to use the existing endpoint');
  });

  test('fails without vpc', () => {
    const { stack, endpoint } = build();
    expect(() => new RotatingSecret(stack, 'A', { rotation: RotationStrategy.randomKey(), existingSecretsManagerEndpoint: endpoint }))
      .toThrow('RotatingSecret App/A: existingSecretsManagerEndpoint is where the shared rotation function in vpc reaches Secrets Manager, got it without vpc; pass the VPC the endpoint is in');
  });
});
