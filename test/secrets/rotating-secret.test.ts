import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatabaseTarget, RotatingSecret, RotatingSecretProps, RotationStrategy } from '../../lib/secrets';
import { complianceFindings } from '../support/compliance';
import { databaseStack, newStack, resourcesOfType, rotationFunctions } from './helpers';
import { testApp } from '../support/app';

function buildKey(props: Partial<RotatingSecretProps> = {}, stack: Stack = newStack()) {
  const secret = new RotatingSecret(stack, 'Secret', { rotation: RotationStrategy.randomKey(), ...props });
  return { stack, secret };
}

/** A random-key secret with every default, built once for the tests that only read it. */
let defaultKey: ReturnType<typeof buildKey> | undefined;
const defaults = () => (defaultKey ??= buildKey());

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } } | unknown): string {
  const child = (construct as { node: { defaultChild?: unknown } }).node.defaultChild ?? construct;
  return stack.getLogicalId(child as never);
}

describe('a new secret', () => {
  test('is encrypted with the stack\'s shared customer-managed key with rotation, and both are retained', () => {
    const { stack, secret } = defaults();
    const template = Template.fromStack(stack);
    const keyId = logicalId(stack, secret.encryptionKey);
    expect(secret.encryptionKey!.node.path).toBe('Test/RotatingSecretsKey');
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('shares one key with every secret of the stack that names none, which works through Secrets Manager only', () => {
    const stack = newStack();
    const secrets = Array.from({ length: 3 }, (_, i) => new RotatingSecret(stack, `S${i}`, { rotation: RotationStrategy.randomKey() }));
    const destroyed = new RotatingSecret(stack, 'Destroyed', { rotation: RotationStrategy.randomKey(), removalPolicy: RemovalPolicy.DESTROY });
    expect(new Set([...secrets, destroyed].map((s) => s.encryptionKey)).size).toBe(1);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 2); // the shared key and the rotation function's log key
    // the shared key outlives a secret that is destroyed with the stack
    template.hasResource('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('RotatingSecrets of Test') }, DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'DenyUseExceptThroughSecretsManager',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          Resource: '*',
          Condition: { StringNotEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        }]),
      },
    });
  });

  test('with dedicatedEncryptionKey gets a key of its own, removed with it', () => {
    const stack = newStack();
    const shared = new RotatingSecret(stack, 'Shared', { rotation: RotationStrategy.randomKey() });
    const own = new RotatingSecret(stack, 'Own', { rotation: RotationStrategy.randomKey(), dedicatedEncryptionKey: true, removalPolicy: RemovalPolicy.DESTROY });
    expect(own.encryptionKey).not.toBe(shared.encryptionKey);
    expect(own.encryptionKey!.node.path).toBe('Test/Own/Key');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', { Properties: { Description: 'Encrypts the secret Test/Own', EnableKeyRotation: true }, DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [logicalId(stack, own.encryptionKey), 'Arn'] } });
  });

  test('uses a given key instead of creating one', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'MyKey');
    const { secret } = buildKey({ encryptionKey: key }, stack);
    expect(secret.encryptionKey).toBe(key);
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] } });
    expect(secret.node.tryFindChild('Key')).toBeUndefined();
  });

  test('uses the AWS managed key only when asked', () => {
    const { stack, secret } = buildKey({ awsManagedKey: true });
    expect(secret.encryptionKey).toBeUndefined();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: Match.absent() });
    template.resourcePropertiesCountIs('AWS::KMS::Key', { Description: Match.stringLikeRegexp('Encrypts the secret') }, 0);
  });

  test('is rotated every 30 days by default, immediately on creation', () => {
    const { stack, secret } = defaults();
    expect(secret.scheduleExpression).toBe('rate(30 days)');
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: logicalId(stack, secret.secret) },
      RotationLambdaARN: { 'Fn::GetAtt': [logicalId(stack, secret.rotationFunction), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: true,
    });
  });

  test.each([
    [Duration.hours(4), 'rate(4 hours)'],
    [Duration.hours(23), 'rate(23 hours)'],
    [Duration.hours(24), 'rate(1 day)'],
    [Duration.days(1000), 'rate(1000 days)'],
  ])('turns an interval of %s into %s', (interval, expected) => {
    const { stack } = buildKey({ rotationInterval: interval });
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: expected } });
  });

  test('passes a schedule expression through and can wait for the schedule', () => {
    const { stack } = buildKey({ rotationSchedule: 'cron(0 4 ? * SUN *)', rotateImmediately: false });
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'cron(0 4 ? * SUN *)' },
      RotateImmediatelyOnUpdate: false,
    });
  });

  test('denies deletion to the account in its resource policy', () => {
    const { stack } = defaults();
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      ResourcePolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'DenyDeleteInThisAccount',
          Effect: 'Deny',
          Action: 'secretsmanager:DeleteSecret',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        })]),
      },
    });
  });

  test('with RemovalPolicy.DESTROY is deleted with the stack and does not deny deletion', () => {
    const { stack } = buildKey({ removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });

  test('replicates to other regions, each with its own key where given', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'ReplicaKey', 'arn:aws:kms:eu-west-1:111111111111:alias/replica');
    buildKey({ replicas: [{ region: 'eu-west-1', encryptionKey: key }, { region: 'us-west-2' }] }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      ReplicaRegions: [{ Region: 'eu-west-1', KmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:alias/replica' }, { Region: 'us-west-2' }],
    });
  });

  test('lets the rotation function encrypt with each replica key through Secrets Manager in the replica\'s region', () => {
    const stack = newStack();
    const byArn = kms.Key.fromKeyArn(stack, 'ByArn', 'arn:aws:kms:us-west-2:111111111111:key/11111111-2222-3333-4444-555555555555');
    const byAlias = kms.Key.fromKeyArn(stack, 'ByAlias', 'arn:aws:kms:eu-west-1:111111111111:alias/replica');
    buildKey({ replicas: [{ region: 'us-west-2', encryptionKey: byArn }, { region: 'eu-west-1', encryptionKey: byAlias }, { region: 'eu-central-1' }] }, stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Resource: 'arn:aws:kms:us-west-2:111111111111:key/11111111-2222-3333-4444-555555555555',
            Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com', 'secretsmanager.us-west-2.amazonaws.com'] } },
          },
          {
            // IAM matches encryption against key ARNs: an alias-named key is matched by its alias
            Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*',
            Condition: { 'StringEquals': { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com', 'secretsmanager.eu-west-1.amazonaws.com'] }, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/replica' } },
          },
        ]),
      },
    });
    // the replica under the AWS managed key needs nothing
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.filter((st) => JSON.stringify(st).includes('eu-central-1'))).toEqual([]);
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('counts each replica key\'s statement when filling the function\'s managed policies', () => {
    const stack = newStack();
    // a secret with a replica key of its own takes about 480 characters: 11 fit a policy
    for (let i = 0; i < 12; i++) {
      const key = kms.Key.fromKeyArn(stack, `ReplicaKey${i}`, `arn:aws:kms:us-west-2:111111111111:key/11111111-2222-3333-4444-5555555555${String(i).padStart(2, '0')}`);
      new RotatingSecret(stack, `S${i}`, { rotation: RotationStrategy.randomKey(), awsManagedKey: true, replicas: [{ region: 'us-west-2', encryptionKey: key }] });
    }
    const policies = Object.keys(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy')).filter((id) => id.includes('SecretsPolicy'));
    expect(policies).toHaveLength(2);
  });

  test('names its Parameter Store reference after the secret name', () => {
    const { secret } = buildKey({ secretName: 'my-app/api-key' });
    expect(secret.parameterStoreReferenceName).toBe('/aws/reference/secretsmanager/my-app/api-key');
  });

  test('names its Parameter Store reference after the generated name without the ARN suffix', () => {
    const { stack, secret } = defaults();
    // CloudFormation names the secret `<LogicalIdPrefix>-<random>` and the ARN adds `-XXXXXX`: the name
    // is the first two hyphen-separated parts of the ARN's resource name (its 7th colon-separated field)
    const part = (i: number) => ({ 'Fn::Select': [i, { 'Fn::Split': ['-', { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: logicalId(stack, secret.secret) }] }] }] }] });
    expect(stack.resolve(secret.parameterStoreReferenceName)).toEqual({
      'Fn::Join': ['', ['/aws/reference/secretsmanager/', { 'Fn::Join': ['-', [part(0), part(1)]] }]],
    });
  });

  test('starts a random key as JSON with an apiKey generated with the strategy\'s settings', () => {
    const { stack } = buildKey({ rotation: RotationStrategy.randomKey({ keyLength: 48, excludePunctuation: true }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'apiKey', PasswordLength: 48, ExcludePunctuation: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ROTATION_STRATEGY: 'random-key', PASSWORD_LENGTH: '48', EXCLUDE_PUNCTUATION: 'true' } },
    });
    // no database, no TLS settings
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as any;
    expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('NODE_EXTRA_CA_CERTS');
  });
});

