import * as cdk from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { SharedSubnets, SharePrincipal, SharePrincipalType } from 'cdk-security-patterns';

/** Area: sharing (AWS RAM), in the network account. New sharing constructs go here. */
export class SharingStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: cdk.StackProps) {
    super(scope, id, props);
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Network', {
      vpcId: 'vpc-0b1c2d3e4f5a60718',
      vpcCidrBlock: '10.1.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0b1c2d3e4f5a60001', 'subnet-0b1c2d3e4f5a60002'],
      privateSubnetRouteTableIds: ['rtb-0b1c2d3e4f5a60001', 'rtb-0b1c2d3e4f5a60002'],
    });
    const shared = new SharedSubnets(this, 'WorkloadSubnets', {
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      principals: [
        SharePrincipal.account('444444444444'),
        SharePrincipal.organizationalUnitArn('arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-abcdefgh'),
      ],
    });
    new cdk.CfnOutput(this, 'SharedWithAccounts', {
      value: shared.principals.filter((p) => p.type === SharePrincipalType.ACCOUNT).map((p) => p.principal).join(','),
    });
  }
}

