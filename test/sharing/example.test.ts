import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { sharedNetwork } from '../../examples/shared-network';
import { testApp } from '../support/app';
import { shareOf, subnetArn } from './helpers';

describe('shared-network example', () => {
  test('shares the App subnets, and only them, with the workloads OU', () => {
    const [stack] = sharedNetwork.build(testApp());
    const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
    const share = shareOf(stack);
    expect(share.principals).toEqual(['arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-a1b2-c3d4e5f6']);
    expect(share.resources).toEqual(vpc.selectSubnets({ subnetGroupName: 'App' }).subnets.map((s) => subnetArn(stack, s)));
    expect(share.resources).toHaveLength(2);
    expect(share.allowExternalPrincipals).toBe(false);
  });

  test('takes the OU from context, checked like any principal', () => {
    const ou = 'arn:aws:organizations::888888888888:ou/o-zzzzzzzzzz/ou-zz11-zzzzzzzz';
    const [stack] = sharedNetwork.build(testApp({ context: { 'workloads-ou': ou } }));
    expect(shareOf(stack).principals).toEqual([ou]);
    expect(() => sharedNetwork.build(testApp({ context: { 'workloads-ou': 'ou-zz11-zzzzzzzz' } })))
      .toThrow('SharePrincipal.organizationalUnitArn: expected an OU ARN');
    expect(() => sharedNetwork.build(testApp({ context: { 'network-account': '1234' } })))
      .toThrow('shared-network: context network-account must be a 12-digit AWS account id, got "1234"');
  });
});
