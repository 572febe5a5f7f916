import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { Acknowledgements, SharePrincipal, SharedSubnets } from '../lib';
import { Example } from './example';
import { vpcFlowLogs } from './vpc-flow-logs';

/** Placeholders for `cdk synth` without context; pass real values with `-c network-account=... -c workloads-ou=...`. */
const DEFAULT_NETWORK_ACCOUNT = '111111111111';
const DEFAULT_WORKLOADS_OU = 'arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-a1b2-c3d4e5f6';

/**
 * A network account's VPC whose application subnets are shared with every account of a workloads
 * OU through AWS RAM. The VPC has three subnet groups over two zones: `App` (private, with egress
 * through the network account's NAT gateway) is shared; `Ingress` (public, for the NAT gateway) and
 * `Data` (isolated) are not. Workload accounts launch into `App` with security groups of their own;
 * the routes, the NAT gateway, the flow logs and the subnets stay the network account's.
 *
 * Context: `network-account` (12-digit id), `region` (default us-east-1), `workloads-ou` (the OU's
 * ARN, `arn:aws:organizations::<management account>:ou/o-.../ou-...`). Enable resource sharing with
 * AWS Organizations in the management account first (`aws ram enable-sharing-with-aws-organization`).
 */
export const sharedNetwork: Example = {
  name: 'shared-network',
  description: 'a network account VPC whose App subnets are shared with a workloads OU through RAM; public and data subnets stay unshared',
  build(scope: Construct) {
    const context = (key: string): string | undefined => scope.node.tryGetContext(key);
    const account = context('network-account') ?? DEFAULT_NETWORK_ACCOUNT;
    const region = context('region') ?? 'us-east-1';
    const workloadsOu = context('workloads-ou') ?? DEFAULT_WORKLOADS_OU;
    if (!/^\d{12}$/.test(account)) {
      throw new Error(`shared-network: context network-account must be a 12-digit AWS account id, got "${account}"`);
    }

    const stack = new Stack(scope, 'SharedNetwork', {
      env: { account, region },
      description: 'cdk-security-patterns shared-network example: a VPC whose App subnets are shared with a workloads OU',
    });
    // Named zones, not a lookup: a stack with a concrete account would otherwise ask EC2 for its zones at synth.
    const zones = [`${region}a`, `${region}b`];
    const zonesKey = `availability-zones:account=${account}:region=${region}`;
    if (stack.node.tryGetContext(zonesKey) === undefined) stack.node.setContext(zonesKey, zones);
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: zones,
      natGateways: 1,
      subnetConfiguration: [
        // the NAT gateway's subnets: nothing else is launched here, so no public address by default
        { name: 'Ingress', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // what the recommended feature flag does, set here so the example is the same without it
      restrictDefaultSecurityGroup: true,
    });
    vpcFlowLogs(stack, vpc, 'Encrypts the shared VPC flow logs');
    for (const subnet of vpc.publicSubnets) {
      Acknowledgements.of(subnet.node.findChild('DefaultRoute')).add(...Acknowledgements.inComplianceFrameworks('VPCNoUnrestrictedRouteToIGW',
        'The Ingress subnets hold the NAT gateway, whose egress needs this route; they are not shared and nothing else is launched there'));
    }
    Acknowledgements.of(stack.node.findChild('Custom::VpcRestrictDefaultSGCustomResourceProvider').node.findChild('Handler')).add({
      id: 'lambda_inside_vpc_check',
      reason: 'CDK\'s own deploy-time function that removes the default security group\'s rules calls only the EC2 API; it runs before any workload '
        + 'and does not need, or get, a place in the VPC it configures',
    });

    new SharedSubnets(stack, 'ShareApp', {
      vpc,
      subnets: { subnetGroupName: 'App' },
      principals: [SharePrincipal.organizationalUnitArn(workloadsOu)],
    });
    return [stack];
  },
};
