import * as cdk from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  Acknowledgements, DatabaseTarget, RotatingSecret, RotationStrategy, SecretAlerts, SecretGrants,
} from 'cdk-security-patterns';
import { appOwned } from './app-owned';

/**
 * Area: secrets. The network and the databases are the team's existing ones (imported), so every
 * resource in this stack is one the library creates.
 */
export class SecretsStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: cdk.StackProps) {
    super(scope, id, props);

    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Network', {
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      vpcCidrBlock: '10.0.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      isolatedSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
      isolatedSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002'],
    });
    const orders = rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'Orders', {
      instanceIdentifier: 'orders',
      instanceEndpointAddress: 'orders.c0a1b2c3d4e5.us-east-1.rds.amazonaws.com',
      port: 5432,
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(this, 'OrdersSecurityGroup', 'sg-0a1b2c3d4e5f60001')],
    });
    const inventory = rds.DatabaseCluster.fromDatabaseClusterAttributes(this, 'Inventory', {
      clusterIdentifier: 'inventory',
      clusterEndpointAddress: 'inventory.cluster-c0a1b2c3d4e5.us-east-1.rds.amazonaws.com',
      port: 3306,
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(this, 'InventorySecurityGroup', 'sg-0a1b2c3d4e5f60002')],
    });
    const reporting = ec2.SecurityGroup.fromSecurityGroupId(this, 'ReportingSecurityGroup', 'sg-0a1b2c3d4e5f60003');

    new RotatingSecret(this, 'ApiKey', {
      rotation: RotationStrategy.randomKey({ keyLength: 48 }),
      rotationInterval: cdk.Duration.days(30),
    });
    // one key per partner: with 20 or more secrets the stack also gets the library's template-size check
    // (it resolves the template through aws-cdk-lib internals, so it must run on every aws-cdk-lib tested)
    for (let i = 1; i <= 20; i++) {
      new RotatingSecret(this, `PartnerKey${i}`, { rotation: RotationStrategy.randomKey({ keyLength: 48 }), description: `API key of partner ${i}` });
    }

    const ordersMaster = new RotatingSecret(this, 'OrdersMaster', {
      existingSecret: secretsmanager.Secret.fromSecretCompleteArn(this, 'OrdersMasterSecret',
        'arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!db-0a1b2c3d-AbCdEf'),
      rotation: RotationStrategy.postgresSingleUser(),
      database: DatabaseTarget.instance(orders),
      vpc,
      secretsManagerEndpoint: true,
    });
    const ordersApp = new RotatingSecret(this, 'OrdersApp', {
      rotation: RotationStrategy.postgresAlternatingUsers({
        masterSecret: ordersMaster.secret,
        databaseUser: { grants: [{ privileges: ['SELECT', 'INSERT'], schema: 'public', table: '*' }] },
      }),
      database: DatabaseTarget.instance(orders),
      username: 'orders_app',
      databaseName: 'orders',
      vpc,
      secretsManagerEndpoint: true,
      replicas: [{ region: 'us-west-2', encryptionKey: kms.Key.fromKeyArn(this, 'ReplicaKey', 'arn:aws:kms:us-west-2:111111111111:alias/orders-replica') }],
    });

    const inventoryMaster = new RotatingSecret(this, 'InventoryMaster', {
      rotation: RotationStrategy.mysqlSingleUser(),
      database: DatabaseTarget.cluster(inventory),
      username: 'admin',
      vpc,
      secretsManagerEndpoint: true,
    });
    new RotatingSecret(this, 'ReportingApp', {
      rotation: RotationStrategy.mysqlAlternatingUsers({ masterSecret: inventoryMaster.secret }),
      database: DatabaseTarget.connectable(reporting, { host: 'reporting.example.internal', port: 3306 }),
      username: 'reporting_app',
      vpc,
      secretsManagerEndpoint: true,
    });

    new RotatingSecret(this, 'LegacyToken', {
      rotation: RotationStrategy.custom(lambda.Function.fromFunctionArn(this, 'LegacyRotation',
        'arn:aws:lambda:us-east-1:111111111111:function:legacy-token-rotation')),
    });

    // The application reading the secrets: the app's own role, so what its grants add to it is the
    // app's to acknowledge (an inline policy with the secrets and keys it may read)
    const service = new iam.Role(appOwned(this), 'OrdersService', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    ordersApp.grantRead(service);
    ordersApp.denyReadExcept([service]);
    SecretGrants.readByTag(service, 'team', 'orders');
    SecretGrants.readByNamePrefix(service, 'orders/');
    const arn = (service: string, resource: string) => `arn:${this.partition}:${service}:${this.region}:${this.account}:${resource}`;
    const reason = 'The orders service reads the secrets tagged team=orders or named orders/..., with the keys that encrypt them';
    Acknowledgements.of(service.node.findChild('DefaultPolicy')).add(
      { id: 'AwsSolutions-IAM5', reason, appliesTo: [`Resource::${arn('secretsmanager', 'secret:orders/*')}`, `Resource::${arn('secretsmanager', 'secret:*')}`, `Resource::${arn('kms', 'key/*')}`] },
      ...Acknowledgements.inComplianceFrameworks('IAMNoInlinePolicy', 'The orders service\'s grants, kept with its role as aws-cdk-lib writes them'),
    );

    new SecretAlerts(this, 'Alerts', {
      emailAddresses: ['security@example.com'],
      secrets: [ordersMaster, ordersApp, inventoryMaster],
    });
  }
}
