import { Stack, Tags } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AccessModel } from './index';
import { testApp } from '../app';

const ORG = 'o-abc123def4';

function build() {
  const app = testApp();
  const stack = new Stack(app, 'Main', { env: { account: '111111111111', region: 'eu-west-1' } });

  const partner = iam.Role.fromRoleArn(stack, 'Partner', 'arn:aws:iam::444444444444:role/partner');
  const byName = iam.Role.fromRoleName(stack, 'ByName', 'existing-role');
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });

  const bucket = new s3.Bucket(stack, 'Bucket');
  bucket.grantRead(fn);
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('shared/*')],
    conditions: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
  }));

  const identityPoolRole = new iam.Role(stack, 'Authenticated', {
    assumedBy: new iam.FederatedPrincipal('cognito-identity.amazonaws.com', {
      StringEquals: { 'cognito-identity.amazonaws.com:aud': 'eu-west-1:pool-id' },
      'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
    }, 'sts:AssumeRoleWithWebIdentity'),
  });
  identityPoolRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('private/${cognito-identity.amazonaws.com:sub}/*')] }));
  const saml = new iam.SamlProvider(stack, 'Saml', { metadataDocument: iam.SamlMetadataDocument.fromXml('<xml/>') });
  const samlRole = new iam.Role(stack, 'SamlRole', { assumedBy: new iam.SamlConsolePrincipal(saml) });

  // attribute-based access: the role's team tag must match the secret's
  const teamRole = new iam.Role(stack, 'TeamRole', { assumedBy: new iam.AccountRootPrincipal() });
  Tags.of(teamRole).add('team', 'payments');
  teamRole.addToPolicy(new iam.PolicyStatement({
    actions: ['secretsmanager:GetSecretValue'], resources: ['*'],
    conditions: { StringEquals: { 'secretsmanager:ResourceTag/team': '${aws:PrincipalTag/team}' } },
  }));
  teamRole.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] }));
  // revoke sessions issued before a cut-off, as the IAM console's "Revoke active sessions" does
  teamRole.addToPolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY, actions: ['*'], resources: ['*'], conditions: { DateLessThan: { 'aws:TokenIssueTime': '2026-03-01T00:00:00Z' } },
  }));
  const paymentsSecret = new secretsmanager.Secret(stack, 'Payments');
  Tags.of(paymentsSecret).add('team', 'payments');
  const otherSecret = new secretsmanager.Secret(stack, 'Other');
  Tags.of(otherSecret).add('team', 'search');

  const topic = new sns.Topic(stack, 'Topic');
  topic.grantPublish(new iam.AccountPrincipal('555555555555'));
  const queue = new sqs.Queue(stack, 'Queue');
  queue.grantSendMessages(new iam.ServicePrincipal('sns.amazonaws.com'));

  const model = new AccessModel([stack], { organizationId: ORG, organizationAccounts: ['111111111111', '222222222222'] });
  return { model, partner, byName, fn, bucket, identityPoolRole, saml, samlRole, teamRole, paymentsSecret, otherSecret, topic, queue };
}

const t = build();

