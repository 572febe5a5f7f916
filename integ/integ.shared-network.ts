import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SharePrincipal, SharedSubnets } from '../lib/sharing';

/**
 * Deploys a VPC and shares its App subnets with one participant account through SharedSubnets, then
 * asks RAM what it made of the share: it allows no principal outside the organization, holds the two
 * App subnets and not the Data ones, grants AWSRAMDefaultPermissionSubnet, and has associated the
 * participant as a member of the organization (not external).
 *
 * Deploy it in a member account of an organization with resource sharing enabled, and name another
 * member account as the participant: `INTEG_PARTICIPANT_ACCOUNT=<id>` (the placeholder below only
 * lets the snapshot synthesize).
 */
const PARTICIPANT = process.env.INTEG_PARTICIPANT_ACCOUNT ?? '222222222222';

const app = new App();
const stack = new Stack(app, 'IntegSharedNetwork');
const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [
    { name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
  ],
  restrictDefaultSecurityGroup: true,
});
const shared = new SharedSubnets(stack, 'ShareApp', {
  vpc,
  subnets: { subnetGroupName: 'App' },
  principals: [SharePrincipal.account(PARTICIPANT)],
});
const subnetArn = (subnet: ec2.ISubnet) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: subnet.subnetId });
const appSubnets = vpc.selectSubnets({ subnetGroupName: 'App' }).subnets;
const dataSubnets = vpc.selectSubnets({ subnetGroupName: 'Data' }).subnets;

const integ = new IntegTest(app, 'SharedNetworkTest', { testCases: [stack] });

// The share as RAM holds it: active, and closed to principals outside the organization.
const share = integ.assertions.awsApiCall('RAM', 'getResourceShares', { resourceOwner: 'SELF', resourceShareArns: [shared.resourceShareArn] });
share.expect(ExpectedResult.objectLike({ resourceShares: [{ resourceShareArn: shared.resourceShareArn, allowExternalPrincipals: false, status: 'ACTIVE' }] }));

// Each App subnet is in the share; no Data subnet is in any share of this account.
const calls = [share];
for (const subnet of appSubnets) {
  const listed = integ.assertions.awsApiCall('RAM', 'listResources', { resourceOwner: 'SELF', resourceArns: [subnetArn(subnet)] });
  listed.expect(ExpectedResult.objectLike({ resources: [{ arn: subnetArn(subnet), type: 'ec2:Subnet', resourceShareArn: shared.resourceShareArn }] }));
  calls.push(listed);
}
for (const subnet of dataSubnets) {
  const listed = integ.assertions.awsApiCall('RAM', 'listResources', { resourceOwner: 'SELF', resourceArns: [subnetArn(subnet)] });
  listed.expect(ExpectedResult.objectLike({ resources: [] }));
  calls.push(listed);
}

// The managed permission, and the participant associated as a member of the organization.
const permissions = integ.assertions.awsApiCall('RAM', 'listResourceSharePermissions', { resourceShareArn: shared.resourceShareArn });
permissions.expect(ExpectedResult.objectLike({ permissions: [{ name: 'AWSRAMDefaultPermissionSubnet' }] }));
calls.push(permissions);
const principals = integ.assertions.awsApiCall('RAM', 'getResourceShareAssociations', {
  associationType: 'PRINCIPAL',
  resourceShareArns: [shared.resourceShareArn],
});
principals.expect(ExpectedResult.objectLike({ resourceShareAssociations: [{ associatedEntity: PARTICIPANT, status: 'ASSOCIATED', external: false }] }));
// RAM associates principals asynchronously (ASSOCIATING first)
principals.waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });
calls.push(principals);

for (let i = 1; i < calls.length; i++) calls[i - 1].next(calls[i]);

app.synth();
