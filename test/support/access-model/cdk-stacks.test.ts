import { Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AccessModel, DEFAULT_ACCOUNT, DEFAULT_REGION } from './index';
import { testApp } from '../app';

// The model on stacks built from aws-cdk-lib's own L2 constructs: grants, resource policies and
// cross-stack references exactly as CDK synthesizes them.

function build() {
  const app = testApp();
  const dev = new Stack(app, 'Dev', { env: { account: '222222222222', region: 'eu-west-1' } });
  const prod = new Stack(app, 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } });
  const shared = new Stack(app, 'Shared'); // env-agnostic: the model's default account and region
  const consumer = new Stack(app, 'Consumer');

  const deployer = new iam.Role(dev, 'Deployer', { assumedBy: new iam.AccountRootPrincipal() });
  const prodRole = new iam.Role(prod, 'ProdRole', {
    roleName: 'prod-role', assumedBy: new iam.AccountPrincipal('222222222222'), externalIds: ['x'],
  });
  // CDK cannot grant across environments with a token ARN; the calling side names the role by ARN.
  deployer.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::333333333333:role/prod-role'] }));

  const key = new kms.Key(shared, 'Key');
  const bucket = new s3.Bucket(shared, 'Bucket', { enforceSSL: true });
  const secret = new secretsmanager.Secret(shared, 'Secret');
  const keyUser = new iam.Role(shared, 'KeyUser', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  key.grantDecrypt(keyUser);
  const topic = new sns.Topic(shared, 'Topic');
  const fn = new lambda.Function(shared, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
  fn.addPermission('FromTopic', { principal: new iam.ServicePrincipal('sns.amazonaws.com'), sourceArn: topic.topicArn });

  // reader lives in another stack: its grants reach the bucket through Fn::ImportValue
  const reader = new iam.Role(consumer, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  bucket.grantRead(reader);
  secret.grantRead(reader);
  secret.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['secretsmanager:DeleteSecret'], resources: ['*'],
  }));
  const admin = new iam.Role(shared, 'Admin', {
    assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
  });

  const group = new iam.Group(shared, 'Auditors');
  group.addManagedPolicy(new iam.ManagedPolicy(shared, 'AuditPolicy', {
    statements: [new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] })],
  }));
  const auditor = new iam.User(shared, 'Auditor', { groups: [group] });
  const boundary = new iam.ManagedPolicy(shared, 'Boundary', {
    statements: [new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetObject'], resources: ['*'] })],
  });
  const bounded = new iam.Role(shared, 'Bounded', { assumedBy: new iam.AccountRootPrincipal(), permissionsBoundary: boundary });
  bucket.grantReadWrite(bounded);

  const stacks = [dev, prod, shared, consumer];
  return { stacks, model: new AccessModel(stacks), deployer, prodRole, key, keyUser, bucket, secret, topic, fn, reader, admin, auditor, bounded };
}

const t = build();

test('env-agnostic stacks get the default account and region', () => {
  expect(DEFAULT_ACCOUNT).toBe('111111111111');
  expect(DEFAULT_REGION).toBe('us-east-1');
  expect(t.model.arnOf(t.secret)).toMatch(/^arn:aws:secretsmanager:us-east-1:111111111111:secret:Shared-Secret[A-F0-9]{8}-[A-Za-z0-9]{6}$/);
  expect(t.model.arnOf(t.prodRole)).toBe('arn:aws:iam::333333333333:role/prod-role');
});

test('a stack inside a Stage takes the Stage\'s environment', () => {
  const stage = new Stage(testApp(), 'Staging', { env: { account: '444444444444', region: 'ap-southeast-2' } });
  const stack = new Stack(stage, 'Data');
  const bucket = new s3.Bucket(stack, 'Bucket');
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  bucket.grantRead(reader);
  const model = new AccessModel([stack]);
  const e = model.explain({ principal: reader, action: 's3:GetObject', resource: bucket, resourceSuffix: '/a' });
  expect([e.decision, e.resourceAccount, e.context['aws:RequestedRegion']]).toEqual(['Allowed', '444444444444', 'ap-southeast-2']);
  expect(e.principal).toMatch(/^arn:aws:sts::444444444444:assumed-role\/Staging-Data-Reader[0-9A-F]{8}\/access-model$/);
});

