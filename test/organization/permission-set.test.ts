import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as identitystore from 'aws-cdk-lib/aws-identitystore';
import { DeveloperBoundary } from '../../lib/identity';
import {
  Guardrail, Guardrails, IdentityCenterPrincipal, OrganizationalUnits, PermissionSet, PermissionSetBoundary, PermissionSetProps, PolicyTarget,
} from '../../lib/organization';
import { AccessModel } from '../support/access-model';
import { FLAG_SETS, testApp, testStack } from '../support/app';
import { complianceFindings } from '../support/compliance';
import { provisionedRole } from './identity-center-role';

const INSTANCE = 'arn:aws:sso:::instance/ssoins-0123456789abcdef';
const DEVELOPERS = '906757b2f3-4a5b6c7d-1e2f-3a4b-5c6d-7e8f9a0b1c2d';
const ALICE = 'a1b2c3d4-1e2f-3a4b-5c6d-7e8f9a0b1c2d';

function permissionSet(stack: Stack, props: Partial<PermissionSetProps> = {}) {
  return new PermissionSet(stack, 'Developer', { instanceArn: INSTANCE, permissionSetName: 'Developer', ...props });
}

function ous(stack: Stack) {
  return new OrganizationalUnits(stack, 'Ous', {
    parentId: 'r-a1b2',
    paths: ['Workloads/Prod', 'Workloads/Dev', 'Security'],
    accounts: [
      { accountId: '222222222222', path: 'Workloads/Prod', accountName: 'prod', email: 'aws+prod@example.com' },
      { accountId: '333333333333', path: 'Workloads/Dev', accountName: 'dev', email: 'aws+dev@example.com' },
      { accountId: '444444444444', path: 'Security', accountName: 'audit', email: 'aws+audit@example.com' },
    ],
  });
}