describe('principals', () => {
  test('an imported role (Role.fromRoleArn) is the external role it names', () => {
    const e = t.model.explain({ principal: t.partner, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/shared/a' });
    expect(e.principal).toBe('arn:aws:sts::444444444444:assumed-role/partner/access-model');
    expect(e.decision).toBe('ImplicitlyDenied'); // not in the organization
  });
  test('an imported role by name resolves its ARN in its stack\'s account', () => {
    expect(t.model.arnOf(t.byName)).toBe('arn:aws:iam::111111111111:role/existing-role');
  });
  test('a Lambda function acts as its execution role', () => {
    const e = t.model.explain({ principal: t.fn, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/a' });
    expect(e.principal).toMatch(/^arn:aws:sts::111111111111:assumed-role\/Main-FnServiceRole[0-9A-F]+\/access-model$/);
    expect(e.decision).toBe('Allowed');
  });
  test('a Cognito identity (web identity federation) may assume the authenticated role', () => {
    expect(t.model.check({
      principal: 'cognito-identity.amazonaws.com', action: 'sts:AssumeRoleWithWebIdentity', resource: t.identityPoolRole,
      context: { 'cognito-identity.amazonaws.com:aud': 'eu-west-1:pool-id', 'cognito-identity.amazonaws.com:amr': 'authenticated' },
    })).toBe('Allowed');
  });
  test('... but not as a guest, nor for another pool', () => {
    expect(t.model.check({
      principal: 'cognito-identity.amazonaws.com', action: 'sts:AssumeRoleWithWebIdentity', resource: t.identityPoolRole,
      context: { 'cognito-identity.amazonaws.com:aud': 'eu-west-1:pool-id', 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
    })).toBe('ImplicitlyDenied');
    expect(t.model.check({
      principal: 'cognito-identity.amazonaws.com', action: 'sts:AssumeRoleWithWebIdentity', resource: t.identityPoolRole,
      context: { 'cognito-identity.amazonaws.com:aud': 'eu-west-1:other', 'cognito-identity.amazonaws.com:amr': 'authenticated' },
    })).toBe('ImplicitlyDenied');
  });
  test('a Cognito session reads its own S3 prefix: the sub claim fills the policy variable', () => {
    const sub = { 'cognito-identity.amazonaws.com:sub': 'eu-west-1:1111-aaaa' };
    const e = t.model.explain({ principal: t.identityPoolRole, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/private/eu-west-1:1111-aaaa/photo.jpg', context: sub });
    expect(e.decision).toBe('Allowed');
    expect(e.substitutedClaims).toEqual(sub);
    expect(e.context).not.toHaveProperty('cognito-identity.amazonaws.com:sub');
  });
  test('... not another identity\'s prefix, nor any prefix without the claim', () => {
    expect(t.model.check({ principal: t.identityPoolRole, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/private/eu-west-1:2222-bbbb/photo.jpg', context: { 'cognito-identity.amazonaws.com:sub': 'eu-west-1:1111-aaaa' } })).toBe('ImplicitlyDenied');
    expect(t.model.check({ principal: t.identityPoolRole, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/private/eu-west-1:1111-aaaa/photo.jpg' })).toBe('ImplicitlyDenied');
  });
  test('a SAML provider may assume the role that trusts it, for the console audience only', () => {
    const provider = t.model.arnOf(t.saml);
    expect(provider).toMatch(/^arn:aws:iam::111111111111:saml-provider\/Main-Saml[0-9A-F]{8}$/);
    expect(t.model.check({ principal: provider, action: 'sts:AssumeRoleWithSAML', resource: t.samlRole, context: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } })).toBe('Allowed');
    expect(t.model.check({ principal: provider, action: 'sts:AssumeRoleWithSAML', resource: t.samlRole, context: { 'SAML:aud': 'https://example.com/saml' } })).toBe('ImplicitlyDenied');
    expect(t.model.check({ principal: 'arn:aws:iam::111111111111:saml-provider/other', action: 'sts:AssumeRoleWithSAML', resource: t.samlRole, context: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } })).toBe('ImplicitlyDenied');
  });
  test('a Cognito identity pool gets the id and ARN Cognito gives it, and policies on that ARN match', () => {
    const stack = new Stack(testApp(), 'Pools', { env: { account: '111111111111', region: 'eu-west-1' } });
    const pool = new cognito.CfnIdentityPool(stack, 'IdentityPool', { allowUnauthenticatedIdentities: false });
    const admin = new iam.Role(stack, 'PoolAdmin', { assumedBy: new iam.AccountRootPrincipal() });
    admin.addToPolicy(new iam.PolicyStatement({
      actions: ['cognito-identity:UpdateIdentityPool'],
      resources: [Stack.of(pool).formatArn({ service: 'cognito-identity', resource: 'identitypool', resourceName: pool.ref })],
    }));
    const m = new AccessModel([stack]);
    expect(m.arnOf(pool)).toMatch(/^arn:aws:cognito-identity:eu-west-1:111111111111:identitypool\/eu-west-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(m.check({ principal: admin, action: 'cognito-identity:UpdateIdentityPool', resource: m.arnOf(pool) })).toBe('Allowed');
    expect(m.check({ principal: admin, action: 'cognito-identity:UpdateIdentityPool', resource: 'arn:aws:cognito-identity:eu-west-1:111111111111:identitypool/eu-west-1:other' })).toBe('ImplicitlyDenied');
  });
  test('an OIDC provider (CDK OpenIdConnectProvider) gets its IAM ARN', () => {
    const stack = new Stack(testApp(), 'Oidc', { env: { account: '111111111111', region: 'eu-west-1' } });
    const provider = new iam.OpenIdConnectProvider(stack, 'GitHub', { url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] });
    const role = new iam.Role(stack, 'Deploy', { assumedBy: new iam.OpenIdConnectPrincipal(provider) });
    const m = new AccessModel([stack]);
    expect(m.arnOf(provider)).toBe('arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com');
    expect(m.check({ principal: m.arnOf(provider), action: 'sts:AssumeRoleWithWebIdentity', resource: role })).toBe('Allowed');
    expect(m.check({ principal: 'arn:aws:iam::111111111111:oidc-provider/example.com', action: 'sts:AssumeRoleWithWebIdentity', resource: role })).toBe('ImplicitlyDenied');
  });
});

describe('attribute-based access with secretsmanager:ResourceTag', () => {
  test('the role reads the secret tagged with its own team (tags from the templates)', () => {
    expect(t.model.check({ principal: t.teamRole, action: 'secretsmanager:GetSecretValue', resource: t.paymentsSecret })).toBe('Allowed');
  });
  test('... not another team\'s secret', () => {
    expect(t.model.check({ principal: t.teamRole, action: 'secretsmanager:GetSecretValue', resource: t.otherSecret })).toBe('ImplicitlyDenied');
  });
  test('a secretsmanager:ResourceTag context key overrides the template tag', () => {
    expect(t.model.check({ principal: t.teamRole, action: 'secretsmanager:GetSecretValue', resource: t.otherSecret, context: { 'secretsmanager:ResourceTag/team': 'payments' } })).toBe('Allowed');
  });
  test('a wildcard-only action on resource * is checked in the caller\'s account', () => {
    const e = t.model.explain({ principal: t.teamRole, action: 'secretsmanager:GetRandomPassword', resource: '*' });
    expect([e.decision, e.resourceAccount]).toEqual(['Allowed', '111111111111']);
  });
});

describe('session revocation with aws:TokenIssueTime', () => {
  test('a session issued before the cut-off is explicitly denied', () => {
    expect(t.model.check({ principal: t.teamRole, action: 'secretsmanager:GetSecretValue', resource: t.paymentsSecret, context: { 'aws:TokenIssueTime': new Date('2026-02-28T23:00:00Z') } })).toBe('ExplicitlyDenied');
  });
  test('a session issued after it is not', () => {
    expect(t.model.check({ principal: t.teamRole, action: 'secretsmanager:GetSecretValue', resource: t.paymentsSecret, context: { 'aws:TokenIssueTime': '2026-03-01T00:00:01Z' } })).toBe('Allowed');
  });
});

describe('organization keys', () => {
  test('a principal of an organization account matches aws:PrincipalOrgID', () => {
    const e = t.model.explain({ principal: 'arn:aws:iam::222222222222:role/member', action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/shared/a' });
    expect(e.context['aws:PrincipalOrgID']).toBe(ORG);
    expect(e.decision).toBe('Allowed');
  });
  test('a principal outside the organization does not', () => {
    const e = t.model.explain({ principal: 'arn:aws:iam::999999999999:role/outsider', action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/shared/a' });
    expect(e.context).not.toHaveProperty('aws:PrincipalOrgID');
    expect(e.decision).toBe('ImplicitlyDenied');
  });
  test('the statement covers only its prefix', () => {
    expect(t.model.check({ principal: 'arn:aws:iam::222222222222:role/member', action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/private/a' })).toBe('ImplicitlyDenied');
  });
});

describe('resource control policies', () => {
  const rcp = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG } } }],
  };
  test('an RCP on the resource account denies principals outside the organization even where the bucket policy would allow', () => {
    const m = new AccessModel([Stack.of(t.bucket)], { organizationId: ORG, organizationAccounts: ['111111111111', '222222222222'], resourceControlPolicies: [rcp] });
    expect(m.check({ principal: 'arn:aws:iam::222222222222:role/member', action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/shared/a' })).toBe('Allowed');
    expect(m.check({ principal: 'arn:aws:iam::999999999999:role/outsider', action: 's3:GetObject', resource: 'arn:aws:s3:::elsewhere/a', resourceAccount: '111111111111' })).toBe('ExplicitlyDenied');
  });
});

describe('topic and queue policies', () => {
  test('topic.grantPublish lets the other account publish', () => {
    expect(t.model.check({ principal: 'arn:aws:iam::555555555555:role/publisher', action: 'sns:Publish', resource: t.topic })).toBe('Allowed');
    expect(t.model.check({ principal: 'arn:aws:iam::666666666666:role/publisher', action: 'sns:Publish', resource: t.topic })).toBe('ImplicitlyDenied');
  });
  test('queue.grantSendMessages lets SNS send', () => {
    expect(t.model.check({ principal: 'sns.amazonaws.com', action: 'sqs:SendMessage', resource: t.queue })).toBe('Allowed');
    expect(t.model.check({ principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: t.queue })).toBe('ImplicitlyDenied');
  });
});

describe('other resource policies', () => {
  const stack = new Stack(testApp(), 'More', { env: { account: '111111111111', region: 'eu-west-1' } });
  const repo = new ecr.Repository(stack, 'Repo');
  repo.grantPull(new iam.AccountPrincipal('222222222222'));
  const table = new dynamodb.CfnTable(stack, 'Table', {
    keySchema: [{ attributeName: 'pk', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST',
    resourcePolicy: { policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'dynamodb:GetItem', Resource: '*' }] } },
  });
  const m = new AccessModel([stack]);
  test('an ECR repository policy lets the other account pull', () => {
    expect(m.check({ principal: 'arn:aws:iam::222222222222:role/ci', action: 'ecr:BatchGetImage', resource: repo })).toBe('Allowed');
    expect(m.check({ principal: 'arn:aws:iam::333333333333:role/ci', action: 'ecr:BatchGetImage', resource: repo })).toBe('ImplicitlyDenied');
  });
  test('a DynamoDB table resource policy lets the other account read items', () => {
    expect(m.check({ principal: 'arn:aws:iam::222222222222:role/app', action: 'dynamodb:GetItem', resource: table })).toBe('Allowed');
    expect(m.check({ principal: 'arn:aws:iam::222222222222:role/app', action: 'dynamodb:PutItem', resource: table })).toBe('ImplicitlyDenied');
  });
});

describe('session policies and VPC endpoints', () => {
  const stack = new Stack(testApp(), 'Net', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const secret = new secretsmanager.Secret(stack, 'Secret');
  const other = new secretsmanager.Secret(stack, 'Other');
  const endpoint = vpc.addInterfaceEndpoint('SecretsManager', { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER });
  endpoint.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
  const open = vpc.addInterfaceEndpoint('Kms', { service: ec2.InterfaceVpcEndpointAwsService.KMS });
  const app = new iam.Role(stack, 'App', { assumedBy: new iam.AccountRootPrincipal() });
  secret.grantRead(app);
  other.grantRead(app);
  // only callers inside the VPC may read
  secret.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['secretsmanager:GetSecretValue'], resources: ['*'],
    conditions: { StringNotEquals: { 'aws:SourceVpc': vpc.vpcId } },
  }));
  const m = new AccessModel([stack]);

  test('through the endpoint: its policy allows the secret, and aws:SourceVpc satisfies the secret policy', () => {
    const e = m.explain({ principal: app, action: 'secretsmanager:GetSecretValue', resource: secret, vpcEndpoint: endpoint });
    expect(e.decision).toBe('Allowed');
    expect(e.context['aws:SourceVpce']).toMatch(/^vpce-[0-9a-f]{17}$/);
    expect(e.context['aws:SourceVpc']).toMatch(/^vpc-[0-9a-f]{17}$/);
  });
  test('outside the VPC the secret policy denies', () => {
    expect(m.check({ principal: app, action: 'secretsmanager:GetSecretValue', resource: secret })).toBe('ExplicitlyDenied');
  });
  test('the endpoint policy stops what it does not list, though IAM allows it', () => {
    expect(m.check({ principal: app, action: 'secretsmanager:GetSecretValue', resource: other, vpcEndpoint: endpoint })).toBe('ImplicitlyDenied');
    expect(m.check({ principal: app, action: 'secretsmanager:GetSecretValue', resource: other })).toBe('Allowed');
  });
  test('an endpoint without a policy allows full access', () => {
    expect(m.check({ principal: app, action: 'secretsmanager:GetSecretValue', resource: other, vpcEndpoint: open })).toBe('Allowed');
  });
  test('a session policy narrows the role\'s permissions', () => {
    const sessionPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' }] };
    expect(m.check({ principal: app, action: 'secretsmanager:GetSecretValue', resource: other, sessionPolicy })).toBe('ImplicitlyDenied');
    expect(m.check({ principal: app, action: 'secretsmanager:DescribeSecret', resource: other, sessionPolicy })).toBe('Allowed');
  });
  test('fails when vpcEndpoint is not a VPC endpoint', () => {
    expect(() => m.check({ principal: app, action: 'secretsmanager:GetSecretValue', resource: other, vpcEndpoint: vpc })).toThrow(/AccessModel: vpcEndpoint must be an AWS::EC2::VPCEndpoint, got AWS::EC2::VPC 'Vpc8378EB38' of stack 'Net'\./);
  });
  test('fails when a session policy is given for a user', () => {
    const withUser = new Stack(testApp(), 'U');
    const user = new iam.User(withUser, 'User');
    expect(() => new AccessModel([withUser]).check({ principal: user, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceAccount: '111111111111', sessionPolicy: { Statement: [] } }))
      .toThrow(/AccessModel: sessionPolicy applies to role sessions, but the principal is AWS::IAM::User 'User00B015A1' of stack 'U'\./);
  });
});

describe('debugging and strictness', () => {
  test('assertDecision passes silently when the decision matches', () => {
    expect(() => t.model.assertDecision({ principal: t.fn, action: 's3:GetObject', resource: t.bucket, resourceSuffix: '/a' }, 'Allowed')).not.toThrow();
  });
  test('fails when assertDecision gets another decision, showing the explanation', () => {
    expect(() => t.model.assertDecision({ principal: t.fn, action: 's3:PutObject', resource: t.bucket, resourceSuffix: '/a' }, 'Allowed'))
      .toThrow(/AccessModel: expected Allowed, got ImplicitlyDenied: s3:PutObject on arn:aws:s3:::main-bucket[0-9a-f]+\/a[\s\S]*identity policies: .*AWS::IAM::Policy 'FnServiceRoleDefaultPolicy/);
  });
  test('fails when a single-valued context key gets an array', () => {
    expect(() => t.model.check({ principal: t.partner, action: 'sts:AssumeRole', resource: t.identityPoolRole, context: { 'sts:ExternalId': ['a', 'b'] } }))
      .toThrow('AccessModel: context key(s) sts:ExternalId take a single value, got an array; pass one value.');
  });
});
