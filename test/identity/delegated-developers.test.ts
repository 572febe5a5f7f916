import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { delegatedDevelopers } from '../../examples/delegated-developers';
import { AccessModel } from '../support/access-model';
import { FLAG_SETS, testApp } from '../support/app';

/**
 * The delegated-developers example from both sides: what team A's admin and the account's IAM users
 * are meant to do, and the escalation routes an attacker holding one of them would try. A user
 * `mallory` is added to the example's groups here (the example leaves users to administrators).
 */
const ACCOUNT = '111111111111';
const iamArn = (resource: string) => `arn:aws:iam::${ACCOUNT}:${resource}`;
const BOUNDARY = iamArn('policy/team-a-boundary');

describe.each(FLAG_SETS)('delegated-developers example (%s feature flags)', (flags) => {
  const app = testApp({ featureFlags: flags });
  const [stack] = delegatedDevelopers.build(app);
  const admin = stack.node.findChild('TeamAAdmin') as iam.Role;
  const humans = stack.node.findChild('Humans') as iam.Group;
  const team = stack.node.findChild('TeamA') as iam.Group;
  new iam.User(stack, 'Mallory', { userName: 'mallory', groups: [humans, team] });
  // a role of the bootstrapped account, outside the path: CDK's deploy role
  const bootstrap = new Stack(app, 'Bootstrap', { env: { account: ACCOUNT, region: 'us-east-1' } });
  new iam.Role(bootstrap, 'Deploy', { roleName: `cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`, assumedBy: new iam.AccountRootPrincipal() });
  const model = new AccessModel([stack, bootstrap]);
  const asAdmin = (action: string, resource: string, context: Record<string, string> = {}) =>
    model.check({ principal: admin, action, resource, context, resourceAccount: ACCOUNT });
  const asMallory = (action: string, resource: string | iam.IRole, context: Record<string, boolean | null> = {}) =>
    model.check({ principal: 'arn:aws:iam::111111111111:user/mallory', action, resource, context, resourceAccount: ACCOUNT });

  test('team members assume the admin role only after signing in with MFA', () => {
    expect(asMallory('sts:AssumeRole', admin, { 'aws:MultiFactorAuthPresent': true })).toBe('Allowed');
    expect(asMallory('sts:AssumeRole', admin, { 'aws:MultiFactorAuthPresent': false })).toBe('ExplicitlyDenied');
  });

  test('an IAM user enrols an MFA device from the console, not with a bare access key', () => {
    expect(asMallory('iam:EnableMFADevice', iamArn('user/mallory'), { 'aws:MultiFactorAuthPresent': false })).toBe('Allowed');
    expect(asMallory('iam:EnableMFADevice', iamArn('user/mallory'))).toBe('ExplicitlyDenied');
  });

  test('the admin does the team\'s work: roles under the path with the boundary, team-a- functions and stacks', () => {
    expect(asAdmin('iam:CreateRole', iamArn('role/delegated/team-a/api'), { 'iam:PermissionsBoundary': BOUNDARY })).toBe('Allowed');
    expect(asAdmin('iam:PassRole', iamArn('role/delegated/team-a/api'), { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe('Allowed');
    expect(asAdmin('lambda:UpdateFunctionCode', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:team-a-api`)).toBe('Allowed');
    expect(asAdmin('cloudformation:UpdateStack', `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/team-a-service/0f8fad5b`)).toBe('Allowed');
  });

  test.each([
    ['assume CDK\'s bootstrap deploy role', 'sts:AssumeRole', iamArn(`role/cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`)],
    ['create a role without the boundary', 'iam:CreateRole', iamArn('role/delegated/team-a/escape')],
    ['attach a policy to its own role (outside the path)', 'iam:AttachRolePolicy', iamArn('role/team-a-admin')],
    ['pass a role outside the path', 'iam:PassRole', iamArn('role/OrganizationAdmin')],
    ['change a function of another team', 'lambda:UpdateFunctionCode', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:billing-export`],
    ['update CDK\'s bootstrap stack', 'cloudformation:UpdateStack', `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/CDKToolkit/0f8fad5b`],
    ['edit its own boundary', 'iam:CreatePolicyVersion', BOUNDARY],
    ['edit a policy outside the path', 'iam:CreatePolicyVersion', iamArn('policy/AdminExtras')],
  ])('the admin may not %s', (_name, action, resource) => {
    expect(asAdmin(action, resource, action === 'iam:AttachRolePolicy' ? { 'iam:PermissionsBoundary': BOUNDARY } : {})).toBe('ExplicitlyDenied');
  });
});
