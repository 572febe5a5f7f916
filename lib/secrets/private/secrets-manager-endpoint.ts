import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** One Secrets Manager interface endpoint per VPC and stack: a second one with private DNS would clash. */
export function secretsManagerEndpoint(stack: Stack, vpc: ec2.IVpc, subnets?: ec2.SubnetSelection): ec2.InterfaceVpcEndpoint {
  const id = `SecretsManagerEndpoint${createHash('sha256').update(vpc.node.path).digest('hex').slice(0, 8)}`;
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof ec2.InterfaceVpcEndpoint) return existing;
  return new ec2.InterfaceVpcEndpoint(stack, id, {
    vpc,
    service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    subnets,
    privateDnsEnabled: true,
    // only the rotation functions (and whoever is added later) may connect
    open: false,
  });
}
