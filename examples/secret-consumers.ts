import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Acknowledgements, RotatingSecret, RotationStrategy, SecureKey } from '../lib';
import { Example } from './example';
import { vpcFlowLogs } from './vpc-flow-logs';

const REGION = 'us-east-1';

/**
 * The function's code: reads the key through the Parameters and Secrets Lambda Extension, which
 * caches it for SECRETS_MANAGER_TTL, so a warm function calls Secrets Manager at most once per TTL.
 */
const READER_CODE = `
exports.handler = async () => {
  const url = 'http://localhost:' + process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT
    + '/secretsmanager/get?secretId=' + encodeURIComponent(process.env.SECRET_ARN);
  const response = await fetch(url, { headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN } });
  if (!response.ok) throw new Error('the extension answered ' + response.status);
  const { SecretString, VersionId } = await response.json();
  // use JSON.parse(SecretString).apiKey; never log it
  return { keyLength: JSON.parse(SecretString).apiKey.length, versionId: VersionId };
};
`;

/**
 * A rotated API key consumed the way teams do: a Fargate service gets it as an environment variable
 * through `secrets:` (ECS reads it with the task execution role when a task starts), and a Lambda
 * function reads it at run time through the Parameters and Secrets Lambda Extension, which caches
 * it. Only those two roles and the rotation function may read the value (`denyReadExcept`).
 *
 * Deploy with `cdk deploy -c account=123456789012 SecretConsumers`.
 */
export const secretConsumers: Example = {
  name: 'secret-consumers',
  description: 'A rotated key read by an ECS Fargate service (secrets:) and a Lambda function through the caching extension',
  build(scope: Construct) {
    const account = String(scope.node.tryGetContext('account') ?? '111111111111');
    const stack = new Stack(scope, 'SecretConsumers', {
      env: { account, region: REGION },
      description: 'cdk-security-patterns secret-consumers example: a rotated key read by ECS and Lambda',
    });

    // Named zones, not a lookup, so synth needs no credentials. Private subnets with a NAT gateway:
    // the container image comes from public.ecr.aws, which has no VPC endpoint.
    const zones = [`${REGION}a`, `${REGION}b`];
    const zonesKey = `availability-zones:account=${account}:region=${REGION}`;
    if (stack.node.tryGetContext(zonesKey) === undefined) stack.node.setContext(zonesKey, zones);
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: zones,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
      restrictDefaultSecurityGroup: true,
    });
    vpcFlowLogs(stack, vpc, 'Encrypts the VPC flow logs');
    for (const subnet of vpc.publicSubnets) {
      Acknowledgements.of(subnet.node.findChild('DefaultRoute')).add(...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-VPCNoUnrestrictedRouteToIGW`,
        reason: 'the public subnets hold only the NAT gateway, which needs this route to reach public.ecr.aws for the image; '
          + 'they launch nothing with a public address and the service and the function run in the private subnets',
      })));
    }
    Acknowledgements.of(stack.node.findChild('Custom::VpcRestrictDefaultSGCustomResourceProvider').node.findChild('Handler')).add({
      id: 'lambda_inside_vpc_check',
      reason: 'CDK\'s own deploy-time function that closes the VPC\'s default security group; it calls only the EC2 API and serves no traffic',
    });

    const apiKey = new RotatingSecret(stack, 'ApiKey', {
      secretName: 'secret-consumers/api-key',
      description: 'The API key the service and the function use',
      rotation: RotationStrategy.randomKey(),
      rotationInterval: Duration.days(30),
      vpc,
    });

    // ECS: the execution role reads the secret when a task starts and hands the value to the
    // container as API_KEY; the task role, which the container runs as, gets no access to it.
    const logKey = new SecureKey(stack, 'LogKey', { description: 'Encrypts the logs of the service and the function' });
    logKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${account}:log-group:*` } },
    }));
    const logGroup = (id: string) => new logs.LogGroup(stack, id, {
      retention: logs.RetentionDays.ONE_YEAR, encryptionKey: logKey, removalPolicy: RemovalPolicy.RETAIN,
    });

    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('App', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
      command: ['sh', '-c', 'while true; do test -n "$API_KEY" && echo key present; sleep 3600; done'],
      secrets: { API_KEY: ecs.Secret.fromSecretsManager(apiKey, 'apiKey') },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app', logGroup: logGroup('ServiceLogs') }),
      readonlyRootFilesystem: true,
      user: '1000',
      memoryLimitMiB: 512,
    });
    Acknowledgements.of(taskDefinition.obtainExecutionRole().node.findChild('DefaultPolicy')).add(...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({
      id: `${pack}-IAMNoInlinePolicy`,
      reason: 'CDK\'s ECS writes the execution role\'s policy as the containers are added (image pull, the log group, and reading this one secret for secrets:), '
        + 'each statement scoped to its resource; the role serves only this task definition',
    })));
    new ecs.FargateService(stack, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: 1,
      // a redeploy (e.g. forceNewDeployment after a rotation) starts new tasks before stopping old ones,
      // and rolls back if they cannot start (a task that cannot read the secret fails to start)
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });

    // Lambda: reads the key at run time through the extension's cache (5 minutes here).
    const reader = new lambda.Function(stack, 'Reader', {
      description: 'Reads the API key through the Parameters and Secrets Lambda Extension',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(READER_CODE),
      timeout: Duration.seconds(10),
      environment: { SECRET_ARN: apiKey.secretArn },
      paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
        cacheSize: 10,
        secretsManagerTtl: Duration.minutes(5),
      }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      logGroup: logGroup('ReaderLogs'),
      reservedConcurrentExecutions: 5,
    });
    // a customer-managed policy rather than grantRead's inline one (NIST/HIPAA/PCI IAMNoInlinePolicy)
    new iam.ManagedPolicy(stack, 'ReaderPolicy', {
      roles: [reader.role!],
      description: 'Read the API key',
      statements: [
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [apiKey.secretArn] }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [apiKey.encryptionKey!.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } },
        }),
      ],
    });
    Acknowledgements.of(reader.role!).add({
      id: 'AwsSolutions-IAM4',
      reason: 'AWSLambdaBasicExecutionRole and AWSLambdaVPCAccessExecutionRole are the AWS-maintained policies Lambda documents for writing logs and attaching to a VPC',
      appliesTo: ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole']
        .map((name) => `Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}`),
    });
    Acknowledgements.of(reader).add(...['NIST.800.53.R5', 'HIPAA.Security'].map((pack) => ({
      id: `${pack}-LambdaDLQ`,
      reason: 'the function is invoked synchronously, so its errors go back to the caller; a dead-letter queue only receives failed asynchronous invocations',
    })));

    // Everyone else, administrators included, is denied the value.
    apiKey.denyReadExcept([taskDefinition.obtainExecutionRole(), reader.role!]);
    return [stack];
  },
};
