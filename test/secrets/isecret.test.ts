import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RotatingSecret, RotationStrategy } from '../../lib/secrets';
import { AccessModel } from '../support/access-model';
import { FLAG_SETS, testStack } from '../support/app';

const viaSecretsManager = { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' };

/** Anything typed `ISecret`, as CDK's own APIs are. */
function arnOfAnySecret(secret: secretsmanager.ISecret): string {
  return secret.secretArn;
}

/** A Fargate task definition whose container gets `apiKey` of the secret through `secrets:`. */
function taskWithSecret(stack: Stack, id: string, secret: secretsmanager.ISecret): ecs.FargateTaskDefinition {
  const taskDefinition = new ecs.FargateTaskDefinition(stack, id);
  taskDefinition.addContainer('App', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:latest'),
    secrets: { API_KEY: ecs.Secret.fromSecretsManager(secret, 'apiKey') },
  });
  return taskDefinition;
}

describe.each(FLAG_SETS)('RotatingSecret as a secretsmanager.ISecret (%s feature flags)', (featureFlags) => {
  const build = () => {
    const stack = testStack('Test', { featureFlags });
    const secret = new RotatingSecret(stack, 'ApiKey', { rotation: RotationStrategy.randomKey() });
    return { stack, secret };
  };
  const logicalId = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId((c.node.defaultChild ?? c) as never);

  test('delegates its ARN, name and values to the secret it holds', () => {
    const { stack, secret } = build();
    expect(arnOfAnySecret(secret)).toBe(secret.secret.secretArn);
    expect(secret.secretFullArn).toBe(secret.secret.secretFullArn);
    expect(secret.secretName).toBe(secret.secret.secretName);
    expect(secret.secretRef).toEqual(secret.secret.secretRef);
    expect(stack.resolve(secret.secretValueFromJson('apiKey').unsafeUnwrap())).toEqual(stack.resolve(secret.secret.secretValueFromJson('apiKey').unsafeUnwrap()));
    expect(stack.resolve(secret.secretValueFromJson('apiKey').unsafeUnwrap())).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: logicalId(stack, secret.secret as secretsmanager.Secret) }, ':SecretString:apiKey::}}']],
    });
    expect(secret.env).toEqual({ account: '111111111111', region: 'us-east-1' });
  });

  test('goes into a container\'s secrets: ECS reads it with the execution role, which may decrypt this secret only', () => {
    const { stack, secret } = build();
    const taskDefinition = taskWithSecret(stack, 'Task', secret);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Secrets: [{ Name: 'API_KEY', ValueFrom: { 'Fn::Join': ['', [{ Ref: logicalId(stack, secret.secret as secretsmanager.Secret) }, ':apiKey::']] } }],
      })],
    });
    const model = new AccessModel([stack]);
    const executionRole = taskDefinition.executionRole!;
    expect(model.check({ principal: executionRole, action: 'secretsmanager:GetSecretValue', resource: secret.secret })).toBe('Allowed');
    const context = { ...viaSecretsManager, 'kms:EncryptionContext:SecretARN': model.arnOf(secret.secret) };
    expect(model.check({ principal: executionRole, action: 'kms:Decrypt', resource: secret.encryptionKey!, context })).toBe('Allowed');
    // the task role (what the containers run as) gets nothing
    expect(model.check({ principal: taskDefinition.taskRole, action: 'secretsmanager:GetSecretValue', resource: secret.secret })).toBe('ImplicitlyDenied');
  });

  test('a Lambda function granted read reads it, and no other secret under the shared key', () => {
    const { stack, secret } = build();
    const other = new RotatingSecret(stack, 'Other', { rotation: RotationStrategy.randomKey() });
    const fn = new lambda.Function(stack, 'Reader', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
      environment: { SECRET_ARN: secret.secretArn },
    });
    secret.grantRead(fn);
    const model = new AccessModel([stack]);
    expect(model.check({ principal: fn, action: 'secretsmanager:GetSecretValue', resource: secret.secret })).toBe('Allowed');
    expect(model.check({ principal: fn, action: 'secretsmanager:GetSecretValue', resource: other.secret })).toBe('ImplicitlyDenied');
    expect(secret.encryptionKey).toBe(other.encryptionKey);
    expect(model.check({ principal: fn, action: 'kms:Decrypt', resource: other.encryptionKey!, context: { ...viaSecretsManager, 'kms:EncryptionContext:SecretARN': model.arnOf(other.secret) } }))
      .toBe('ImplicitlyDenied');
  });

  test('serves as an RDS instance\'s credentials', () => {
    const stack = testStack('Db', { featureFlags });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const master = new RotatingSecret(stack, 'Master', {
      existingSecret: new secretsmanager.Secret(stack, 'MasterSecret', { generateSecretString: { secretStringTemplate: '{"username":"admin"}', generateStringKey: 'password' } }),
      rotation: RotationStrategy.postgresSingleUser(),
    });
    const instance = new rds.DatabaseInstance(stack, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      credentials: rds.Credentials.fromSecret(master),
    });
    expect(instance.secret).toBeDefined();
    const template = Template.fromStack(stack);
    // RDS attaches the instance to the secret (host, port, engine) and takes its password from it
    template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
      SecretId: { Ref: logicalId(stack, master.secret as secretsmanager.Secret) },
      TargetType: 'AWS::RDS::DBInstance',
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      MasterUserPassword: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: logicalId(stack, master.secret as secretsmanager.Secret) }, ':SecretString:password::}}']] },
    });
  });

  test('grantRead with versionStages limits the grant to those stages', () => {
    const { stack, secret } = build();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    secret.grantRead(role, ['AWSCURRENT']);
    const model = new AccessModel([stack]);
    expect(model.check({ principal: role, action: 'secretsmanager:GetSecretValue', resource: secret.secret, context: { 'secretsmanager:VersionStage': 'AWSCURRENT' } })).toBe('Allowed');
    expect(model.check({ principal: role, action: 'secretsmanager:GetSecretValue', resource: secret.secret, context: { 'secretsmanager:VersionStage': 'AWSPENDING' } })).toBe('ImplicitlyDenied');
  });

  test('grantWrite lets a role put new values, and not read them', () => {
    const { stack, secret } = build();
    const role = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    secret.grantWrite(role);
    const model = new AccessModel([stack]);
    expect(model.check({ principal: role, action: 'secretsmanager:PutSecretValue', resource: secret.secret })).toBe('Allowed');
    expect(model.check({ principal: role, action: 'secretsmanager:GetSecretValue', resource: secret.secret })).toBe('ImplicitlyDenied');
  });

  test('exposes the rotation role, which the read deny always spares', () => {
    const { stack, secret } = build();
    expect(secret.rotationRole).toBe((secret.rotationFunction as lambda.Function).role);
    secret.denyReadExcept([]);
    const model = new AccessModel([stack]);
    expect(model.check({ principal: secret.rotationRole!, action: 'secretsmanager:GetSecretValue', resource: secret.secret })).toBe('Allowed');
    expect(model.check({ principal: `arn:aws:iam::111111111111:role/Admin`, action: 'secretsmanager:GetSecretValue', resource: secret.secret })).toBe('ExplicitlyDenied');
  });

  test('fails when given a second rotation schedule', () => {
    const { secret } = build();
    expect(() => secret.addRotationSchedule('Again', { hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser() }))
      .toThrow('RotatingSecret Test/ApiKey: addRotationSchedule(Again) would give the secret a second rotation schedule, got one already (rate(30 days) with random-key rotation); '
        + 'a secret has one schedule, so change rotation, rotationInterval or rotationSchedule instead');
  });

  test('denyAccountRootDelete writes the deny once', () => {
    const { stack, secret } = build();
    secret.denyAccountRootDelete();
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::SecretsManager::ResourcePolicy'))[0];
    expect(policy.Properties.ResourcePolicy.Statement.filter((s: { Sid?: string }) => s.Sid === 'DenyDeleteInThisAccount')).toHaveLength(1);
  });
});

