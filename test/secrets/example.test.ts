import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { rotatingDatabaseSecret } from '../../examples/rotating-database-secret';
import { RotatingSecret, RotationStrategy } from '../../lib/secrets';
import { AccessModel } from '../support/access-model';
import { complianceFindings } from '../support/compliance';
import { testApp } from '../support/app';
import { rotationFunctions } from './helpers';

function build(context: Record<string, string> = {}) {
  const app = testApp({ context });
  const [replicaStack, stack] = rotatingDatabaseSecret.build(app);
  const master = stack.node.findChild('MasterSecret') as RotatingSecret;
  const appUser = stack.node.findChild('AppUserSecret') as RotatingSecret;
  const instance = stack.node.findChild('Database') as rds.DatabaseInstance;
  const appRole = stack.node.findChild('AppRole') as iam.Role;
  return { app, replicaStack, stack, master, appUser, instance, appRole };
}

/** The example with the default context, built once for the tests that only read it. */
let defaultBuild: ReturnType<typeof build> | undefined;
const example = () => (defaultBuild ??= build());

describe('the rotating-database-secret example', () => {
  test('has zero unacknowledged compliance findings, cdk-nag\'s rotation rules included', () => {
    // the lead's test/examples.test.ts checks this for every example too; here it is the example's spec
    // (a build of its own: the compliance packs are added to the app as aspects)
    for (const stack of build().app.node.children.filter(Stack.isStack)) {
      expect({ stack: stack.stackName, findings: complianceFindings(stack) }).toEqual({ stack: stack.stackName, findings: [] });
    }
  });

  test('cdk-nag\'s rotation rules see the rotation: a plain secret is flagged, a RotatingSecret is not', () => {
    const stack = new Stack(testApp(), 'Rotation', { env: { account: '111111111111', region: 'us-east-1' } });
    new secretsmanager.Secret(stack, 'Plain', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    new RotatingSecret(stack, 'Rotated', { rotation: RotationStrategy.randomKey() });
    const rotationFindings = complianceFindings(stack).filter((f) => /SMG4|SecretsManagerRotationEnabled|secretsmanager_rotation/i.test(f.rule));
    const nagRules = ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled'];
    // each cdk-nag major reports the same three findings on the plain secret
    for (const tool of ['cdk-nag 2', 'cdk-nag 3']) {
      expect(rotationFindings.filter((f) => f.tool === tool).map((f) => `${f.rule} ${f.path}`)).toEqual(nagRules.map((rule) => `${rule} Rotation/Plain/Resource`));
    }
    expect(rotationFindings.filter((f) => f.path.includes('Rotated'))).toEqual([]);
  });

  test('deploys to an explicit account and region, the account from context', () => {
    const { replicaStack, stack } = build({ account: '123456789012' });
    expect([stack.account, stack.region]).toEqual(['123456789012', 'us-east-1']);
    expect([replicaStack.account, replicaStack.region]).toEqual(['123456789012', 'us-west-2']);
    expect(stack.dependencies).toContain(replicaStack);
    expect(example().stack.account).toBe('111111111111');
  });

  test('rotates the master secret single-user and the app secret with alternating users, each by its shared function', () => {
    const { stack, master, appUser, instance } = example();
    const template = Template.fromStack(stack);
    expect(Object.keys(rotationFunctions(template))).toHaveLength(2);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    expect(master.secret).toBe(instance.secret);
    const env = (s: RotatingSecret) => stack.resolve((s.rotationFunction.node.defaultChild as lambda.CfnFunction).environment);
    expect(env(master).variables).toMatchObject({ ROTATION_STRATEGY: 'postgres-single-user', REQUIRE_TLS: 'true' });
    expect(env(appUser).variables).toMatchObject({ ROTATION_STRATEGY: 'postgres-alternating-users', REQUIRE_TLS: 'true' });
    // the app user's secret names the master secret, which the alternating function uses
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'rotating-database-secret/app-user',
      GenerateSecretString: {
        SecretStringTemplate: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"masterarn":"$'), { Ref: stack.getLogicalId(instance.secret!.node.defaultChild as never) }])] },
      },
    });
  });

  test('deploys on an empty database: the first rotation creates app_user with its declared grants, and each function logs in only to the example database, over verified TLS', () => {
    const { stack, master, appUser, instance } = example();
    const env = (s: RotatingSecret) => stack.resolve((s.rotationFunction.node.defaultChild as lambda.CfnFunction).environment).variables;
    // TLS by default: the example does not ask for it
    expect(readFileSync(path.join(__dirname, '..', '..', 'examples', 'rotating-database-secret.ts'), 'utf8')).not.toMatch(/requireTls/);
    const instanceId = stack.getLogicalId(instance.node.defaultChild as never);
    const endpoint = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [instanceId, 'Endpoint.Address'] }, ':', { 'Fn::GetAtt': [instanceId, 'Endpoint.Port'] }]] };
    for (const secret of [master, appUser]) {
      expect(env(secret)).toMatchObject({ REQUIRE_TLS: 'true', ALLOWED_DATABASE_ENDPOINTS: endpoint });
    }
    expect(env(master).DATABASE_USERS).toBeUndefined();
    const [user] = JSON.parse(env(appUser).DATABASE_USERS);
    expect(user).toEqual({
      username: 'app_user',
      roles: [],
      grants: [
        { privileges: ['CONNECT', 'TEMPORARY'], database: 'app' },
        { privileges: ['USAGE'], schema: 'public' },
        { privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], schema: 'public', table: '*' },
      ],
    });
  });

  test('replicates the app secret to us-west-2 under the replica stack\'s key', () => {
    const { stack, replicaStack } = example();
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      ReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: 'arn:aws:kms:us-west-2:111111111111:alias/rotating-database-secret/replica' }],
    });
    const replicaTemplate = Template.fromStack(replicaStack);
    replicaTemplate.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/rotating-database-secret/replica' });
    replicaTemplate.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('runs a hardened database: encrypted, Multi-AZ, IAM auth, TLS only, deletion protection, backups', () => {
    const template = Template.fromStack(example().stack);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      StorageEncrypted: true, MultiAZ: true, EnableIAMDatabaseAuthentication: true, DeletionProtection: true,
      BackupRetentionPeriod: 14, Port: '5433', PubliclyAccessible: false, MonitoringInterval: 60,
    });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    template.resourceCountIs('AWS::Backup::BackupSelection', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  describe('access', () => {
    const env = example();
    const model = new AccessModel([env.replicaStack, env.stack]);
    const viaSecretsManager = { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' };
    const role = (s: RotatingSecret) => (s.rotationFunction as lambda.Function).role!;

    // The master secret is RDS's: policies name it by the Ref of its SecretTargetAttachment.
    test('the alternating-users function reads the master secret; the app role does not', () => {
      expect(model.check({ principal: role(env.appUser), action: 'secretsmanager:GetSecretValue', resource: env.master.secret })).toBe('Allowed');
      expect(model.check({ principal: role(env.appUser), action: 'secretsmanager:PutSecretValue', resource: env.master.secret })).toBe('ImplicitlyDenied');
      expect(model.check({ principal: env.appRole, action: 'secretsmanager:GetSecretValue', resource: env.master.secret })).not.toBe('Allowed');
    });

    test('the single-user function rotates the master secret', () => {
      expect(model.check({ principal: role(env.master), action: 'secretsmanager:PutSecretValue', resource: env.master.secret })).toBe('Allowed');
      expect(model.check({ principal: role(env.master), action: 'secretsmanager:UpdateSecretVersionStage', resource: env.master.secret })).toBe('Allowed');
    });

    test('the app role reads the app secret', () => {
      expect(model.check({ principal: env.appRole, action: 'secretsmanager:GetSecretValue', resource: env.appUser.secret })).toBe('Allowed');
      expect(model.check({ principal: env.appRole, action: 'kms:Decrypt', resource: env.appUser.encryptionKey!, context: viaSecretsManager })).toBe('Allowed');
      expect(model.check({ principal: env.appRole, action: 'secretsmanager:PutSecretValue', resource: env.appUser.secret })).toBe('ImplicitlyDenied');
    });

    test('the alternating-users function rotates the app secret; the single-user function cannot read it', () => {
      expect(model.check({ principal: role(env.appUser), action: 'secretsmanager:PutSecretValue', resource: env.appUser.secret })).toBe('Allowed');
      expect(model.check({ principal: role(env.appUser), action: 'secretsmanager:GetSecretValue', resource: env.appUser.secret })).toBe('Allowed');
      // the explicit deny names only the app role and the app secret's own rotation function
      expect(model.check({ principal: role(env.master), action: 'secretsmanager:GetSecretValue', resource: env.appUser.secret })).toBe('ExplicitlyDenied');
    });

    test('an administrator of the account can neither read nor delete the app secret', () => {
      const admin = `arn:aws:iam::${env.stack.account}:role/Admin`;
      expect(model.check({ principal: admin, action: 'secretsmanager:GetSecretValue', resource: env.appUser.secret })).toBe('ExplicitlyDenied');
      expect(model.check({ principal: admin, action: 'secretsmanager:DeleteSecret', resource: env.appUser.secret })).toBe('ExplicitlyDenied');
      expect(model.check({ principal: admin, action: 'secretsmanager:DescribeSecret', resource: env.appUser.secret })).toBe('Allowed');
    });

    test('the alternating-users function encrypts with the replica key through Secrets Manager in the replica region, so rotated versions replicate', () => {
      const replicaKey = env.replicaStack.node.findChild('Key') as kms.Key;
      const inReplicaRegion = { 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com', 'kms:ResourceAliases': ['alias/rotating-database-secret/replica'] };
      for (const action of ['kms:Encrypt', 'kms:GenerateDataKey']) {
        expect([action, model.check({ principal: role(env.appUser), action, resource: replicaKey, context: inReplicaRegion })]).toEqual([action, 'Allowed']);
        // only through Secrets Manager, only the key with that alias, only this function
        // Secrets Manager of either region may make the call for it (which one does is not documented)
        expect([action, model.check({ principal: role(env.appUser), action, resource: replicaKey, context: { ...inReplicaRegion, 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } })])
          .toEqual([action, 'Allowed']);
        expect([action, model.check({ principal: role(env.appUser), action, resource: replicaKey, context: { ...inReplicaRegion, 'kms:ViaService': 's3.us-west-2.amazonaws.com' } })])
          .toEqual([action, 'ImplicitlyDenied']);
        expect([action, model.check({ principal: role(env.appUser), action, resource: replicaKey, context: { 'kms:ResourceAliases': ['alias/rotating-database-secret/replica'] } })])
          .toEqual([action, 'ImplicitlyDenied']);
        expect([action, model.check({ principal: role(env.appUser), action, resource: replicaKey, context: { ...inReplicaRegion, 'kms:ResourceAliases': ['alias/other'] } })])
          .toEqual([action, 'ImplicitlyDenied']);
        expect([action, model.check({ principal: role(env.master), action, resource: replicaKey, context: inReplicaRegion })]).toEqual([action, 'ImplicitlyDenied']);
      }
      expect(model.check({ principal: role(env.appUser), action: 'kms:Decrypt', resource: replicaKey, context: inReplicaRegion })).toBe('ImplicitlyDenied');
    });

    test('only Secrets Manager of the account may invoke the rotation functions', () => {
      const fn = env.appUser.rotationFunction;
      const secretArn = `arn:aws:secretsmanager:us-east-1:${env.stack.account}:secret:rotating-database-secret/app-user-AbCdEf`;
      const request = { principal: 'secretsmanager.amazonaws.com', action: 'lambda:InvokeFunction', resource: fn };
      expect(model.check({ ...request, context: { 'aws:SourceAccount': env.stack.account, 'aws:SourceArn': secretArn } })).toBe('Allowed');
      expect(model.check({ ...request, context: { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': secretArn.replace(env.stack.account, '999999999999') } }))
        .toBe('ImplicitlyDenied');
      expect(model.check({ principal: 'lambda.amazonaws.com', action: 'lambda:InvokeFunction', resource: fn })).toBe('ImplicitlyDenied');
    });
  });
});