describe.each(FLAG_SETS)('PermissionSet with %s feature flags', (featureFlags) => {
  test('writes every policy kind, the boundary, the ISO-8601 session duration and the relay state', () => {
    const stack = testStack('Org', { featureFlags });
    const inline = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ sid: 'NoProdSecrets', effect: iam.Effect.DENY, actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:*:*:secret:prod/*'] })],
    });
    permissionSet(stack, {
      description: 'Developers of the workload accounts',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      customerManagedPolicies: [{ name: 'TeamAccess' }, { name: 'Reports', path: '/reports/' }],
      inlinePolicy: inline,
      permissionsBoundary: PermissionSetBoundary.fromCustomerManagedPolicy({ name: 'DeveloperBoundary' }),
      sessionDuration: Duration.minutes(90),
      relayState: 'https://console.aws.amazon.com/cloudwatch/home',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SSO::PermissionSet', 1);
    const [resource] = Object.values<any>(template.findResources('AWS::SSO::PermissionSet'));
    expect(stack.resolve(resource.Properties)).toEqual({
      InstanceArn: INSTANCE,
      Name: 'Developer',
      Description: 'Developers of the workload accounts',
      SessionDuration: 'PT1H30M',
      RelayStateType: 'https://console.aws.amazon.com/cloudwatch/home',
      ManagedPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
      CustomerManagedPolicyReferences: [{ Name: 'TeamAccess' }, { Name: 'Reports', Path: '/reports/' }],
      InlinePolicy: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'NoProdSecrets', Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:*:*:secret:prod/*' }],
      },
      PermissionsBoundary: { CustomerManagedPolicyReference: { Name: 'DeveloperBoundary' } },
    });
  });

  test('defaults to a one-hour session and leaves out what is not given', () => {
    const stack = testStack('Org', { featureFlags });
    permissionSet(stack, { managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ViewOnlyAccess')] });
    const [resource] = Object.values<any>(Template.fromStack(stack).findResources('AWS::SSO::PermissionSet'));
    expect(Object.keys(resource.Properties).sort()).toEqual(['InstanceArn', 'ManagedPolicies', 'Name', 'SessionDuration']);
    expect(resource.Properties.SessionDuration).toBe('PT1H');
  });

  test('takes an AWS managed policy as the boundary', () => {
    const stack = testStack('Org', { featureFlags });
    permissionSet(stack, { permissionsBoundary: PermissionSetBoundary.fromAwsManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')) });
    Template.fromStack(stack).hasResourceProperties('AWS::SSO::PermissionSet', {
      PermissionsBoundary: { ManagedPolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/PowerUserAccess']] } },
    });
  });

  test('includes inline statements added after construction', () => {
    const stack = testStack('Org', { featureFlags });
    const inline = new iam.PolicyDocument();
    permissionSet(stack, { inlinePolicy: inline });
    inline.addStatements(new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }));
    Template.fromStack(stack).hasResourceProperties('AWS::SSO::PermissionSet', {
      InlinePolicy: { Statement: [{ Action: 's3:ListAllMyBuckets', Effect: 'Allow', Resource: '*' }] },
    });
  });

  test('assigns a group per account and per OU path (the OU and the OUs below it), each pair once', () => {
    const stack = testStack('Org', { featureFlags });
    const units = ous(stack);
    const set = permissionSet(stack);
    const byOu = set.assignToOrganizationalUnit(IdentityCenterPrincipal.group(DEVELOPERS), units, 'Workloads');
    const byAccount = set.assignToAccounts(IdentityCenterPrincipal.user(ALICE), ['444444444444']);
    expect(byOu).toHaveLength(2);
    expect(byAccount).toHaveLength(1);
    expect(set.assignments).toEqual([...byOu, ...byAccount]);
    const template = Template.fromStack(stack);
    const assignments = Object.values<any>(template.findResources('AWS::SSO::Assignment')).map((a) => a.Properties);
    const arn = stack.resolve(set.permissionSetArn);
    expect(assignments).toEqual([
      { InstanceArn: INSTANCE, PermissionSetArn: arn, PrincipalType: 'GROUP', PrincipalId: DEVELOPERS, TargetType: 'AWS_ACCOUNT', TargetId: '222222222222' },
      { InstanceArn: INSTANCE, PermissionSetArn: arn, PrincipalType: 'GROUP', PrincipalId: DEVELOPERS, TargetType: 'AWS_ACCOUNT', TargetId: '333333333333' },
      { InstanceArn: INSTANCE, PermissionSetArn: arn, PrincipalType: 'USER', PrincipalId: ALICE, TargetType: 'AWS_ACCOUNT', TargetId: '444444444444' },
    ]);
    // construct ids name the principal and the account: stable whatever the order of the calls
    expect(byOu.map((a) => a.node.id)).toEqual([`Group-${DEVELOPERS}-222222222222`, `Group-${DEVELOPERS}-333333333333`]);
  });

  test('assigns a group of an identity store of the same stack by a stable id', () => {
    const stack = testStack('Org', { featureFlags });
    const group = new identitystore.CfnGroup(stack, 'Group', { displayName: 'Developers', identityStoreId: 'd-1234567890' });
    const set = permissionSet(stack);
    const [assignment] = set.assignToAccounts(IdentityCenterPrincipal.group(group.attrGroupId), ['222222222222']);
    expect(assignment.node.id).toMatch(/^Group-[0-9a-f]{16}-222222222222$/);
    Template.fromStack(stack).hasResourceProperties('AWS::SSO::Assignment', { PrincipalId: { 'Fn::GetAtt': [stack.getLogicalId(group), 'GroupId'] } });
    expect(() => set.assignToAccounts(IdentityCenterPrincipal.group(group.attrGroupId), ['222222222222'])).toThrow(/is already assigned in account 222222222222/);
  });

  test('has no compliance findings', () => {
    const stack = testStack('Org', { featureFlags });
    const set = permissionSet(stack, {
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      permissionsBoundary: PermissionSetBoundary.fromCustomerManagedPolicy({ name: 'DeveloperBoundary' }),
    });
    set.assignToOrganizationalUnit(IdentityCenterPrincipal.group(DEVELOPERS), ous(stack), 'Workloads');
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('PermissionSet validation', () => {
  const make = (props: Partial<PermissionSetProps>) => permissionSet(testStack('Org'), props);

  test('fails when the instance ARN is not an Identity Center instance', () => {
    expect(() => make({ instanceArn: 'ssoins-0123456789abcdef' }))
      .toThrow('PermissionSet Org/Developer: instanceArn must be an IAM Identity Center instance ARN such as arn:aws:sso:::instance/ssoins-0123456789abcdef (aws sso-admin list-instances), got "ssoins-0123456789abcdef"');
  });

  test('fails when the name is longer than 32 characters or has a space', () => {
    expect(() => make({ permissionSetName: 'x'.repeat(33) })).toThrow(/permissionSetName must be 1 to 32 letters, digits and \+=,.@-_, got "x{33}"/);
    expect(() => make({ permissionSetName: 'Read Only' })).toThrow(/got "Read Only"/);
  });

  test.each([
    [Duration.minutes(59), '59 minutes'],
    [Duration.hours(13), '13 hours'],
  ])('fails when the session duration is %s', (sessionDuration, shown) => {
    expect(() => make({ sessionDuration })).toThrow(`PermissionSet Org/Developer: sessionDuration must be between 1 and 12 hours, got ${shown}`);
  });

  test('accepts 1 and 12 hours, written as PT1H and PT12H', () => {
    for (const [duration, iso] of [[Duration.hours(1), 'PT1H'], [Duration.hours(12), 'PT12H']] as const) {
      const stack = testStack('Org');
      permissionSet(stack, { sessionDuration: duration });
      Template.fromStack(stack).hasResourceProperties('AWS::SSO::PermissionSet', { SessionDuration: iso });
    }
  });

  test('fails when the session duration has a fraction of a second', () => {
    expect(() => make({ sessionDuration: Duration.millis(3_600_500) })).toThrow(/sessionDuration must be a whole number of seconds/);
  });

  test('fails when the relay state is not an https URL or is too long', () => {
    expect(() => make({ relayState: 'http://console.aws.amazon.com/' }))
      .toThrow('PermissionSet Org/Developer: relayState must be an https:// URL of the AWS console of at most 240 characters, e.g. https://console.aws.amazon.com/cloudwatch/home, got "http://console.aws.amazon.com/"');
    expect(() => make({ relayState: `https://console.aws.amazon.com/${'a'.repeat(220)}` })).toThrow(/relayState must be an https:\/\/ URL/);
  });

  test('fails when a customer managed policy of this stack is given as an AWS managed policy', () => {
    const stack = testStack('Org');
    const own = new iam.ManagedPolicy(stack, 'Own', { statements: [new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] })] });
    expect(() => permissionSet(stack, { managedPolicies: [own] }))
      .toThrow(/managedPolicies: \{"Ref":"Own[0-9A-F]+"\} is not an AWS managed policy \(arn:aws:iam::aws:policy\/...\); a customer managed policy exists only in its own account, so name it with customerManagedPolicies/);
    expect(() => permissionSet(testStack('Org'), { permissionsBoundary: PermissionSetBoundary.fromAwsManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, 'X', 'arn:aws:iam::111111111111:policy/Boundary')) }))
      .toThrow('PermissionSet Org/Developer: permissionsBoundary: arn:aws:iam::111111111111:policy/Boundary is not an AWS managed policy');
  });

  test('fails when more than 20 managed policies are attached', () => {
    const managedPolicies = Array.from({ length: 15 }, (_, i) => iam.ManagedPolicy.fromAwsManagedPolicyName(`Policy${i}`));
    const customerManagedPolicies = Array.from({ length: 6 }, (_, i) => ({ name: `Custom${i}` }));
    expect(() => make({ managedPolicies, customerManagedPolicies }))
      .toThrow('PermissionSet Org/Developer: 15 AWS managed and 6 customer managed policies are 21, more than the 20 IAM Identity Center attaches to one permission set; combine some into the inline policy or a customer managed policy');
  });

  test('fails when a customer managed policy reference is an ARN, has a bad path or is listed twice', () => {
    expect(() => make({ customerManagedPolicies: [{ name: 'arn:aws:iam::111111111111:policy/X' }] }))
      .toThrow('PermissionSet Org/Developer: customerManagedPolicies: customer managed policy name must be 1 to 128 letters, digits and +=,.@-_ (the name, not the ARN), got "arn:aws:iam::111111111111:policy/X"');
    expect(() => make({ customerManagedPolicies: [{ name: 'X', path: 'reports' }] })).toThrow(/path must start and end with "\/" \(e.g. "\/" or "\/boundaries\/"\), got "reports"/);
    expect(() => make({ customerManagedPolicies: [{ name: 'X' }, { name: 'X', path: '/' }] })).toThrow('PermissionSet Org/Developer: customer managed policy /X is listed twice; list it once');
    expect(() => make({ permissionsBoundary: PermissionSetBoundary.fromCustomerManagedPolicy({ name: 'a b' }) })).toThrow(/permissionsBoundary: customer managed policy name must be/);
  });

  test('fails at synth when the inline policy is over 32,768 characters or names a principal', () => {
    const stack = testStack('Org');
    const inline = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: Array.from({ length: 800 }, (_, i) => `arn:aws:s3:::bucket-with-a-long-name-${i}/*`) }),
        new iam.PolicyStatement({ sid: 'Bad', actions: ['s3:GetObject'], resources: ['*'], principals: [new iam.AccountRootPrincipal()] }),
      ],
    });
    permissionSet(stack, { inlinePolicy: inline });
    expect(() => Template.fromStack(stack)).toThrow(/PermissionSet Org\/Developer: the inline policy is [\d,]+ characters, more than the 32,768 IAM Identity Center accepts; move statements into customer managed policies/);
    expect(() => Template.fromStack(stack)).toThrow(/inline policy statement Bad names a principal/);
  });

  test('fails when an OU of the tree holds no placed account, naming the way out', () => {
    const stack = testStack('Org');
    const units = new OrganizationalUnits(stack, 'Ous', { parentId: 'r-a1b2', paths: ['Sandbox'] });
    expect(() => permissionSet(stack).assignToOrganizationalUnit(IdentityCenterPrincipal.group(DEVELOPERS), units, 'Sandbox'))
      .toThrow('PermissionSet Org/Developer: OU "Sandbox" of Org/Ous holds no account that the tree places (accounts of OrganizationalUnitsProps), so there is nothing to assign; place the OU\'s accounts in the tree or use assignToAccounts');
    expect(() => permissionSet(testStack('Org2')).assignToOrganizationalUnit(IdentityCenterPrincipal.group(DEVELOPERS), units, 'Nope')).toThrow(/no OU at "Nope"/);
  });

  test('fails when an account id is not 12 digits, the list is empty, or a pair is assigned twice', () => {
    const set = make({});
    expect(() => set.assignToAccounts(IdentityCenterPrincipal.group(DEVELOPERS), ['2222'])).toThrow('PermissionSet Org/Developer: assignToAccounts needs 12-digit AWS account ids, got "2222"');
    expect(() => set.assignToAccounts(IdentityCenterPrincipal.group(DEVELOPERS), [])).toThrow(/assignToAccounts needs at least one account id, got an empty list/);
    set.assignToAccounts(IdentityCenterPrincipal.group(DEVELOPERS), ['222222222222']);
    expect(() => set.assignToAccounts(IdentityCenterPrincipal.group(DEVELOPERS), ['222222222222']))
      .toThrow(`PermissionSet Org/Developer: group ${DEVELOPERS} is already assigned in account 222222222222 (by assignToAccounts); assign each principal once per account`);
  });

  test('fails when a principal id is a name rather than an identity store id', () => {
    expect(() => IdentityCenterPrincipal.group('Developers')).toThrow(/IdentityCenterPrincipal.group: groupId must be an identity store id .* not a name or email, got "Developers"/);
    expect(() => IdentityCenterPrincipal.user('alice@example.com')).toThrow(/IdentityCenterPrincipal.user: userId must be an identity store id/);
  });
});

/**
 * The role Identity Center provisions from the permission set, in a workload account that also holds
 * the DeveloperBoundary the permission set names, under the organization's guardrail SCPs.
 */
describe('the provisioned role in AccessModel, from the side of a developer who signed in', () => {
  const app = testApp();
  const org = new Stack(app, 'Org', { env: { account: '111111111111', region: 'us-east-1' } });
  const workload = new Stack(app, 'Workload', { env: { account: '222222222222', region: 'us-east-1' } });
  const units = ous(org);
  new Guardrails(org, 'Guardrails', {
    guardrails: [Guardrail.denyServices(['dynamodb']), Guardrail.allowOnlyRegions(['us-east-1'])],
    targets: [PolicyTarget.organizationalUnit(units.get('Workloads'))],
  });
  const teamBucket = 'arn:aws:s3:::team-data';
  new DeveloperBoundary(workload, 'Boundary', {
    managedPolicyName: 'DeveloperBoundary',
    allowedStatements: [
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [`${teamBucket}/*`] }),
      new iam.PolicyStatement({ actions: ['sqs:*', 'dynamodb:*', 'secretsmanager:GetSecretValue', 'iam:CreateRole'], resources: ['*'] }),
    ],
  });
  const set = permissionSet(org, {
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    permissionsBoundary: PermissionSetBoundary.fromCustomerManagedPolicy({ name: 'DeveloperBoundary' }),
    inlinePolicy: new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:*:*:secret:prod/*'] })],
    }),
  });
  set.assignToOrganizationalUnit(IdentityCenterPrincipal.group(DEVELOPERS), units, 'Workloads');
  const { input, roleArn } = provisionedRole(set, '222222222222');
  const model = new AccessModel([org, workload, input], { organizationUnits: { Workloads: ['222222222222'] }, managementAccount: '111111111111' });

  test('may do what the permission set allows inside the boundary', () => {
    model.assertDecision({ principal: roleArn, action: 's3:GetObject', resource: teamBucket, resourceSuffix: '/a.csv', resourceAccount: '222222222222' }, 'Allowed');
    model.assertDecision({ principal: roleArn, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:222222222222:jobs' }, 'Allowed');
  });

  test('AdministratorAccess does not reach past the boundary', () => {
    expect(model.check({ principal: roleArn, action: 'ec2:TerminateInstances', resource: 'arn:aws:ec2:us-east-1:222222222222:instance/i-0123456789abcdef0' })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: roleArn, action: 's3:GetObject', resource: 'arn:aws:s3:::other-bucket', resourceSuffix: '/a.csv', resourceAccount: '222222222222' })).toBe('ImplicitlyDenied');
  });

  test('cannot escape the boundary by creating a role without it (the attacker\'s route)', () => {
    expect(model.check({ principal: roleArn, action: 'iam:CreateRole', resource: 'arn:aws:iam::222222222222:role/escape' })).toBe('ExplicitlyDenied');
    expect(model.check({
      principal: roleArn, action: 'iam:CreateRole', resource: 'arn:aws:iam::222222222222:role/delegated',
      context: { 'iam:PermissionsBoundary': 'arn:aws:iam::222222222222:policy/DeveloperBoundary' },
    })).toBe('Allowed');
    expect(model.check({
      principal: roleArn, action: 'iam:CreateRole', resource: 'arn:aws:iam::222222222222:role/delegated',
      context: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' },
    })).toBe('ExplicitlyDenied');
  });

  test('the inline policy denies prod secrets that the boundary would allow', () => {
    expect(model.check({ principal: roleArn, action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:us-east-1:222222222222:secret:prod/db-AbCdEf' })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: roleArn, action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:us-east-1:222222222222:secret:dev/db-AbCdEf' })).toBe('Allowed');
  });

  test('the guardrail SCPs of the OU bind the provisioned role too', () => {
    expect(model.check({ principal: roleArn, action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:us-east-1:222222222222:table/orders' })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: roleArn, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:222222222222:jobs' })).toBe('ExplicitlyDenied');
  });

  test('only Identity Center\'s SAML provider may start a session; nobody in the account can assume the role', () => {
    expect(model.check({ principal: 'arn:aws:iam::222222222222:role/Admin', action: 'sts:AssumeRole', resource: roleArn })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: 'arn:aws:iam::999999999999:root', action: 'sts:AssumeRole', resource: roleArn })).toBe('ImplicitlyDenied');
  });
});
