import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SecureKey } from '../lib';

/**
 * VPC flow logs of every subnet to an encrypted log group kept a year, written by a role with a managed
 * policy (the examples' VPCs share it; construct ids are the same in every stack that uses it).
 */
export function vpcFlowLogs(stack: Stack, vpc: ec2.Vpc, keyDescription: string): void {
  const key = new SecureKey(stack, 'FlowLogKey', { description: keyDescription });
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${stack.region}:${stack.account}:log-group:*` } },
  }));
  const logGroup = new logs.LogGroup(stack, 'FlowLogGroup', {
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(stack, 'FlowLogRole', {
    assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  });
  const policy = new iam.ManagedPolicy(stack, 'FlowLogPolicy', {
    roles: [role],
    statements: [new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [logGroup.logGroupArn],
    })],
  });
  const flowLog = new ec2.CfnFlowLog(stack, 'FlowLog', {
    resourceId: vpc.vpcId,
    resourceType: 'VPC',
    trafficType: 'ALL',
    logDestinationType: 'cloud-watch-logs',
    logGroupName: logGroup.logGroupName,
    deliverLogsPermissionArn: role.roleArn,
  });
  // the first deliveries need the role's permissions in place
  flowLog.node.addDependency(policy);
}