describe('in an environment-agnostic stack', () => {
  test('synthesizes with the account and region as pseudo parameters', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    new RotatingSecret(stack, 'Secret', { rotation: RotationStrategy.randomKey(), replicas: [{ region: 'eu-west-1' }] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Permission', { SourceAccount: { Ref: 'AWS::AccountId' } });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { ReplicaRegions: [{ Region: 'eu-west-1' }] });
  });
});

describe('a database secret', () => {
  test('holds engine, host, port, username, dbname and masterarn, and generates the password like the rotation does', () => {
    const { stack, vpc, instance } = databaseStack();
    new RotatingSecret(stack, 'App', {
      rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: instance.secret!, passwordLength: 40, excludeCharacters: '"@/' }),
      database: DatabaseTarget.instance(instance),
      vpc,
      username: 'app',
      databaseName: 'orders',
    });
    const template = Template.fromStack(stack);
    const instanceId = logicalId(stack, instance);
    const attachmentId = stack.getLogicalId(instance.secret!.node.defaultChild as never);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        GenerateStringKey: 'password',
        PasswordLength: 40,
        ExcludeCharacters: '"@/',
        SecretStringTemplate: {
          'Fn::Join': ['', [
            '{"engine":"postgres","host":"', { 'Fn::GetAtt': [instanceId, 'Endpoint.Address'] },
            '","port":', { 'Fn::GetAtt': [instanceId, 'Endpoint.Port'] },
            ',"username":"app","dbname":"orders","masterarn":"', { Ref: attachmentId }, '"}',
          ]],
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          ROTATION_STRATEGY: 'postgres-alternating-users', PASSWORD_LENGTH: '40', EXCLUDE_CHARACTERS: '"@/', EXCLUDE_PUNCTUATION: 'false', REQUIRE_TLS: 'true',
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        },
      },
    });
  });

  test('rotates an existing secret such as the master secret RDS creates', () => {
    const { stack, vpc, instance } = databaseStack();
    const master = new RotatingSecret(stack, 'Master', {
      existingSecret: instance.secret!,
      rotation: RotationStrategy.postgresSingleUser({ requireTls: true }),
      database: DatabaseTarget.instance(instance),
      vpc,
    });
    const template = Template.fromStack(stack);
    // only the secret RDS created
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(master.secret).toBe(instance.secret);
    expect(master.encryptionKey).toBe(instance.secret!.encryptionKey);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: { Ref: stack.getLogicalId(instance.secret!.node.defaultChild as never) } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { REQUIRE_TLS: 'true', ROTATION_STRATEGY: 'postgres-single-user' } } });
  });

  test('writes the resource policy of an imported secret itself', () => {
    const stack = newStack();
    const existing = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Existing', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:imported-AbCdEf');
    new RotatingSecret(stack, 'Secret', { existingSecret: existing, rotation: RotationStrategy.randomKey() });
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      SecretId: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:imported-AbCdEf',
      ResourcePolicy: { Statement: [Match.objectLike({ Sid: 'DenyDeleteInThisAccount' })] },
    });
  });

  test('lets the rotation function into the database on its port, and nothing else out but Secrets Manager', () => {
    const { stack, vpc, instance } = databaseStack();
    const secret = new RotatingSecret(stack, 'App', {
      rotation: RotationStrategy.postgresSingleUser(),
      database: DatabaseTarget.instance(instance),
      vpc,
      username: 'app',
    });
    const template = Template.fromStack(stack);
    const fnSg = stack.getLogicalId(secret.rotationFunction.connections.securityGroups[0].node.defaultChild as never);
    const dbSg = stack.getLogicalId(instance.connections.securityGroups[0].node.defaultChild as never);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [dbSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [fnSg, 'GroupId'] },
      // the engine's default port, which the instance uses (a concrete port lets compliance tools check the rule)
      FromPort: 5432,
      ToPort: 5432,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('postgres-single-user rotation function'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'Secrets Manager API over HTTPS' }],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [fnSg, 'GroupId'] }], SubnetIds: Match.anyValue() },
    });
    // the interface endpoint is optional and off by default
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('connects to a cluster\'s writer endpoint', () => {
    const { stack, vpc } = databaseStack();
    const cluster = new rds.DatabaseCluster(stack, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    const secret = new RotatingSecret(stack, 'OnCluster', { rotation: RotationStrategy.postgresSingleUser(), database: DatabaseTarget.cluster(cluster), vpc, username: 'app' });
    const template = Template.fromStack(stack);
    const clusterId = stack.getLogicalId(cluster.node.defaultChild as never);
    const fnSg = stack.getLogicalId(secret.rotationFunction.connections.securityGroups[0].node.defaultChild as never);
    const clusterSg = stack.getLogicalId(cluster.connections.securityGroups[0].node.defaultChild as never);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      GroupId: { 'Fn::GetAtt': [clusterSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [fnSg, 'GroupId'] },
      FromPort: 5432,
      ToPort: 5432,
    });
    // the only way into the cluster from the function, and no other source gets in through this construct
    const intoCluster = Object.values(resourcesOfType(template.toJSON(), 'AWS::EC2::SecurityGroupIngress'))
      .filter((r) => JSON.stringify(r.Properties.GroupId).includes(clusterSg));
    expect(intoCluster.map((r) => r.Properties.SourceSecurityGroupId)).toEqual([{ 'Fn::GetAtt': [fnSg, 'GroupId'] }]);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: { 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [clusterId, 'Endpoint.Address'] }, { 'Fn::GetAtt': [clusterId, 'Endpoint.Port'] }])] },
      },
    });
  });

  test('connects to a database on EC2', () => {
    const { stack, vpc, instance } = databaseStack();
    const sg = new ec2.SecurityGroup(stack, 'Ec2DbSg', { vpc });
    const secret = new RotatingSecret(stack, 'OnEc2', {
      rotation: RotationStrategy.mysqlSingleUser(),
      database: DatabaseTarget.connectable(sg, { host: 'db.internal', port: 3307 }),
      vpc,
      username: 'app',
    });
    expect(instance).toBeDefined();
    const template = Template.fromStack(stack);
    const fnSg = stack.getLogicalId(secret.rotationFunction.connections.securityGroups[0].node.defaultChild as never);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      GroupId: { 'Fn::GetAtt': [stack.getLogicalId(sg.node.defaultChild as never), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [fnSg, 'GroupId'] },
      FromPort: 3307,
      ToPort: 3307,
    });
    // and the function may leave towards the database on that port only (egress rule on its own group)
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [fnSg, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(sg.node.defaultChild as never), 'GroupId'] },
      FromPort: 3307,
      ToPort: 3307,
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: '{"engine":"mysql","host":"db.internal","port":3307,"username":"app"}' },
    });
  });

  test('creates one Secrets Manager endpoint per VPC, open to the VPC\'s workloads, and exposes it', () => {
    const { stack, vpc, instance } = databaseStack();
    const common = { database: DatabaseTarget.instance(instance), vpc, secretsManagerEndpoint: true };
    const master = new RotatingSecret(stack, 'Master', { ...common, existingSecret: instance.secret!, rotation: RotationStrategy.postgresSingleUser() });
    const app = new RotatingSecret(stack, 'App', { ...common, username: 'app', rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: instance.secret! }) });
    expect(app.secretsManagerEndpoint).toBeDefined();
    expect(master.secretsManagerEndpoint).toBe(app.secretsManagerEndpoint);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    expect(Object.keys(rotationFunctions(template))).toHaveLength(2);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.secretsmanager', PrivateDnsEnabled: true, VpcEndpointType: 'Interface' });
    // private DNS sends every client of the VPC to the endpoint: its group admits HTTPS from the VPC's range
    const vpcCidr = { 'Fn::GetAtt': [stack.getLogicalId(vpc.node.defaultChild as never), 'CidrBlock'] };
    const endpointSg = template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('SecretsManagerEndpoint') } });
    expect(Object.values(endpointSg).map((r) => r.Properties.SecurityGroupIngress)).toEqual([[
      expect.objectContaining({ CidrIp: vpcCidr, FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]]);
    const ingress = Object.values(resourcesOfType(template.toJSON(), 'AWS::EC2::SecurityGroupIngress')).filter((r) => r.Properties.FromPort === 443);
    expect(ingress).toHaveLength(0);
    // the function's only way out besides the database is HTTPS inside the VPC, inline so that EC2's
    // allow-all default egress rule is replaced
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('postgres-alternating-users'),
      SecurityGroupEgress: [{
        CidrIp: vpcCidr,
        FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'Secrets Manager API through the interface endpoint',
      }],
    });
    expect(app.rotationFunction.connections.securityGroups).toHaveLength(1);
  });

  test('waits to rotate until the function, its permissions, the network and the database exist', () => {
    const { stack, vpc, instance } = databaseStack();
    const secret = new RotatingSecret(stack, 'App', {
      rotation: RotationStrategy.postgresSingleUser(), database: DatabaseTarget.instance(instance), vpc, username: 'app', secretsManagerEndpoint: true,
    });
    const resources = Template.fromStack(stack).toJSON().Resources;
    const dependsOn: string[] = resources[logicalId(stack, secret.rotationSchedule)].DependsOn;
    const types = dependsOn.map((id) => resources[id].Type);
    expect(types).toEqual(expect.arrayContaining([
      'AWS::IAM::ManagedPolicy', 'AWS::Lambda::Permission', 'AWS::RDS::DBInstance', 'AWS::EC2::VPCEndpoint', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroup',
    ]));
  });
});