describe('cross-account AssumeRole with ExternalId (L2 Role)', () => {
  test.each([
    ['x', 'Allowed'],
    ['y', 'ImplicitlyDenied'],
  ])('external id %s: %s', (externalId, expected) => {
    expect(t.model.check({ principal: t.deployer, action: 'sts:AssumeRole', resource: t.prodRole, context: { 'sts:ExternalId': externalId } })).toBe(expected);
  });
  test('missing external id: denied', () => {
    expect(t.model.check({ principal: t.deployer, action: 'sts:AssumeRole', resource: t.prodRole })).toBe('ImplicitlyDenied');
  });
  test('arnOfLogicalId finds the role by its logical id', () => {
    const logicalId = Stack.of(t.prodRole).getLogicalId(t.prodRole.node.defaultChild as iam.CfnRole);
    expect(t.model.arnOfLogicalId('Prod', logicalId)).toBe('arn:aws:iam::333333333333:role/prod-role');
  });
  test('a dev-account role outside the stacks holds AdministratorAccess by default: the trust policy decides', () => {
    expect(t.model.check({ principal: 'arn:aws:iam::222222222222:role/other', action: 'sts:AssumeRole', resource: t.prodRole, context: { 'sts:ExternalId': 'x' } })).toBe('Allowed');
    expect(t.model.check({ principal: 'arn:aws:iam::222222222222:role/other', action: 'sts:AssumeRole', resource: t.prodRole })).toBe('ImplicitlyDenied');
  });
  test('... unless externalPrincipalPolicies says it holds nothing', () => {
    // the same (already synthesized) stacks, another model
    const model = new AccessModel(t.stacks, { externalPrincipalPolicies: [] });
    expect(model.check({ principal: 'arn:aws:iam::222222222222:role/other', action: 'sts:AssumeRole', resource: t.prodRole, context: { 'sts:ExternalId': 'x' } })).toBe('ImplicitlyDenied');
  });
});

