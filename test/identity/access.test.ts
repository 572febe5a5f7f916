import { CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CrossAccountRole, DeveloperBoundary, Ec2ServiceRole, MfaRequired, TrustedAccount } from '../../lib/identity';
import { AccessModel } from '../support/access-model';
import { testApp } from '../support/app';

/** Effective-permission checks of each identity construct on its own (the example has its own file). */
const DEV = { account: '111111111111', region: 'us-east-1' };
const PROD = { account: '222222222222', region: 'us-east-1' };
const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

function twoAccounts() {
  const app = testApp();
  return { dev: new Stack(app, 'Dev', { env: DEV }), prod: new Stack(app, 'Prod', { env: PROD }) };
}

describe('CrossAccountRole trusting a whole account', () => {
  const { dev, prod } = twoAccounts();
  const granted = new iam.Role(dev, 'Granted', { assumedBy: new iam.AccountRootPrincipal() });
  const other = new iam.Role(dev, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
  const cross = new CrossAccountRole(prod, 'Cross', { trustedAccounts: [TrustedAccount.account('111111111111')], roleName: 'cross' });
  cross.grantAssume(granted);
  const model = new AccessModel([dev, prod]);

  test('a role the trusted account granted (grantAssume) may assume it', () => {
    expect(model.check({ principal: granted, action: 'sts:AssumeRole', resource: cross.role })).toBe('Allowed');
  });

  test('a role of the trusted account without the grant may not: the trust alone is not enough', () => {
    expect(model.check({ principal: other, action: 'sts:AssumeRole', resource: cross.role })).toBe('ImplicitlyDenied');
  });
});

describe('CrossAccountRole trusting a third party', () => {
  const { prod } = twoAccounts();
  const cross = new CrossAccountRole(prod, 'Cross', { trustedAccounts: [TrustedAccount.thirdParty('333333333333', UUID)], roleName: 'vendor-access' });
  const model = new AccessModel([prod]);
  const vendor = 'arn:aws:iam::333333333333:role/vendor-service';

  test('the vendor may assume it with our ExternalId', () => {
    expect(model.check({ principal: vendor, action: 'sts:AssumeRole', resource: cross.role, context: { 'sts:ExternalId': UUID } })).toBe('Allowed');
  });

  test('the vendor acting for another customer (another ExternalId) may not: the confused-deputy guard', () => {
    expect(model.check({ principal: vendor, action: 'sts:AssumeRole', resource: cross.role, context: { 'sts:ExternalId': '9d2a1b44-1c3e-4f5a-8b6c-7d8e9f0a1b2c' } })).toBe('ImplicitlyDenied');
  });

  test('the vendor may not without an ExternalId', () => {
    expect(model.check({ principal: vendor, action: 'sts:AssumeRole', resource: cross.role })).toBe('ImplicitlyDenied');
  });
});

describe('CrossAccountRole trusting specific principal ARNs', () => {
  const { prod } = twoAccounts();
  const cross = new CrossAccountRole(prod, 'Cross', {
    trustedAccounts: [TrustedAccount.principalArns(['arn:aws:iam::111111111111:user/alice', 'arn:aws:iam::111111111111:role/ci/deployer'])], roleName: 'named',
  });
  const model = new AccessModel([prod]);
  // principals outside the stacks carry AdministratorAccess in their own account: only the trust decides
  const assume = (principal: string) => model.check({ principal, action: 'sts:AssumeRole', resource: cross.role });

  test('the named user and role may assume it', () => {
    expect(assume('arn:aws:iam::111111111111:user/alice')).toBe('Allowed');
    expect(assume('arn:aws:iam::111111111111:role/ci/deployer')).toBe('Allowed');
  });

  test('other principals of the same account may not', () => {
    expect(assume('arn:aws:iam::111111111111:user/bob')).toBe('ImplicitlyDenied');
    // (a role of the same name on another path is not used here: session ARNs drop the path, so the model cannot tell them apart)
    expect(assume('arn:aws:iam::111111111111:role/ci/other')).toBe('ImplicitlyDenied');
  });
});

describe('CrossAccountRole trusting an organization', () => {
  const { dev, prod } = twoAccounts();
  const member = new iam.Role(dev, 'Member', { assumedBy: new iam.AccountRootPrincipal() });
  const cross = new CrossAccountRole(prod, 'Cross', { trustedAccounts: [TrustedAccount.organization('o-a1b2c3d4e5')], roleName: 'org-access' });
  cross.grantAssume(member);
  const model = new AccessModel([dev, prod], { organizationId: 'o-a1b2c3d4e5', organizationAccounts: ['111111111111', '222222222222'] });

  test('a granted role of a member account may assume it', () => {
    expect(model.check({ principal: member, action: 'sts:AssumeRole', resource: cross.role })).toBe('Allowed');
  });

  test('a role of an account outside the organization may not', () => {
    expect(model.check({ principal: 'arn:aws:iam::333333333333:role/outsider', action: 'sts:AssumeRole', resource: cross.role })).toBe('ImplicitlyDenied');
  });
});

describe('CrossAccountRole with an ExternalId, source identity and session tags', () => {
  const { dev, prod } = twoAccounts();
  const caller = new iam.Role(dev, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
  const cross = new CrossAccountRole(prod, 'Cross', {
    trustedAccounts: [TrustedAccount.account('111111111111', { externalId: UUID })], roleName: 'tagged', requireSourceIdentity: true, sessionTagKeys: ['team'],
  });
  cross.grantAssume(caller);
  const model = new AccessModel([dev, prod]);
  const check = (action: string, context: Record<string, string | string[]>) => model.check({ principal: caller, action, resource: cross.role, context });

  test('assuming requires a source identity as well as the ExternalId', () => {
    expect(check('sts:AssumeRole', { 'sts:SourceIdentity': 'alice', 'sts:ExternalId': UUID })).toBe('Allowed');
    expect(check('sts:AssumeRole', { 'sts:ExternalId': UUID })).toBe('ImplicitlyDenied');
    expect(check('sts:AssumeRole', { 'sts:SourceIdentity': 'alice' })).toBe('ImplicitlyDenied');
  });

  test('callers may set the source identity', () => {
    expect(check('sts:SetSourceIdentity', { 'sts:SourceIdentity': 'alice' })).toBe('Allowed');
  });

  test('callers may pass the listed session tag, and no other', () => {
    expect(check('sts:TagSession', { 'aws:TagKeys': ['team'] })).toBe('Allowed');
    expect(check('sts:TagSession', { 'aws:TagKeys': ['team', 'admin'] })).toBe('ImplicitlyDenied');
  });
});

describe('CrossAccountRole with sourceIdentityPattern ${aws:username}: the source identity names the calling IAM user', () => {
  const { dev, prod } = twoAccounts();
  const alice = new iam.User(dev, 'Alice', { userName: 'alice' });
  const pipeline = new iam.Role(dev, 'Pipeline', { roleName: 'pipeline', assumedBy: new iam.AccountRootPrincipal() });
  const cross = new CrossAccountRole(prod, 'Cross', { trustedAccounts: [TrustedAccount.account('111111111111')], roleName: 'traced', sourceIdentityPattern: '${aws:username}' });
  cross.grantAssume(alice);
  cross.grantAssume(pipeline);
  const model = new AccessModel([dev, prod]);
  const check = (principal: iam.IGrantable, action: string, sourceIdentity?: string) =>
    model.check({ principal: principal as iam.IUser, action, resource: cross.role, context: sourceIdentity === undefined ? {} : { 'sts:SourceIdentity': sourceIdentity } });

  test('alice may assume it and set her own name as source identity', () => {
    expect(check(alice, 'sts:AssumeRole', 'alice')).toBe('Allowed');
    expect(check(alice, 'sts:SetSourceIdentity', 'alice')).toBe('Allowed');
  });

  test('alice may not pose as someone else, nor leave it out', () => {
    expect(check(alice, 'sts:AssumeRole', 'bob')).toBe('ImplicitlyDenied');
    expect(check(alice, 'sts:SetSourceIdentity', 'bob')).toBe('ImplicitlyDenied');
    expect(check(alice, 'sts:AssumeRole')).toBe('ImplicitlyDenied');
  });

  test('a role session has no user name, so it cannot match whatever it sets', () => {
    expect(check(pipeline, 'sts:AssumeRole', 'pipeline')).toBe('ImplicitlyDenied');
    expect(check(pipeline, 'sts:AssumeRole', 'alice')).toBe('ImplicitlyDenied');
  });
});

describe('CrossAccountRole.revokeSessions', () => {
  const { prod } = twoAccounts();
  const bucket = new s3.Bucket(prod, 'Data', { bucketName: 'prod-data' });
  const cross = new CrossAccountRole(prod, 'Cross', { trustedAccounts: [TrustedAccount.account('111111111111')], roleName: 'revoked' });
  bucket.grantRead(cross);
  cross.revokeSessions(new Date('2026-06-01T00:00:00Z'));
  const model = new AccessModel([prod]);
  const read = (issued: string) => model.check({
    principal: cross.role, action: 's3:GetObject', resource: bucket, resourceSuffix: '/a.csv', context: { 'aws:TokenIssueTime': new Date(issued) },
  });

  test('denies a session issued before the cut-off explicitly, whatever else allows it', () => {
    expect(read('2026-05-31T23:59:59Z')).toBe('ExplicitlyDenied');
  });

  test('leaves a session issued after the cut-off alone', () => {
    expect(read('2026-06-01T00:00:01Z')).toBe('Allowed');
  });
});

describe('DeveloperBoundary on a delegated admin with AdministratorAccess', () => {
  const stack = new Stack(testApp(), 'Team', { env: PROD });
  const boundary = new DeveloperBoundary(stack, 'Boundary', {
    managedPolicyName: 'team-boundary',
    allowedStatements: [new iam.PolicyStatement({
      actions: ['s3:*', 'iam:CreateRole', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:CreateAccessKey', 'iam:CreateLoginProfile'],
      resources: ['*'],
    })],
  });
  const admin = new iam.Role(stack, 'Admin', {
    assumedBy: new iam.AccountRootPrincipal(),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
  });
  boundary.applyTo(stack);
  const model = new AccessModel([stack]);
  const BOUNDARY = 'arn:aws:iam::222222222222:policy/team-boundary';
  const check = (action: string, resource: string, context: Record<string, string> = {}) =>
    model.check({ principal: admin, action, resource, context, resourceAccount: '222222222222' });

  test('keeps what the boundary allows', () => {
    expect(check('s3:GetObject', 'arn:aws:s3:::team-bucket/a.csv')).toBe('Allowed');
  });

  test('takes away what only AdministratorAccess allows', () => {
    expect(check('ec2:RunInstances', 'arn:aws:ec2:us-east-1:222222222222:instance/*')).toBe('ImplicitlyDenied');
    expect(check('organizations:LeaveOrganization', '*')).toBe('ImplicitlyDenied');
  });

  test('lets the admin create a role that carries the same boundary', () => {
    expect(check('iam:CreateRole', 'arn:aws:iam::222222222222:role/app', { 'iam:PermissionsBoundary': BOUNDARY })).toBe('Allowed');
  });

  test('denies creating a role without the boundary, or with another one', () => {
    expect(check('iam:CreateRole', 'arn:aws:iam::222222222222:role/app')).toBe('ExplicitlyDenied');
    expect(check('iam:CreateRole', 'arn:aws:iam::222222222222:role/app', { 'iam:PermissionsBoundary': 'arn:aws:iam::222222222222:policy/wide-open' })).toBe('ExplicitlyDenied');
  });

  test('denies attaching policies to a role that lacks the boundary', () => {
    expect(check('iam:AttachRolePolicy', 'arn:aws:iam::222222222222:role/app', { 'iam:PermissionsBoundary': BOUNDARY })).toBe('Allowed');
    expect(check('iam:AttachRolePolicy', 'arn:aws:iam::222222222222:role/legacy-admin')).toBe('ExplicitlyDenied');
  });

  test('denies removing a boundary and editing or deleting this one, although the allowed statements include those actions', () => {
    expect(check('iam:DeleteRolePermissionsBoundary', 'arn:aws:iam::222222222222:role/app', { 'iam:PermissionsBoundary': BOUNDARY })).toBe('ExplicitlyDenied');
    expect(check('iam:CreatePolicyVersion', BOUNDARY)).toBe('ExplicitlyDenied');
    expect(check('iam:DeletePolicy', BOUNDARY)).toBe('ExplicitlyDenied');
  });

  test('may not create access keys or console passwords for any user, e.g. an existing admin', () => {
    expect(check('iam:CreateAccessKey', 'arn:aws:iam::222222222222:user/admin')).toBe('ExplicitlyDenied');
    expect(check('iam:CreateLoginProfile', 'arn:aws:iam::222222222222:user/admin')).toBe('ExplicitlyDenied');
  });

  test('without a delegatedRolePath no managed policy gets a new version: one attached to an administrator would escalate', () => {
    expect(check('iam:CreatePolicyVersion', 'arn:aws:iam::222222222222:policy/app-policy')).toBe('ExplicitlyDenied');
  });
});

describe('DeveloperBoundary with a delegated role path', () => {
  const stack = new Stack(testApp(), 'Team', { env: PROD });
  const boundary = new DeveloperBoundary(stack, 'Boundary', {
    managedPolicyName: 'team-boundary',
    delegatedRolePath: '/delegated/',
    allowedStatements: [new iam.PolicyStatement({ actions: ['lambda:*', 'iam:CreateRole', 'iam:PassRole', 'iam:UpdateAssumeRolePolicy'], resources: ['*'] })],
  });
  const developer = new iam.Role(stack, 'Developer', {
    assumedBy: new iam.AccountRootPrincipal(),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    permissionsBoundary: boundary,
  });
  const model = new AccessModel([stack]);
  const BOUNDARY = 'arn:aws:iam::222222222222:policy/team-boundary';
  const check = (action: string, resource: string, context: Record<string, string> = {}) =>
    model.check({ principal: developer, action, resource, context, resourceAccount: '222222222222' });

  test('passes a role of the delegated path to a service', () => {
    expect(check('iam:PassRole', 'arn:aws:iam::222222222222:role/delegated/app-fn', { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe('Allowed');
  });

  test('may not pass a privileged role outside the path: no escalation through a Lambda function', () => {
    expect(check('iam:PassRole', 'arn:aws:iam::222222222222:role/OrganizationAdmin', { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe('ExplicitlyDenied');
  });

  test('may not make a role outside the path trust it', () => {
    expect(check('iam:UpdateAssumeRolePolicy', 'arn:aws:iam::222222222222:role/OrganizationAdmin')).toBe('ExplicitlyDenied');
    expect(check('iam:UpdateAssumeRolePolicy', 'arn:aws:iam::222222222222:role/delegated/app-fn')).toBe('Allowed');
  });

  test('creates roles only in the path, and only with the boundary', () => {
    expect(check('iam:CreateRole', 'arn:aws:iam::222222222222:role/delegated/app-fn', { 'iam:PermissionsBoundary': BOUNDARY })).toBe('Allowed');
    expect(check('iam:CreateRole', 'arn:aws:iam::222222222222:role/app-fn', { 'iam:PermissionsBoundary': BOUNDARY })).toBe('ExplicitlyDenied');
  });
});

/** alice, in a group of humans under MfaRequired, and a role `admin` of her account. */
function mfaUsers(groupPolicies: iam.IManagedPolicy[]) {
  const stack = new Stack(testApp(), 'Users', { env: DEV });
  const humans = new iam.Group(stack, 'Humans', { path: '/people/', managedPolicies: groupPolicies });
  const alice = new iam.User(stack, 'Alice', { userName: 'alice', groups: [humans] });
  new MfaRequired(stack, 'Mfa', { groups: [humans] });
  new iam.Role(stack, 'AdminRole', { roleName: 'admin', assumedBy: new iam.AccountRootPrincipal() });
  return { alice, model: new AccessModel([stack]) };
}

// AdministratorAccess as well, so every "denied" is MfaRequired's explicit deny at work.
const mfaAdministrators = mfaUsers([iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')]);

describe('MfaRequired', () => {
  const { alice, model } = mfaAdministrators;
  const check = (action: string, resource: string, context: Record<string, boolean | null> = {}) =>
    model.check({ principal: alice, action, resource, context, resourceAccount: '111111111111' });

  test('without MFA everything else is denied, even with AdministratorAccess', () => {
    expect(check('s3:ListAllMyBuckets', '*', { 'aws:MultiFactorAuthPresent': false })).toBe('ExplicitlyDenied');
    expect(check('ec2:DescribeInstances', '*')).toBe('ExplicitlyDenied'); // long-term keys: the key is absent
  });

  test('with MFA the other policies apply again', () => {
    expect(check('s3:ListAllMyBuckets', '*', { 'aws:MultiFactorAuthPresent': true })).toBe('Allowed');
  });

  test('without MFA a user can still set up and enable their own MFA device', () => {
    expect(check('iam:CreateVirtualMFADevice', 'arn:aws:iam::111111111111:mfa/alice-phone', { 'aws:MultiFactorAuthPresent': false })).toBe('Allowed');
    expect(check('iam:EnableMFADevice', 'arn:aws:iam::111111111111:user/alice', { 'aws:MultiFactorAuthPresent': false })).toBe('Allowed');
  });

  test('deactivating MFA requires MFA', () => {
    expect(check('iam:DeactivateMFADevice', 'arn:aws:iam::111111111111:user/alice', { 'aws:MultiFactorAuthPresent': false })).toBe('ExplicitlyDenied');
    expect(check('iam:DeactivateMFADevice', 'arn:aws:iam::111111111111:user/alice', { 'aws:MultiFactorAuthPresent': true })).toBe('Allowed');
  });
});

describe('MfaRequired alone', () => {
  const { alice, model } = mfaUsers([]);

  test('a user manages only their own MFA device', () => {
    expect(model.check({ principal: alice, action: 'iam:EnableMFADevice', resource: 'arn:aws:iam::111111111111:user/alice', context: { 'aws:MultiFactorAuthPresent': true } })).toBe('Allowed');
    expect(model.check({ principal: alice, action: 'iam:EnableMFADevice', resource: 'arn:aws:iam::111111111111:user/bob', context: { 'aws:MultiFactorAuthPresent': true } })).toBe('ImplicitlyDenied');
  });
});

describe('Ec2ServiceRole', () => {
  const stack = new Stack(testApp(), 'Web', { env: PROD });
  const bucket = new s3.Bucket(stack, 'Assets', { bucketName: 'web-assets' });
  const web = new Ec2ServiceRole(stack, 'Web');
  bucket.grantRead(web);
  const model = new AccessModel([stack]);

  test('EC2 may assume it, other services may not', () => {
    expect(model.check({ principal: 'ec2.amazonaws.com', action: 'sts:AssumeRole', resource: web.role })).toBe('Allowed');
    expect(model.check({ principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: web.role })).toBe('ImplicitlyDenied');
  });

  test('credentials delivered over IMDSv1 are denied, IMDSv2 ones work', () => {
    const read = (delivery: string) => model.check({ principal: web.role, action: 's3:GetObject', resource: bucket, resourceSuffix: '/logo.png', context: { 'ec2:RoleDelivery': delivery } });
    expect(read('1.0')).toBe('ExplicitlyDenied');
    expect(read('2.0')).toBe('Allowed');
  });
});

describe('DeveloperBoundary escalation guards, under a boundary that allows all of IAM', () => {
  // The guards must hold even when the ceiling itself allows every iam: action and the identity
  // policy is AdministratorAccess: each denial below is explicit, so no Allow anywhere can undo it.
  const app = testApp();
  const stack = new Stack(app, 'Team', { env: PROD });
  const boundary = new DeveloperBoundary(stack, 'Boundary', {
    managedPolicyName: 'team-boundary',
    allowedStatements: [new iam.PolicyStatement({ actions: ['iam:*', 's3:*'], resources: ['*'] })],
  });
  const admin = new iam.Role(stack, 'Admin', {
    assumedBy: new iam.AccountRootPrincipal(),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    permissionsBoundary: boundary,
  });
  // control: the same admin without the boundary
  const control = new iam.Role(new Stack(app, 'Control', { env: PROD }), 'Admin', {
    assumedBy: new iam.AccountRootPrincipal(),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
  });
  const model = new AccessModel([stack, control.stack as Stack]);
  const BOUNDARY = 'arn:aws:iam::222222222222:policy/team-boundary';
  const OTHER = 'arn:aws:iam::222222222222:policy/wide-open';
  const ROLE = 'arn:aws:iam::222222222222:role/app';
  const USER = 'arn:aws:iam::222222222222:user/app';
  const check = (principal: iam.IRole, action: string, resource: string, boundaryArn?: string) =>
    model.check({ principal, action, resource, context: boundaryArn === undefined ? {} : { 'iam:PermissionsBoundary': boundaryArn }, resourceAccount: '222222222222' });

  const createOrChange: [string, string][] = [
    ['iam:CreateRole', ROLE], ['iam:PutRolePolicy', ROLE], ['iam:AttachRolePolicy', ROLE], ['iam:DetachRolePolicy', ROLE], ['iam:DeleteRolePolicy', ROLE],
    ['iam:PutRolePermissionsBoundary', ROLE],
    ['iam:CreateUser', USER], ['iam:PutUserPolicy', USER], ['iam:AttachUserPolicy', USER], ['iam:DetachUserPolicy', USER], ['iam:DeleteUserPolicy', USER],
    ['iam:PutUserPermissionsBoundary', USER],
  ];

  test.each(createOrChange)('%s is denied for a role or user without the boundary', (action, resource) => {
    expect(check(admin, action, resource)).toBe('ExplicitlyDenied');
    expect(check(control, action, resource)).toBe('Allowed');
  });

  test.each(createOrChange)('%s is denied for a role or user with another boundary (e.g. swapping in a wider one)', (action, resource) => {
    expect(check(admin, action, resource, OTHER)).toBe('ExplicitlyDenied');
  });

  test.each(createOrChange)('%s is allowed for a role or user that carries this boundary', (action, resource) => {
    expect(check(admin, action, resource, BOUNDARY)).toBe('Allowed');
  });

  test.each([['iam:DeleteRolePermissionsBoundary', ROLE], ['iam:DeleteUserPermissionsBoundary', USER]])(
    '%s is denied even on a role or user with this boundary: nobody can remove a boundary', (action, resource) => {
      expect(check(admin, action, resource, BOUNDARY)).toBe('ExplicitlyDenied');
      expect(check(control, action, resource, BOUNDARY)).toBe('Allowed');
    });

  test.each(['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:DeletePolicy'])(
    '%s on the boundary policy itself is denied', (action) => {
      expect(check(admin, action, BOUNDARY)).toBe('ExplicitlyDenied');
      expect(check(control, action, BOUNDARY)).toBe('Allowed');
    });

  test.each([
    'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile',
    'iam:CreateServiceSpecificCredential', 'iam:ResetServiceSpecificCredential', 'iam:UpdateServiceSpecificCredential',
    'iam:UploadSSHPublicKey', 'iam:UpdateSSHPublicKey', 'iam:UploadSigningCertificate', 'iam:UpdateSigningCertificate',
  ])(
    '%s is denied for any user, e.g. an existing administrator', (action) => {
      expect(check(admin, action, 'arn:aws:iam::222222222222:user/admin')).toBe('ExplicitlyDenied');
      expect(check(control, action, 'arn:aws:iam::222222222222:user/admin')).toBe('Allowed');
    });
});

describe('DeveloperBoundary.applyTo caps roles that L2 constructs create', () => {
  const stack = new Stack(testApp(), 'Team', { env: PROD });
  const boundary = new DeveloperBoundary(stack, 'Boundary', {
    allowedStatements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-bucket/*'] })],
  });
  const team = new Construct(stack, 'Team');
  const fn = new lambda.Function(team, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
  });
  fn.role!.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
  const outside = new lambda.Function(stack, 'OutsideFn', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
  });
  outside.role!.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
  boundary.applyTo(team);
  const model = new AccessModel([stack]);
  const may = (principal: lambda.Function, action: string, resource: string) =>
    model.check({ principal, action, resource, resourceAccount: '222222222222' });

  test('the Lambda execution role in the scope keeps what the boundary allows', () => {
    expect(may(fn, 's3:GetObject', 'arn:aws:s3:::team-bucket/a.csv')).toBe('Allowed');
  });

  test('the Lambda execution role in the scope loses what only AdministratorAccess allows', () => {
    expect(may(fn, 's3:PutObject', 'arn:aws:s3:::team-bucket/a.csv')).toBe('ImplicitlyDenied');
    expect(may(fn, 'iam:CreateRole', 'arn:aws:iam::222222222222:role/escalate')).toBe('ExplicitlyDenied');
  });

  test('a function outside the scope is not capped', () => {
    expect(may(outside, 's3:PutObject', 'arn:aws:s3:::team-bucket/a.csv')).toBe('Allowed');
  });
});

describe('MfaRequired: what a user may do with and without MFA', () => {
  const { alice, model } = mfaAdministrators;
  const ALICE = 'arn:aws:iam::111111111111:user/alice';
  const NO_MFA = { 'aws:MultiFactorAuthPresent': false };
  const LONG_TERM_KEY = {}; // access keys carry no aws:MultiFactorAuthPresent at all
  const check = (action: string, resource: string, context: Record<string, boolean>) =>
    model.check({ principal: alice, action, resource, context, resourceAccount: '111111111111' });

  const enrolment: [string, string][] = [
    ['iam:CreateVirtualMFADevice', 'arn:aws:iam::111111111111:mfa/alice'], ['iam:EnableMFADevice', ALICE], ['iam:ResyncMFADevice', ALICE],
  ];
  test.each(enrolment)('signed in to the console without MFA, %s (enrolling a device) stays allowed', (action, resource) => {
    expect(check(action, resource, NO_MFA)).toBe('Allowed');
  });
  test.each(enrolment)('with a long-term access key alone, %s is denied: a key thief cannot enrol their own device', (action, resource) => {
    expect(check(action, resource, LONG_TERM_KEY)).toBe('ExplicitlyDenied');
    expect(check(action, resource, { 'aws:MultiFactorAuthPresent': true })).toBe('Allowed');
  });

  const viewing: [string, string][] = [
    ['iam:GetMFADevice', ALICE], ['iam:GetUser', ALICE], ['iam:ListMFADevices', ALICE], ['iam:ListVirtualMFADevices', '*'], ['sts:GetSessionToken', '*'],
  ];
  test.each(viewing)('without MFA, %s (seeing the own device; GetSessionToken is beyond any policy) stays allowed', (action, resource) => {
    expect(check(action, resource, NO_MFA)).toBe('Allowed');
    expect(check(action, resource, LONG_TERM_KEY)).toBe('Allowed');
  });

  const everythingElse: [string, string][] = [
    ['iam:DeactivateMFADevice', ALICE], ['iam:CreateAccessKey', ALICE], ['iam:ChangePassword', ALICE], ['iam:AttachUserPolicy', ALICE],
    ['iam:CreateUser', 'arn:aws:iam::111111111111:user/mallory'], ['sts:AssumeRole', 'arn:aws:iam::111111111111:role/admin'],
    ['s3:GetObject', 'arn:aws:s3:::data/a.csv'], ['ec2:RunInstances', 'arn:aws:ec2:us-east-1:111111111111:instance/*'],
  ];
  test.each(everythingElse)('without MFA, %s is explicitly denied; with MFA it is allowed', (action, resource) => {
    expect(check(action, resource, NO_MFA)).toBe('ExplicitlyDenied');
    expect(check(action, resource, LONG_TERM_KEY)).toBe('ExplicitlyDenied');
    expect(check(action, resource, { 'aws:MultiFactorAuthPresent': true })).toBe('Allowed');
  });
});

describe('MfaRequired: the access-key enrolment route, from the attacker\'s side', () => {
  // control: the same administrator outside the MfaRequired group may enrol with a bare access key,
  // so the denial below is MfaRequired's doing
  const stack = new Stack(testApp(), 'Users', { env: DEV });
  const admins = [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')];
  const humans = new iam.Group(stack, 'Humans', { path: '/people/', managedPolicies: admins });
  const alice = new iam.User(stack, 'Alice', { userName: 'alice', groups: [humans] });
  const outsider = new iam.User(stack, 'Outsider', { userName: 'outsider', managedPolicies: admins });
  new MfaRequired(stack, 'Mfa', { groups: [humans] });
  const model = new AccessModel([stack]);
  const enable = (principal: iam.IUser, user: string) =>
    model.check({ principal, action: 'iam:EnableMFADevice', resource: `arn:aws:iam::111111111111:user/${user}`, resourceAccount: '111111111111' });

  test('a thief with alice\'s access key cannot enable a device for her; without MfaRequired the same call is open', () => {
    expect(enable(alice, 'alice')).toBe('ExplicitlyDenied');
    expect(enable(outsider, 'outsider')).toBe('Allowed');
  });
});

describe('MfaRequired with allowSelfEnrolment: false (an administrator enrols)', () => {
  const stack = new Stack(testApp(), 'Users', { env: DEV });
  const admins = [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')];
  const humans = new iam.Group(stack, 'Humans', { path: '/people/', managedPolicies: admins });
  const alice = new iam.User(stack, 'Alice', { userName: 'alice', groups: [humans] });
  new MfaRequired(stack, 'Mfa', { groups: [humans], allowSelfEnrolment: false });
  const model = new AccessModel([stack]);
  const ALICE = 'arn:aws:iam::111111111111:user/alice';
  const check = (action: string, resource: string, context: Record<string, boolean>) =>
    model.check({ principal: alice, action, resource, context, resourceAccount: '111111111111' });

  test.each([['iam:CreateVirtualMFADevice', 'arn:aws:iam::111111111111:mfa/alice'], ['iam:EnableMFADevice', ALICE], ['iam:ResyncMFADevice', ALICE]])(
    'without MFA, %s is denied from the console and with access keys', (action, resource) => {
      expect(check(action, resource, { 'aws:MultiFactorAuthPresent': false })).toBe('ExplicitlyDenied');
      expect(check(action, resource, {})).toBe('ExplicitlyDenied');
    });

  test.each(['iam:EnableMFADevice', 'iam:ResyncMFADevice', 'iam:DeactivateMFADevice'])('%s on the own user is denied even with MFA', (action) => {
    expect(check(action, ALICE, { 'aws:MultiFactorAuthPresent': true })).toBe('ExplicitlyDenied');
  });

  test('an administrator signed in with MFA may still enrol another user\'s device', () => {
    expect(check('iam:EnableMFADevice', 'arn:aws:iam::111111111111:user/bob', { 'aws:MultiFactorAuthPresent': true })).toBe('Allowed');
    expect(check('iam:CreateVirtualMFADevice', 'arn:aws:iam::111111111111:mfa/bob', { 'aws:MultiFactorAuthPresent': true })).toBe('Allowed');
  });

  test('users still see their own devices without MFA', () => {
    expect(check('iam:ListMFADevices', ALICE, { 'aws:MultiFactorAuthPresent': false })).toBe('Allowed');
  });
});

describe('DeveloperBoundary.applyTo and the roles CDK creates for its own custom-resource providers', () => {
  // ec2.Vpc adds the Custom::VpcRestrictDefaultSG provider under the recommended feature flags
  function build(apply: 'applyTo' | 'PermissionsBoundary') {
    const stack = new Stack(testApp(), 'Team', { env: PROD });
    const boundary = new DeveloperBoundary(stack, 'Boundary', {
      allowedStatements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-bucket/*'] })],
    });
    new ec2.Vpc(stack, 'Vpc', { natGateways: 0, restrictDefaultSecurityGroup: true });
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:RevokeSecurityGroupEgress'], resources: ['*'] }));
    if (apply === 'applyTo') boundary.applyTo(stack);
    else iam.PermissionsBoundary.of(stack).apply(boundary);
    const providerRole = stack.node.findChild('Custom::VpcRestrictDefaultSGCustomResourceProvider').node.findChild('Role') as CfnResource;
    const model = new AccessModel([stack]);
    // the model names an attribute it cannot know by `<logical id>.<attribute>`
    const vpcId = stack.resolve((stack.node.findChild('Vpc').node.defaultChild as CfnResource).logicalId);
    const defaultGroup = `arn:aws:ec2:us-east-1:222222222222:security-group/${vpcId}.DefaultSecurityGroup`;
    return { stack, fn, providerRole, model, defaultGroup };
  }
  const PROVIDER_ACTIONS = ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'];

  const capped = build('applyTo');
  test.each(PROVIDER_ACTIONS)('the provider role may still call %s on the default security group, as its handler does', (action) => {
    const { model, providerRole, defaultGroup } = capped;
    expect(model.explain({ principal: providerRole, action, resource: defaultGroup, resourceAccount: '222222222222' }).decision).toBe('Allowed');
  });
  test('the provider role carries no boundary and is named in an info message; the function role is capped', () => {
    const { stack, providerRole } = capped;
    const template = Template.fromStack(stack).toJSON();
    expect(template.Resources[stack.resolve(providerRole.logicalId)].Properties.PermissionsBoundary).toBeUndefined();
    Annotations.fromStack(stack).hasInfo(`/${providerRole.node.path}`, Match.stringLikeRegexp('left this role of CDK\'s own custom-resource provider Custom::VpcRestrictDefaultSGCustomResourceProvider without the boundary'));
  });
  test('the function role in the same scope is still capped by the boundary', () => {
    const { model, fn, defaultGroup } = capped;
    expect(model.check({ principal: fn, action: 'ec2:RevokeSecurityGroupEgress', resource: defaultGroup, resourceAccount: '222222222222' })).toBe('ImplicitlyDenied');
  });
  test('control: iam.PermissionsBoundary alone caps the provider role, so its handler would fail', () => {
    const { model, providerRole, defaultGroup } = build('PermissionsBoundary');
    expect(model.check({ principal: providerRole, action: 'ec2:RevokeSecurityGroupEgress', resource: defaultGroup, resourceAccount: '222222222222' })).toBe('ImplicitlyDenied');
  });
});
