import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { crossAccountAccess } from '../../examples/cross-account-access';
import { CrossAccountRole } from '../../lib/identity';
import { AccessModel } from '../support/access-model';
import { testApp } from '../support/app';

/**
 * Access tests over the synthesized stacks of the cross-account-access example: who may assume the
 * prod ReportsReader role, what it may do, session revocation, and the boundary's cap.
 */
const EXTERNAL_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const BUCKET = 'arn:aws:s3:::reports-222222222222';
const WITH_MFA = { 'sts:ExternalId': EXTERNAL_ID, 'aws:MultiFactorAuthPresent': true, 'aws:MultiFactorAuthAge': 300 };

function build(context: Record<string, string> = {}, tweak?: (reader: CrossAccountRole) => void) {
  const app = testApp({ context });
  const [dev, prod] = crossAccountAccess.build(app);
  const developer = dev.node.findChild('Developer') as iam.Role;
  const reader = prod.node.findChild('ReportsReader') as CrossAccountRole;
  tweak?.(reader);
  const model = new AccessModel([dev, prod]);
  return { dev, prod, developer, reader, model };
}

/** The example as `cdk synth` builds it without context, shared by the tests that only read it. */
const defaults = build();

describe('cross-account-access example: assuming the prod role', () => {
  const { developer, reader, model } = defaults;
  const assume = (principal: iam.IRole | string, context: Record<string, string | number | boolean>) =>
    model.check({ principal, action: 'sts:AssumeRole', resource: reader.role, context });

  test('the dev Developer role may assume it with the right ExternalId and a recent MFA sign-in', () => {
    expect(assume(developer, WITH_MFA)).toBe('Allowed');
  });

  test('is denied without the ExternalId', () => {
    expect(assume(developer, { 'aws:MultiFactorAuthPresent': true, 'aws:MultiFactorAuthAge': 300 })).toBe('ImplicitlyDenied');
  });

  test('is denied with a wrong ExternalId', () => {
    expect(assume(developer, { ...WITH_MFA, 'sts:ExternalId': '2b1c0f3e-0000-4000-8000-000000000000' })).toBe('ImplicitlyDenied');
  });

  test('is denied without MFA', () => {
    expect(assume(developer, { 'sts:ExternalId': EXTERNAL_ID, 'aws:MultiFactorAuthPresent': false })).toBe('ImplicitlyDenied');
  });

  test('is denied to credentials that carry no MFA information at all (e.g. long-term access keys)', () => {
    expect(assume(developer, { 'sts:ExternalId': EXTERNAL_ID })).toBe('ImplicitlyDenied');
  });

  test('is denied when the MFA sign-in is older than an hour', () => {
    expect(assume(developer, { ...WITH_MFA, 'aws:MultiFactorAuthAge': 7200 })).toBe('ImplicitlyDenied');
  });

  test('is denied to a role of a third account, even one with AdministratorAccess and the ExternalId', () => {
    expect(assume('arn:aws:iam::333333333333:role/Developer', WITH_MFA)).toBe('ImplicitlyDenied');
  });

  test('is denied to another role of the dev account: the trust names only Developer', () => {
    expect(assume('arn:aws:iam::111111111111:role/Other', WITH_MFA)).toBe('ImplicitlyDenied');
  });
});

describe('cross-account-access example: what the prod role may do', () => {
  const { reader, model } = defaults;
  const may = (action: string, resource: string) =>
    model.check({ principal: reader.role, action, resource, resourceAccount: '222222222222' });

  test('reads and lists the named bucket', () => {
    expect(may('s3:GetObject', `${BUCKET}/2026/q1.csv`)).toBe('Allowed');
    expect(may('s3:ListBucket', BUCKET)).toBe('Allowed');
  });

  test.each([
    ['s3:PutObject', `${BUCKET}/2026/q1.csv`],
    ['s3:DeleteObject', `${BUCKET}/2026/q1.csv`],
    ['s3:PutBucketPolicy', BUCKET],
    ['s3:GetObject', 'arn:aws:s3:::other-bucket/2026/q1.csv'],
    ['s3:ListBucket', 'arn:aws:s3:::other-bucket'],
    ['ec2:RunInstances', 'arn:aws:ec2:us-east-1:222222222222:instance/*'],
    ['dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:222222222222:table/orders'],
  ])('may not %s on %s', (action, resource) => {
    expect(may(action, resource)).toBe('ImplicitlyDenied');
  });

  test('may not create a role: the escalation guard of the boundary denies it explicitly', () => {
    expect(may('iam:CreateRole', 'arn:aws:iam::222222222222:role/escalate')).toBe('ExplicitlyDenied');
  });
});