describe('grants through cross-stack references', () => {
  test('bucket.grantRead (Fn::ImportValue of the bucket ARN) lets the reader get an object', () => {
    expect(t.model.check({ principal: t.reader, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/reports/a.csv' })).toBe('Allowed');
  });
  test('... but not put one', () => {
    expect(t.model.check({ principal: t.reader, action: 's3:PutObject', resource: t.bucket, resourceSuffix: '/reports/a.csv' })).toBe('ImplicitlyDenied');
  });
  test('enforceSSL denies the reader over plain HTTP', () => {
    expect(t.model.check({ principal: t.reader, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/a', context: { 'aws:SecureTransport': false } })).toBe('ExplicitlyDenied');
  });
});

describe('KMS key (L2 Key: its default policy delegates to IAM)', () => {
  test('key.grantDecrypt allows decrypt through the key policy\'s root delegation', () => {
    expect(t.model.check({ principal: t.keyUser, action: 'kms:Decrypt', resource: t.key })).toBe('Allowed');
  });
  test('... and nothing else', () => {
    expect(t.model.check({ principal: t.keyUser, action: 'kms:ScheduleKeyDeletion', resource: t.key })).toBe('ImplicitlyDenied');
  });
  test('a role without a grant may not decrypt', () => {
    expect(t.model.check({ principal: t.reader, action: 'kms:Decrypt', resource: t.key })).toBe('ImplicitlyDenied');
  });
});

describe('secret resource policy', () => {
  test('secret.grantRead allows GetSecretValue', () => {
    expect(t.model.check({ principal: t.reader, action: 'secretsmanager:GetSecretValue', resource: t.secret })).toBe('Allowed');
  });
  test('a resource policy deny beats an administrator', () => {
    expect(t.model.check({ principal: t.admin, action: 'secretsmanager:DeleteSecret', resource: t.secret })).toBe('ExplicitlyDenied');
    expect(t.model.check({ principal: t.admin, action: 'secretsmanager:PutSecretValue', resource: t.secret })).toBe('Allowed');
  });
  test('the secret ARN string finds the same resource policy', () => {
    expect(t.model.check({ principal: t.admin, action: 'secretsmanager:DeleteSecret', resource: t.model.arnOf(t.secret) })).toBe('ExplicitlyDenied');
  });
  test('so does its partial ARN (without the random suffix), evaluated as the full ARN', () => {
    const partial = t.model.arnOf(t.secret).slice(0, -7);
    const e = t.model.explain({ principal: t.admin, action: 'secretsmanager:DeleteSecret', resource: partial });
    expect([e.decision, e.resource]).toEqual(['ExplicitlyDenied', t.model.arnOf(t.secret)]);
  });
});

describe('users, groups and managed policies', () => {
  test('a user gets the managed policy of its group', () => {
    expect(t.model.check({ principal: t.auditor, action: 's3:ListBucket', resource: t.bucket })).toBe('Allowed');
  });
  test('... and nothing more', () => {
    expect(t.model.check({ principal: t.auditor, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/a' })).toBe('ImplicitlyDenied');
  });
  test('a user makes requests as itself', () => {
    const e = t.model.explain({ principal: t.auditor, action: 's3:ListBucket', resource: t.bucket });
    expect(e.principal).toMatch(/^arn:aws:iam::111111111111:user\/Shared-Auditor/);
    expect(e.context['aws:PrincipalType']).toBe('User');
  });
});

describe('permissions boundary on an L2 role', () => {
  test('grantReadWrite is cut down to what the boundary allows', () => {
    expect(t.model.check({ principal: t.bounded, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/a' })).toBe('Allowed');
    expect(t.model.check({ principal: t.bounded, action: 's3:PutObject', resource: t.bucket, resourceSuffix: '/a' })).toBe('ImplicitlyDenied');
  });
});

describe('Lambda permissions as the function\'s resource policy', () => {
  test('SNS may invoke the function for its topic', () => {
    expect(t.model.check({ principal: 'sns.amazonaws.com', action: 'lambda:InvokeFunction', resource: t.fn, context: { 'aws:SourceArn': t.model.arnOf(t.topic) } })).toBe('Allowed');
  });
  test('... not for another topic', () => {
    expect(t.model.check({ principal: 'sns.amazonaws.com', action: 'lambda:InvokeFunction', resource: t.fn, context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111111111111:other' } })).toBe('ImplicitlyDenied');
  });
  test('another service may not invoke it', () => {
    expect(t.model.check({ principal: 's3.amazonaws.com', action: 'lambda:InvokeFunction', resource: t.fn, context: { 'aws:SourceArn': t.model.arnOf(t.topic) } })).toBe('ImplicitlyDenied');
  });
});

test('explain(): readable text naming the policies and deciding statements', () => {
  const e = t.model.explain({ principal: t.reader, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/a', context: { 'aws:SecureTransport': false } });
  expect(e.text).toContain('ExplicitlyDenied: s3:GetObject on arn:aws:s3:::shared-bucket');
  expect(e.text).toContain('denied by resource statement #1 (explicit deny)');
  expect(e.identityPolicies.map((p) => p.name)).toEqual([expect.stringMatching(/^AWS::IAM::Policy 'ReaderDefaultPolicy[0-9A-F]+' of stack 'Consumer'$/)]);
});

describe('multi-region secrets and keys', () => {
  const primary = new Stack(testApp(), 'Primary', { env: { account: '111111111111', region: 'us-east-1' } });
  // its own App: it is built after the primary's App has been synthesized
  const replica = new Stack(testApp(), 'Replica', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = new kms.Key(primary, 'Key', { multiRegion: true });
  const secret = new secretsmanager.Secret(primary, 'Secret', { secretName: 'app/db', replicaRegions: [{ region: 'eu-west-1' }] });
  secret.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['secretsmanager:GetSecretValue'], resources: ['*'],
    conditions: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } },
  }));
  const reader = new iam.Role(primary, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  reader.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:*:111111111111:secret:app/db-*'] }));
  // the replica key names its primary by ARN (a literal: CloudFormation cannot reference across regions)
  const replicaKey = new kms.CfnReplicaKey(replica, 'ReplicaKey', {
    primaryKeyArn: new AccessModel([primary]).arnOf(key),
    keyPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/replica-admin' }, Action: 'kms:*', Resource: '*' }] },
  });
  const m = new AccessModel([primary, replica]);

  test('a multi-Region key has an mrk- id that its replica shares, in the replica\'s region', () => {
    const primaryArn = m.arnOf(key);
    expect(primaryArn).toMatch(/^arn:aws:kms:us-east-1:111111111111:key\/mrk-[0-9a-f]{32}$/);
    expect(m.arnOf(replicaKey)).toBe(primaryArn.replace('us-east-1', 'eu-west-1'));
  });
  test('the replica key is governed by its own key policy', () => {
    expect(m.check({ principal: 'arn:aws:iam::111111111111:role/replica-admin', action: 'kms:Decrypt', resource: replicaKey })).toBe('Allowed');
    expect(m.check({ principal: 'arn:aws:iam::111111111111:role/replica-admin', action: 'kms:Decrypt', resource: key })).toBe('Allowed'); // root delegation + admin identity
    expect(m.check({ principal: reader, action: 'kms:Decrypt', resource: replicaKey })).toBe('ImplicitlyDenied');
  });
  test('a secret\'s replica ARN is in the replica region and carries the replicated resource policy', () => {
    const replicaArn = m.arnOf(secret, 'eu-west-1');
    expect(replicaArn).toBe(m.arnOf(secret).replace(':us-east-1:', ':eu-west-1:'));
    const e = m.explain({ principal: reader, action: 'secretsmanager:GetSecretValue', resource: replicaArn });
    expect([e.decision, e.context['aws:RequestedRegion']]).toEqual(['Allowed', 'eu-west-1']);
    expect(m.check({ principal: 'arn:aws:iam::999999999999:role/x', action: 'secretsmanager:GetSecretValue', resource: replicaArn })).toBe('ExplicitlyDenied');
  });
  test('fails when asked for a regional copy of a global resource', () => {
    expect(() => m.arnOf(reader, 'eu-west-1')).toThrow("AccessModel: 'arn:aws:iam::111111111111:role/Primary-Reader");
  });
});
