import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { PermissionSet } from '../../lib/organization';
import type { TemplateInput } from '../support/access-model';

/**
 * The role IAM Identity Center provisions for a permission set in an assigned account, as a template
 * for AccessModel: `AWSReservedSSO_<name>_<suffix>` under `/aws-reserved/sso.amazonaws.com/`, with the
 * permission set's AWS managed policies, its customer managed policies by name in that account, its
 * inline policy and its boundary, exactly as they stand in the synthesized `AWS::SSO::PermissionSet`.
 * It trusts the account's Identity Center SAML provider. `resources` adds the account's own
 * resources (the customer managed policies the references name).
 */
export function provisionedRole(permissionSet: PermissionSet, account: string, resources: Record<string, unknown> = {}): { input: TemplateInput; roleArn: string } {
  const stack = Stack.of(permissionSet);
  const template = Template.fromStack(stack).toJSON();
  const logicalId = stack.getLogicalId(permissionSet.resource);
  const props = template.Resources[logicalId].Properties;
  const policyArn = (ref: { Name: string; Path?: string }) => `arn:aws:iam::${account}:policy${ref.Path ?? '/'}${ref.Name}`;
  const roleName = `AWSReservedSSO_${props.Name}_0123456789abcdef`;
  const boundary = props.PermissionsBoundary;
  const roleArn = `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/${roleName}`;
  const input: TemplateInput = {
    stackName: `Provisioned-${props.Name}-${account}`,
    account,
    region: stack.region,
    template: {
      Resources: {
        ...resources,
        ProvisionedRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: roleName,
            Path: '/aws-reserved/sso.amazonaws.com/',
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [{
                Effect: 'Allow',
                Principal: { Federated: `arn:aws:iam::${account}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE` },
                Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
                Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
              }],
            },
            ManagedPolicyArns: [...(props.ManagedPolicies ?? []), ...(props.CustomerManagedPolicyReferences ?? []).map(policyArn)],
            Policies: props.InlinePolicy ? [{ PolicyName: 'AwsSSOInlinePolicy', PolicyDocument: props.InlinePolicy }] : undefined,
            PermissionsBoundary: boundary
              ? (boundary.ManagedPolicyArn ?? policyArn(boundary.CustomerManagedPolicyReference))
              : undefined,
          },
        },
      },
    },
  };
  return { input, roleArn };
}
