import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { sharedNetwork } from '../../examples/shared-network';
import { SharePrincipal, SharedSubnets } from '../../lib';
import { AccessModel } from '../support/access-model';
import { FLAG_SETS, testApp, testStack } from '../support/app';
import { OU_ARN, ORG_ARN, threeTierVpc } from './helpers';

/** Effective access to the shared subnets, through the AccessModel's reading of the RAM share (test/support/access-model/resource-shares.ts). */
const OWNER = '111111111111';
const NAMED = '222222222222';
const OTHER = '333333333333';
const ORG = 'o-a1b2c3d4e5';
const OU = 'ou-a1b2-c3d4e5f6';
const role = (account: string) => `arn:aws:iam::${account}:role/workload-deployer`;

/** The organization keys AWS sets on a request by an account of the given place in the organization. */
const IN_SHARED_OU = { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [`${ORG}/r-ab12/${OU}/`] };
const IN_CHILD_OF_SHARED_OU = { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [`${ORG}/r-ab12/${OU}/ou-a1b2-11111111/`] };
const IN_SIBLING_OU = { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [`${ORG}/r-ab12/ou-a1b2-22222222/`] };
// another organization whose path even names an OU id that looks like ours
const IN_OTHER_ORG = { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz', 'aws:PrincipalOrgPaths': [`o-zzzzzzzzzz/r-zz99/${OU}/`] };

const LAUNCH = ['ec2:RunInstances', 'ec2:CreateNetworkInterface'];

function subnetArns(model: AccessModel, vpc: ec2.IVpc, group: string): string[] {
  const subnets = vpc.selectSubnets({ subnetGroupName: group }).subnets;
  expect(subnets).toHaveLength(2);
  return subnets.map((s) => model.arnOf(s.node.defaultChild as IConstruct));
}

function launches(model: AccessModel, account: string, subnets: string[], context?: Record<string, string | string[]>): string[] {
  return subnets.flatMap((resource) => LAUNCH.map((action) => model.check({ principal: role(account), action, resource, context })));
}

describe.each(FLAG_SETS)('shared-network example with %s feature flags: who may launch into which subnet', (featureFlags) => {
  const [stack] = sharedNetwork.build(testApp({ featureFlags }));
  const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
  const model = new AccessModel([stack]);
  const app = subnetArns(model, vpc, 'App');
  const unshared = [...subnetArns(model, vpc, 'Data'), ...subnetArns(model, vpc, 'Ingress')];

  test('an account of the workloads OU, or of an OU below it, may launch into both App subnets', () => {
    expect(launches(model, OTHER, app, IN_SHARED_OU)).toEqual(Array(4).fill('Allowed'));
    expect(launches(model, NAMED, app, IN_CHILD_OF_SHARED_OU)).toEqual(Array(4).fill('Allowed'));
  });

  test('an account of another OU, of another organization, or outside any organization may not', () => {
    for (const context of [IN_SIBLING_OU, IN_OTHER_ORG, undefined]) {
      expect(launches(model, OTHER, app, context)).toEqual(Array(4).fill('ImplicitlyDenied'));
    }
  });

  test('no account, not even one of the workloads OU, reaches the Data or Ingress subnets', () => {
    expect(launches(model, OTHER, unshared, IN_SHARED_OU)).toEqual(Array(8).fill('ImplicitlyDenied'));
    const why = model.explain({ principal: role(OTHER), action: 'ec2:RunInstances', resource: unshared[0], context: IN_SHARED_OU });
    expect(why.ramSharing).toBe('the subnet is in no AWS::RAM::ResourceShare: it is not visible to any other account');
  });

  test('a participant cannot change, tag or delete the subnet it launches into', () => {
    for (const action of ['ec2:DeleteSubnet', 'ec2:ModifySubnetAttribute', 'ec2:CreateTags', 'ec2:DeleteTags']) {
      expect(model.check({ principal: role(OTHER), action, resource: app[0], context: IN_SHARED_OU })).toBe('ImplicitlyDenied');
    }
  });
});

describe.each(FLAG_SETS)('SharedSubnets with %s feature flags: the RAM share names only the intended principals', (featureFlags) => {
  function build(principals: SharePrincipal[]): { model: AccessModel; vpc: ec2.Vpc; stack: Stack } {
    const stack = testStack('Network', { featureFlags });
    const vpc = threeTierVpc(stack);
    new SharedSubnets(stack, 'Share', { vpc, subnets: { subnetGroupName: 'App' }, principals });
    return { model: new AccessModel([stack]), vpc, stack };
  }

  test('a named account may launch into the App subnets, with or without organization keys; another account may not', () => {
    const { model, vpc } = build([SharePrincipal.account(NAMED), SharePrincipal.organizationalUnitArn(OU_ARN)]);
    const app = subnetArns(model, vpc, 'App');
    expect(launches(model, NAMED, app)).toEqual(Array(4).fill('Allowed'));
    expect(launches(model, NAMED, app, IN_SIBLING_OU)).toEqual(Array(4).fill('Allowed'));
    expect(launches(model, OTHER, app, IN_SHARED_OU)).toEqual(Array(4).fill('Allowed'));
    expect(launches(model, OTHER, app)).toEqual(Array(4).fill('ImplicitlyDenied'));
    expect(launches(model, OTHER, app, IN_OTHER_ORG)).toEqual(Array(4).fill('ImplicitlyDenied'));
  });

  test('the named account gets nothing on the unshared subnets', () => {
    const { model, vpc } = build([SharePrincipal.account(NAMED)]);
    const unshared = [...subnetArns(model, vpc, 'Data'), ...subnetArns(model, vpc, 'Ingress')];
    expect(launches(model, NAMED, unshared)).toEqual(Array(8).fill('ImplicitlyDenied'));
    expect(model.explain({ principal: role(NAMED), action: 'ec2:RunInstances', resource: subnetArns(model, vpc, 'App')[0] }).text)
      .toMatch(/AWS RAM: shared through RAM share '\w+' with 222222222222/);
  });

  test('an organization share admits every account of the organization and no other', () => {
    const { model, vpc } = build([SharePrincipal.organization(ORG_ARN)]);
    const app = subnetArns(model, vpc, 'App');
    expect(launches(model, OTHER, app, IN_SIBLING_OU)).toEqual(Array(4).fill('Allowed'));
    expect(launches(model, OTHER, app, IN_OTHER_ORG)).toEqual(Array(4).fill('ImplicitlyDenied'));
    expect(launches(model, NAMED, app)).toEqual(Array(4).fill('ImplicitlyDenied'));
  });

  test('the owner launches into any of its subnets through IAM alone', () => {
    const { model, vpc } = build([SharePrincipal.account(NAMED)]);
    expect(launches(model, OWNER, subnetArns(model, vpc, 'Data'))).toEqual(Array(4).fill('Allowed'));
  });
});
