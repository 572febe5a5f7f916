import { createHash } from 'node:crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { acknowledge, inComplianceFrameworks } from '../../private/acknowledge';
import { scopedState } from '../../private/scoped-state';

/**
 * The one Secrets Manager interface endpoint of a VPC in this app: EC2 refuses a second endpoint
 * with private DNS for one service in one VPC, so stacks sharing a VPC share its endpoint. It is
 * created in the stack that owns the VPC (for an imported VPC, the first stack that asks) and
 * found again by the VPC's id, or by the VPC construct while its id is a token. Its security
 * group admits HTTPS from the VPC's range, so every workload of the VPC reaches Secrets Manager
 * once private DNS sends the service's name to the endpoint.
 */
export function secretsManagerEndpoint(vpc: ec2.IVpc, subnets?: ec2.SubnetSelection): ec2.InterfaceVpcEndpoint {
  const endpoints = scopedState(vpc.node.root, 'secrets.secrets-manager-endpoints', () => new Map<string, ec2.InterfaceVpcEndpoint>());
  const key = Token.isUnresolved(vpc.vpcId) ? `construct:${vpc.node.path}` : `vpc:${vpc.vpcId}`;
  const known = endpoints.get(key);
  if (known) return known;
  const owner = Stack.of(vpc);
  const id = `SecretsManagerEndpoint${createHash('sha256').update(vpc.node.path).digest('hex').slice(0, 8)}`;
  const existing = owner.node.tryFindChild(id);
  const endpoint = existing instanceof ec2.InterfaceVpcEndpoint ? existing : new ec2.InterfaceVpcEndpoint(owner, id, {
    vpc,
    service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    subnets,
    privateDnsEnabled: true,
    // with private DNS every client of the VPC resolves Secrets Manager to this endpoint: a group
    // open only to the rotation functions would cut the VPC's other workloads off the service
    open: true,
  });
  if (!(existing instanceof ec2.InterfaceVpcEndpoint)) acknowledgeVpcRange(endpoint);
  endpoints.set(key, endpoint);
  return endpoint;
}

/**
 * The group admits TCP 443 from the VPC's own range, which is a deploy-time value (the VPC's
 * CidrBlock) that cdk-nag cannot check: record what the rule is for the rules that look at ranges.
 */
function acknowledgeVpcRange(endpoint: ec2.InterfaceVpcEndpoint): void {
  const reason = 'The Secrets Manager endpoint\'s group admits only TCP 443 from the VPC\'s own range (its CidrBlock, known at deploy time), '
    + 'so that every workload of the VPC reaches Secrets Manager through the private-DNS endpoint; nothing is open to the internet';
  for (const group of endpoint.connections.securityGroups) {
    acknowledge(group, [
      { id: 'CdkNagValidationFailure', reason },
      { id: 'AwsSolutions-EC23', reason },
      ...inComplianceFrameworks('EC2RestrictedCommonPorts', reason),
      ...inComplianceFrameworks('EC2RestrictedSSH', reason),
    ]);
  }
}