describe('cross-account-access example: revoking sessions', () => {
  const { developer, reader, model } = build({ 'revoke-sessions-before': '2026-11-24T08:00:00Z' });
  const read = (issued: string) => model.check({
    principal: reader.role, action: 's3:GetObject', resource: `${BUCKET}/2026/q1.csv`, resourceAccount: '222222222222',
    context: { 'aws:TokenIssueTime': new Date(issued) },
  });

  test('a session issued before the cut-off is explicitly denied', () => {
    expect(read('2026-11-24T07:59:59Z')).toBe('ExplicitlyDenied');
  });

  test('a session issued after the cut-off still reads the bucket', () => {
    expect(read('2026-11-24T08:00:01Z')).toBe('Allowed');
  });

  test('callers can still assume the role again to get a fresh session', () => {
    expect(model.check({ principal: developer, action: 'sts:AssumeRole', resource: reader.role, context: WITH_MFA })).toBe('Allowed');
  });
});

describe('cross-account-access example: the boundary caps even AdministratorAccess', () => {
  const { reader, model } = build({}, (r) => r.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')));
  const may = (action: string, resource: string) =>
    model.check({ principal: reader.role, action, resource, resourceAccount: '222222222222' });

  test('still reads the named bucket', () => {
    expect(may('s3:GetObject', `${BUCKET}/2026/q1.csv`)).toBe('Allowed');
  });

  test.each([
    ['s3:PutObject', `${BUCKET}/2026/q1.csv`],
    ['s3:GetObject', 'arn:aws:s3:::other-bucket/2026/q1.csv'],
    ['ec2:RunInstances', 'arn:aws:ec2:us-east-1:222222222222:instance/*'],
    ['dynamodb:DeleteTable', 'arn:aws:dynamodb:us-east-1:222222222222:table/orders'],
  ])('may not %s on %s although AdministratorAccess allows it', (action, resource) => {
    expect(may(action, resource)).toBe('ImplicitlyDenied');
  });

  test.each([
    ['iam:CreateRole', 'arn:aws:iam::222222222222:role/escalate'],
    ['iam:DeleteRolePermissionsBoundary', 'arn:aws:iam::222222222222:role/anything'],
  ])('may not %s: the escalation guard denies it explicitly', (action, resource) => {
    expect(may(action, resource)).toBe('ExplicitlyDenied');
  });

  test('without the boundary the same AdministratorAccess role could (control case)', () => {
    const app = testApp();
    const stack = new Stack(app, 'Control', { env: { account: '222222222222', region: 'us-east-1' } });
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] });
    const control = new AccessModel([stack]);
    expect(control.check({ principal: admin, action: 's3:PutObject', resource: `${BUCKET}/2026/q1.csv`, resourceAccount: '222222222222' })).toBe('Allowed');
  });
});

describe('cross-account-access example: context', () => {
  test('takes the account ids, bucket and ExternalId from context', () => {
    const { dev, prod, model, developer, reader } = build({
      'dev-account': '123456789012', 'prod-account': '210987654321', 'reports-bucket': 'acme-reports', 'external-id': '5f0c8e5e-2b8a-4c1e-9d3f-6a7b8c9d0e1f',
    });
    expect([dev.account, prod.account]).toEqual(['123456789012', '210987654321']);
    expect(model.check({ principal: developer, action: 'sts:AssumeRole', resource: reader.role, context: { ...WITH_MFA, 'sts:ExternalId': '5f0c8e5e-2b8a-4c1e-9d3f-6a7b8c9d0e1f' } })).toBe('Allowed');
    expect(model.check({ principal: reader.role, action: 's3:GetObject', resource: 'arn:aws:s3:::acme-reports/a.csv', resourceAccount: '210987654321' })).toBe('Allowed');
  });

  test('fails when an account id from context is not 12 digits', () => {
    expect(() => build({ 'dev-account': '1234' })).toThrow('cross-account-access: context dev-account must be a 12-digit AWS account id, got "1234"');
  });

  test('fails when the dev and prod accounts are the same', () => {
    expect(() => build({ 'dev-account': '222222222222' })).toThrow(
      'cross-account-access: dev-account and prod-account must differ (the example shows access across accounts), got 222222222222 for both');
  });

  test('fails when revoke-sessions-before is not a time', () => {
    expect(() => build({ 'revoke-sessions-before': 'last tuesday' })).toThrow(
      'cross-account-access: context revoke-sessions-before must be an ISO 8601 time such as 2026-11-24T08:00:00Z, got "last tuesday"');
  });

  test('fails when the ExternalId from context is one STS rejects', () => {
    expect(() => build({ 'external-id': 'has spaces in it' })).toThrow(/TrustedAccount.roles: externalId may only contain letters, digits/);
  });
});

describe('cross-account-access example: annotations', () => {
  test('synthesizes without warnings with its defaults', () => {
    const { dev, prod } = defaults;
    Annotations.fromStack(dev).hasNoWarning('*', Match.anyValue());
    Annotations.fromStack(prod).hasNoWarning('*', Match.anyValue());
  });

  test('warns about a guessable ExternalId from context', () => {
    const { prod } = build({ 'external-id': 'reports' });
    Annotations.fromStack(prod).hasWarning('/CrossAccountAccessProd/ReportsReader', Match.stringLikeRegexp('looks guessable: it is only 7 characters long'));
  });
});