describe('a custom strategy', () => {
  test('rotates with the given function, lets Secrets Manager of this account invoke it, and grants its role the secret', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'MyRotation', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    const secret = new RotatingSecret(stack, 'Secret', { rotation: RotationStrategy.custom(fn) });
    expect(secret.rotationFunction).toBe(fn);
    const template = Template.fromStack(stack);
    // the caller's function, and no rotation engine function of the library
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(Object.keys(rotationFunctions(template))).toHaveLength(0);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [logicalId(stack, fn), 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: '111111111111',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
          Resource: { Ref: logicalId(stack, secret.secret) },
        })]),
      },
    });
    // the first rotation waits for the function's permissions
    const resources = template.toJSON().Resources;
    const dependsOn: string[] = resources[logicalId(stack, secret.rotationSchedule)].DependsOn;
    expect(dependsOn.map((d) => resources[d].Type).sort()).toEqual(['AWS::IAM::Policy', 'AWS::Lambda::Permission']);
    // a plain random string: the secret's format is the custom function's business
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { SecretStringTemplate: Match.absent(), PasswordLength: 32 } });
  });
});

describe('a database strategy outside a VPC', () => {
  test('is not acknowledged as VPC-free and warns that it reaches only public databases', () => {
    const stack = newStack();
    const existing = new secretsmanager.Secret(stack, 'Existing', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    const secret = new RotatingSecret(stack, 'Secret', { existingSecret: existing, rotation: RotationStrategy.mysqlSingleUser() });
    const fnPath = `/${secret.rotationFunction.node.scope!.node.path}`;
    Annotations.fromStack(stack).hasWarning(fnPath, Match.stringLikeRegexp('mysql-single-user rotation function runs outside a VPC, so it reaches only databases with public endpoints'));
    const findings = complianceFindings(stack).filter((f) => f.path.startsWith(fnPath.slice(1)));
    for (const tool of ['cdk-nag 2', 'cdk-nag 3']) {
      expect(findings.filter((f) => f.tool === tool).map((f) => f.rule))
        .toEqual(expect.arrayContaining(['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC']));
    }
    expect(findings.filter((f) => f.tool === 'cfn-guard').map((f) => f.rule)).toContain('lambda_inside_vpc_check');
  });
});

describe('a custom strategy with replicas', () => {
  test('lets the custom function encrypt with the replica keys through Secrets Manager in their regions', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'MyRotation', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    const replicaKey = kms.Key.fromKeyArn(stack, 'ReplicaKey', 'arn:aws:kms:us-west-2:111111111111:key/11111111-2222-3333-4444-555555555555');
    new RotatingSecret(stack, 'Secret', { rotation: RotationStrategy.custom(fn), replicas: [{ region: 'us-west-2', encryptionKey: replicaKey }] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(stack, fn.role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Resource: 'arn:aws:kms:us-west-2:111111111111:key/11111111-2222-3333-4444-555555555555',
          Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com', 'secretsmanager.us-west-2.amazonaws.com'] } },
        }]),
      },
    });
  });
});