describe('denyReadExcept and the grants made through RotatingSecret', () => {
  const build = () => {
    const stack = testStack();
    const secret = new RotatingSecret(stack, 'ApiKey', { rotation: RotationStrategy.randomKey() });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    return { stack, secret, role };
  };

  test('warns about a role given to grantRead that the deny does not name, granted before or after the deny', () => {
    const before = build();
    before.secret.grantRead(before.role);
    before.secret.denyReadExcept([]);
    Annotations.fromStack(before.stack).hasWarning('/Test/ApiKey', Match.stringLikeRegexp('grantRead\\(Test/Reader\\) has no effect while denyReadExcept does not name that role'));
    const after = build();
    after.secret.denyReadExcept([]);
    after.secret.grantRead(after.role);
    Annotations.fromStack(after.stack).hasWarning('/Test/ApiKey', Match.stringLikeRegexp('grantRead\\(Test/Reader\\) has no effect'));
  });

  test('does not warn about a role it names', () => {
    const { stack, secret, role } = build();
    secret.grantRead(role);
    secret.denyReadExcept([role]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('has no effect while denyReadExcept'));
  });
});

describe('denyReadExcept and ECS', () => {
  /** A secret in a container's `secrets:`, given to ECS as `viaWrapper` (the RotatingSecret) or its inner `.secret`. */
  const build = (viaWrapper: boolean) => {
    const stack = testStack();
    const secret = new RotatingSecret(stack, 'ApiKey', { rotation: RotationStrategy.randomKey() });
    const taskDefinition = taskWithSecret(stack, 'Task', viaWrapper ? secret : secret.secret);
    return { stack, secret, taskDefinition };
  };
  const ecsWarning = Match.stringLikeRegexp('ECS injects this secret into the containers of Test/Task \\(secrets:\\) with the task execution role Test/Task/ExecutionRole, '
    + 'which denyReadExcept does not name, so its tasks fail to start; add taskDefinition.executionRole to denyReadExcept');

  test.each([[true], [false]])('warns that the task execution role must be named (secret given to ECS through the RotatingSecret: %s)', (viaWrapper) => {
    const { stack, secret, taskDefinition } = build(viaWrapper);
    // the usual mistake: the task role is named, not the execution role ECS reads secrets with
    secret.denyReadExcept([taskDefinition.taskRole]);
    Annotations.fromStack(stack).hasWarning('/Test/ApiKey', ecsWarning);
    // not also the generic grantRead warning for the same role
    Annotations.fromStack(stack).hasNoWarning('/Test/ApiKey', Match.stringLikeRegexp('grantRead\\(Test/Task/ExecutionRole\\)'));
  });

  test('does not warn once the execution role is named, and then only the named roles read', () => {
    const { stack, secret, taskDefinition } = build(true);
    const other = new ecs.FargateTaskDefinition(stack, 'OtherTask');
    other.addToExecutionRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    secret.denyReadExcept([taskDefinition.obtainExecutionRole()]);
    Annotations.fromStack(stack).hasNoWarning('*', ecsWarning);
    const model = new AccessModel([stack]);
    expect(model.check({ principal: taskDefinition.executionRole!, action: 'secretsmanager:GetSecretValue', resource: secret.secret })).toBe('Allowed');
    expect(model.check({ principal: other.executionRole!, action: 'secretsmanager:GetSecretValue', resource: secret.secret })).toBe('ExplicitlyDenied');
  });

  test('does not warn without a read deny', () => {
    const { stack } = build(true);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('ECS injects'));
  });
});

describe('denyReadExcept and grants made around RotatingSecret', () => {
  test('warns about a role granted through the inner secret (rs.secret.grantRead), which the deny does not name', () => {
    const stack = testStack();
    const secret = new RotatingSecret(stack, 'ApiKey', { rotation: RotationStrategy.randomKey() });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    secret.secret.grantRead(role);
    secret.denyReadExcept([]);
    Annotations.fromStack(stack).hasWarning('/Test/ApiKey', Match.stringLikeRegexp('grantRead\\(Test/Reader\\) has no effect while denyReadExcept does not name that role'));
    // the rotation function's role reads it too, and is always spared: no warning for it
    Annotations.fromStack(stack).hasNoWarning('/Test/ApiKey', Match.stringLikeRegexp('SecretRotation'));
  });
});
