import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CrossAccountRole, DeveloperBoundary, Ec2ServiceRole, MfaRequired, TrustedAccount } from '../../lib/identity';
import { SecureKey } from '../../lib/common/secure-key';
import { complianceFindings } from '../support/compliance';
import { testApp } from '../support/app';

/** Each identity construct on its own, secure defaults and the options that add policies: no unacknowledged findings. */
function stack(): Stack {
  return new Stack(testApp(), 'Subject', { env: { account: '222222222222', region: 'us-east-1' } });
}

test('a CrossAccountRole with every option and revoked sessions has no findings', () => {
  const s = stack();
  const role = new CrossAccountRole(s, 'Cross', {
    trustedAccounts: [TrustedAccount.thirdParty('333333333333', '0f8fad5b-d9cb-469f-a165-70867728950e'), TrustedAccount.organization('o-a1b2c3d4e5')],
    maxMfaAge: Duration.hours(1), requireSourceIdentity: true, sessionTagKeys: ['team'],
  });
  role.revokeSessions(new Date('2026-03-01T12:00:00Z'));
  expect(complianceFindings(s)).toEqual([]);
});

test('a DeveloperBoundary with service-wide actions and every option, applied to a role, has no findings', () => {
  const s = stack();
  const boundary = new DeveloperBoundary(s, 'Boundary', {
    allowedStatements: [new iam.PolicyStatement({ actions: ['s3:*', 'dynamodb:*', 'iam:CreateRole', 'iam:PassRole'], resources: ['*'] })],
    delegatedRolePath: '/delegated/', delegatedResourcePrefix: 'team-a-',
    assumableRoles: [iam.Role.fromRoleArn(s, 'Reader', 'arn:aws:iam::333333333333:role/reports-reader')],
  });
  new iam.Role(s, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  boundary.applyTo(s);
  expect(complianceFindings(s)).toEqual([]);
});

test('MfaRequired on a group of users has no findings', () => {
  const s = stack();
  // a group with no properties at all trips the Control Tower guard rules (they read its missing Properties)
  const humans = new iam.Group(s, 'Humans', { path: '/people/' });
  new iam.User(s, 'Alice', { groups: [humans] });
  new MfaRequired(s, 'Mfa', { groups: [humans] });
  expect(complianceFindings(s)).toEqual([]);
});

test('an Ec2ServiceRole managed by Systems Manager has no findings', () => {
  const s = stack();
  new Ec2ServiceRole(s, 'Web', { ssmManagedInstance: true });
  expect(complianceFindings(s)).toEqual([]);
});

test('MfaRequired without self-enrolment, alerting an encrypted topic, has no findings', () => {
  const s = stack();
  const key = new SecureKey(s, 'Key', { description: 'Encrypts the MFA alerts' });
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('events.amazonaws.com')], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'],
  }));
  const topic = new sns.Topic(s, 'Alerts', { masterKey: key, enforceSSL: true });
  const humans = new iam.Group(s, 'Humans', { path: '/people/' });
  new iam.User(s, 'Alice', { groups: [humans] });
  new MfaRequired(s, 'Mfa', { groups: [humans], allowSelfEnrolment: false, alertTopic: topic });
  expect(complianceFindings(s)).toEqual([]);
});