describe('an imported secret', () => {
  test('known by partial ARN is named with the -?????? suffix, acknowledged as one secret, with zero findings', () => {
    const stack = newStack();
    const existing = secretsmanager.Secret.fromSecretPartialArn(stack, 'Existing', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:team/api-key');
    new RotatingSecret(stack, 'Secret', { existingSecret: existing, rotation: RotationStrategy.randomKey() });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:team/api-key-??????' })] },
    });
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('rotated by a custom function imported with its role keeps that role readable under denyReadExcept', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'FnRole', 'arn:aws:iam::111111111111:role/rotator');
    const fn = lambda.Function.fromFunctionAttributes(stack, 'Fn', { functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:rotate', role, sameEnvironment: true });
    const secret = new RotatingSecret(stack, 'Secret', { rotation: RotationStrategy.custom(fn) });
    secret.denyReadExcept([]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      ResourcePolicy: { Statement: Match.arrayWith([Match.objectLike({ Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/rotator'] } } })]) },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: 'arn:aws:lambda:us-east-1:111111111111:function:rotate', SourceAccount: '111111111111' });
  });
});

describe('resource policy and grants', () => {
  test('grantRead lets a role read the secret and decrypt through Secrets Manager', () => {
    const { stack, secret } = buildKey();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    secret.grantRead(role);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(stack, role) }],
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: { Ref: logicalId(stack, secret.secret) } }]) },
    });
    // the role decrypts through Secrets Manager only, and only this secret's values (encryption context)
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(stack, role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: { 'Fn::GetAtt': [logicalId(stack, secret.encryptionKey), 'Arn'] },
          Condition: {
            StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
            StringLike: { 'kms:EncryptionContext:SecretARN': { Ref: logicalId(stack, secret.secret) } },
          },
        }]),
      },
    });
  });

  test('grantCrossAccountRead opens the secret and its key to the account, the key through Secrets Manager only', () => {
    const { stack, secret } = buildKey({ dedicatedEncryptionKey: true });
    secret.grantCrossAccountRead('222222222222');
    const template = Template.fromStack(stack);
    const account = { AWS: 'arn:aws:iam::222222222222:root' };
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      ResourcePolicy: { Statement: Match.arrayWith([{ Sid: 'ReadFromAccount222222222222', Effect: 'Allow', Principal: account, Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: '*' }]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'DecryptSecretFor222222222222', Effect: 'Allow', Principal: account, Action: 'kms:Decrypt', Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        }]),
      },
    });
  });

  test('grantCrossAccountRead on the shared key names a named secret in the encryption context, one statement per secret', () => {
    const stack = newStack();
    const named = new RotatingSecret(stack, 'Named', { rotation: RotationStrategy.randomKey(), secretName: 'app/key' });
    const unnamed = new RotatingSecret(stack, 'Unnamed', { rotation: RotationStrategy.randomKey() });
    named.grantCrossAccountRead('222222222222');
    unnamed.grantCrossAccountRead('222222222222');
    const statements = Template.fromStack(stack).toJSON().Resources[logicalId(stack, named.encryptionKey)].Properties.KeyPolicy.Statement
      .filter((st: { Principal?: { AWS?: string } }) => st.Principal?.AWS === 'arn:aws:iam::222222222222:root');
    expect(statements).toHaveLength(2);
    expect(new Set(statements.map((st: { Sid: string }) => st.Sid)).size).toBe(2);
    expect(statements.map((st: { Condition: unknown }) => st.Condition)).toEqual(expect.arrayContaining([
      {
        StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:SecretARN': 'arn:aws:secretsmanager:us-east-1:111111111111:secret:app/key-??????' },
      },
      // a generated name is not known when the key's policy is written: the secret's resource policy is the gate
      { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    ]));
  });

  test('grantCrossAccountRead warns when the key\'s policy is managed elsewhere', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555');
    const { secret } = buildKey({ encryptionKey: key }, stack);
    secret.grantCrossAccountRead('222222222222');
    Annotations.fromStack(stack).hasWarning('/Test/Secret', Match.stringLikeRegexp('let account 222222222222 use kms:Decrypt'));
  });

  test('denyReadExcept denies GetSecretValue to all but the named roles, the rotation role and cross-account readers', () => {
    const { stack, secret } = buildKey();
    const app = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    secret.denyReadExcept([app]);
    secret.grantCrossAccountRead('222222222222');
    const rotationRole = (secret.rotationFunction as lambda.Function).role!;
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      ResourcePolicy: {
        Statement: Match.arrayWith([{
          Sid: 'DenyReadExceptNamedPrincipals',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'secretsmanager:GetSecretValue',
          Resource: '*',
          Condition: {
            ArnNotLike: {
              'aws:PrincipalArn': [
                { 'Fn::GetAtt': [logicalId(stack, rotationRole), 'Arn'] },
                { 'Fn::GetAtt': [logicalId(stack, app), 'Arn'] },
                'arn:aws:iam::222222222222:*',
              ],
            },
          },
        }]),
      },
    });
  });

  test('grantRead warns when denyReadExcept does not name the role', () => {
    const { stack, secret } = buildKey();
    const named = new iam.Role(stack, 'Named', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    secret.denyReadExcept([named]);
    secret.grantRead(named);
    Annotations.fromStack(stack).hasNoWarning('/Test/Secret', Match.stringLikeRegexp('grantRead'));
    secret.grantRead(other);
    Annotations.fromStack(stack).hasWarning('/Test/Secret', Match.stringLikeRegexp('grantRead\\(Test/Other\\) has no effect while denyReadExcept does not name that role'));
  });
});

describe('first rotations of a master and its alternating users', () => {
  test.each([['master first'], ['users first']])('the app user\'s schedule waits for the master\'s (%s)', (order) => {
    const { stack, vpc, instance } = databaseStack();
    const common = { database: DatabaseTarget.instance(instance), vpc };
    const declareMaster = () => new RotatingSecret(stack, 'Master', { ...common, existingSecret: instance.secret!, rotation: RotationStrategy.postgresSingleUser() });
    const declareUser = () => new RotatingSecret(stack, 'App', { ...common, username: 'app', rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: instance.secret! }) });
    const [master, user] = order === 'master first' ? [declareMaster(), declareUser()] : (() => { const u = declareUser(); return [declareMaster(), u]; })();
    const resources = Template.fromStack(stack).toJSON().Resources;
    expect(resources[logicalId(stack, user.rotationSchedule)].DependsOn).toContain(logicalId(stack, master.rotationSchedule));
    expect(resources[logicalId(stack, master.rotationSchedule)].DependsOn).not.toContain(logicalId(stack, user.rotationSchedule));
  });
});
