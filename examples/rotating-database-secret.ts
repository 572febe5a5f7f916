import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { Acknowledgements, DatabaseTarget, RotatingSecret, RotationStrategy, SecretAlerts, SecureKey } from '../lib';
import { Example } from './example';
import { vpcFlowLogs } from './vpc-flow-logs';

const PRIMARY_REGION = 'us-east-1';
const REPLICA_REGION = 'us-west-2';
const REPLICA_KEY_ALIAS = 'alias/rotating-database-secret/replica';

/**
 * A PostgreSQL database in a VPC without internet access, its master secret rotated single-user, an
 * application user's secret rotated with alternating users and replicated to a second region under
 * that region's own key, and alerts on deletion, policy changes, rotation failures, key deletion and
 * on what an attack on the rotation needs (values written by others, rotation or key changes).
 *
 * Deploy with `cdk deploy -c account=123456789012 'RotatingDatabaseSecret*'`: the replica-key stack
 * (second region) first, then the primary stack.
 */
export const rotatingDatabaseSecret: Example = {
  name: 'rotating-database-secret',
  description: 'RDS PostgreSQL with rotated master and alternating-users app secrets, a cross-region replica and alerts',
  build(scope: Construct) {
    const account = String(scope.node.tryGetContext('account') ?? '111111111111');

    // The replica's key lives in the replica region; the primary stack names it by alias ARN, since
    // CloudFormation cannot reference resources across regions.
    const replicaStack = new Stack(scope, 'RotatingDatabaseSecretReplicaKey', {
      env: { account, region: REPLICA_REGION },
      description: 'cdk-security-patterns rotating-database-secret example: the key of the secret replica',
    });
    const replicaKey = new SecureKey(replicaStack, 'Key', { description: 'Encrypts the replica of the application user secret' });
    replicaKey.addAlias(REPLICA_KEY_ALIAS);

    const stack = new Stack(scope, 'RotatingDatabaseSecret', {
      env: { account, region: PRIMARY_REGION },
      description: 'cdk-security-patterns rotating-database-secret example: RDS PostgreSQL with rotated secrets',
    });
    stack.addDependency(replicaStack, 'the secret replica is encrypted with the replica stack\'s key');

    // No internet gateway and no NAT: the rotation functions reach Secrets Manager through an
    // interface endpoint, and the database through its security group.
    // Named zones, not a lookup: a stack with a concrete account would otherwise ask EC2 for its zones
    // at synth, which needs credentials. Context given with -c still wins.
    const zones = [`${PRIMARY_REGION}a`, `${PRIMARY_REGION}b`];
    const zonesKey = `availability-zones:account=${account}:region=${PRIMARY_REGION}`;
    if (stack.node.tryGetContext(zonesKey) === undefined) stack.node.setContext(zonesKey, zones);
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: zones,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // what the recommended feature flag does, set here so the example is the same without it
      restrictDefaultSecurityGroup: true,
    });
    vpcFlowLogs(stack, vpc, 'Encrypts the VPC flow logs');
    Acknowledgements.of(vpc).add(...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({
      id: `${pack}-VPCDefaultSecurityGroupClosed`,
      reason: 'CDK\'s Custom::VpcRestrictDefaultSG removes every rule of the default security group at deploy time, which a template check cannot see; '
        + 'nothing in this VPC uses that group (the database, the rotation functions and the endpoint each have their own)',
    })));
    Acknowledgements.of(stack.node.findChild('Custom::VpcRestrictDefaultSGCustomResourceProvider').node.findChild('Handler')).add({
      id: 'lambda_inside_vpc_check',
      reason: 'CDK\'s own deploy-time function that closes the default security group calls only the EC2 API; inside this VPC, which has no route '
        + 'to the internet and no EC2 endpoint, it could not reach that API',
    });

    const databaseKey = new SecureKey(stack, 'DatabaseKey', { description: 'Encrypts the database storage and its master secret' });
    const instance = new rds.DatabaseInstance(stack, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      credentials: rds.Credentials.fromGeneratedSecret('example_admin', { encryptionKey: databaseKey }),
      databaseName: 'app',
      // not 5432: AwsSolutions-RDS11 asks for a non-default port so scans for the default miss it
      port: 5433,
      multiAz: true,
      storageEncrypted: true,
      storageEncryptionKey: databaseKey,
      iamAuthentication: true,
      deletionProtection: true,
      backupRetention: Duration.days(14),
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      monitoringInterval: Duration.seconds(60),
      monitoringRole: monitoringRole(stack),
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: databaseKey,
      parameterGroup: new rds.ParameterGroup(stack, 'DatabaseParameters', {
        engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
        // clients must use TLS
        parameters: { 'rds.force_ssl': '1' },
      }),
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });

    // The master secret, created by RDS, rotated single-user by the shared postgres function. Every
    // login uses verified TLS (the default), and goes only to this database (its DatabaseTarget).
    const master = new RotatingSecret(stack, 'MasterSecret', {
      existingSecret: instance.secret!,
      rotation: RotationStrategy.postgresSingleUser(),
      database: DatabaseTarget.instance(instance),
      vpc,
      secretsManagerEndpoint: true,
    });

    // The application's user: two users take turns, so connections made with the current password
    // keep working while the other one changes. The database starts empty: the first rotation creates
    // app_user (and app_user_clone) with the master secret and the privileges declared here.
    const appUser = new RotatingSecret(stack, 'AppUserSecret', {
      secretName: 'rotating-database-secret/app-user',
      description: 'Credentials of the application user of the example database',
      rotation: RotationStrategy.postgresAlternatingUsers({
        masterSecret: master.secret,
        databaseUser: {
          grants: [
            { privileges: ['CONNECT', 'TEMPORARY'], database: 'app' },
            { privileges: ['USAGE'], schema: 'public' },
            { privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], schema: 'public', table: '*' },
          ],
        },
      }),
      database: DatabaseTarget.instance(instance),
      username: 'app_user',
      databaseName: 'app',
      vpc,
      secretsManagerEndpoint: true,
      rotationInterval: Duration.days(30),
      replicas: [{
        region: REPLICA_REGION,
        encryptionKey: kms.Key.fromKeyArn(stack, 'ReplicaKey', `arn:aws:kms:${REPLICA_REGION}:${account}:${REPLICA_KEY_ALIAS}`),
      }],
    });

    // The application's role: the only principal besides the rotation function that may read the value.
    const appRole = new iam.Role(stack, 'AppRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'The example application: reads its database credentials',
    });
    // a customer-managed policy rather than grantRead's inline one (NIST/HIPAA/PCI IAMNoInlinePolicy)
    new iam.ManagedPolicy(stack, 'AppPolicy', {
      roles: [appRole],
      description: 'Read the application user secret',
      statements: [
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [appUser.secret.secretArn],
        }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [appUser.encryptionKey!.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${PRIMARY_REGION}.amazonaws.com` } },
        }),
      ],
    });
    appUser.denyReadExcept([appRole]);

    // AWS Backup copies of the database, besides its automated backups
    const plan = backup.BackupPlan.daily35DayRetention(stack, 'BackupPlan', new backup.BackupVault(stack, 'BackupVault', {
      encryptionKey: databaseKey,
      removalPolicy: RemovalPolicy.RETAIN,
    }));
    const selection = plan.addSelection('Database', { resources: [backup.BackupResource.fromRdsDatabaseInstance(instance)] });
    Acknowledgements.of(selection.grantPrincipal as iam.Role).add({
      id: 'AwsSolutions-IAM4',
      reason: 'AWSBackupServiceRolePolicyForBackup is the AWS-maintained policy AWS Backup documents for its service role; AWS updates it as Backup adds resource types',
      appliesTo: [`Policy::${iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup').managedPolicyArn}`],
    });

    // watching both secrets: their values written by anyone but their rotation functions, their
    // rotation changed or cancelled, their keys' policies, grants or rotation changed, and the
    // rotation functions' code or configuration changed alert too
    new SecretAlerts(stack, 'Alerts', { secrets: [master, appUser] });
    return [replicaStack, stack];
  },
};

/** The enhanced-monitoring role RDS assumes. */
function monitoringRole(stack: Stack): iam.Role {
  const enhancedMonitoring = iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole');
  const role = new iam.Role(stack, 'DatabaseMonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
    managedPolicies: [enhancedMonitoring],
  });
  Acknowledgements.of(role).add({
    id: 'AwsSolutions-IAM4',
    reason: 'AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy RDS documents for enhanced monitoring; it only writes the RDSOSMetrics log group',
    appliesTo: [`Policy::${enhancedMonitoring.managedPolicyArn}`],
  });
  return role;
}
