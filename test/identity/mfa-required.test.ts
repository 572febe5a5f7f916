import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MfaRequired } from '../../lib/identity';
import { testApp } from '../support/app';

function build() {
  const stack = new Stack(testApp(), 'Dev', { env: { account: '111111111111', region: 'us-east-1' } });
  const group = new iam.Group(stack, 'Humans');
  const user = new iam.User(stack, 'Alice', { groups: [group] });
  const policy = new MfaRequired(stack, 'Mfa', { groups: [group], users: [user], managedPolicyName: 'require-mfa' });
  return { stack, policy };
}

const arn = (resource: string) => (`arn:aws:iam::111111111111:${resource}`);

describe('MfaRequired', () => {
  test('denies everything but MFA self-management while MFA is absent, and lets users manage only their own device', () => {
    const { stack } = build();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'require-mfa',
      Groups: [{ Ref: Match.stringLikeRegexp('^Humans') }],
      Users: [{ Ref: Match.stringLikeRegexp('^Alice') }],
      PolicyDocument: { Statement: [
        { Sid: 'AllowListVirtualMfaDevices', Effect: 'Allow', Action: 'iam:ListVirtualMFADevices', Resource: '*' },
        { Sid: 'AllowCreateVirtualMfaDevice', Effect: 'Allow', Action: 'iam:CreateVirtualMFADevice', Resource: arn('mfa/*') },
        {
          Sid: 'AllowManageOwnMfa', Effect: 'Allow', Resource: arn('user/${aws:username}'),
          Action: ['iam:EnableMFADevice', 'iam:GetMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'iam:ResyncMFADevice'],
        },
        {
          Sid: 'AllowDeactivateOwnMfaOnlyWithMfa', Effect: 'Allow', Action: 'iam:DeactivateMFADevice', Resource: arn('user/${aws:username}'),
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
        {
          Sid: 'DenyAllExceptListedWithoutMfa', Effect: 'Deny', Resource: '*',
          NotAction: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:GetMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'iam:ListVirtualMFADevices', 'iam:ResyncMFADevice', 'sts:GetSessionToken'],
          Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        },
      ] },
    });
  });

  test('acknowledges exactly the two wildcard resources, each with its reason', () => {
    const { stack } = build();
    const resource = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(resource.Metadata.cdk_nag.rules_to_suppress).toEqual([
      expect.objectContaining({ id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] }),
      expect.objectContaining({ id: 'AwsSolutions-IAM5', applies_to: ['Resource::arn:aws:iam::111111111111:mfa/*'] }),
    ]);
  });

  test('fails when the policy name has characters IAM rejects', () => {
    const stack = new Stack(testApp(), 'Dev');
    expect(() => new MfaRequired(stack, 'Mfa', { managedPolicyName: 'require mfa!' })).toThrow(
      'MfaRequired: managedPolicyName must be 1 to 128 letters, digits and +=,.@-_, got "require mfa!"');
  });
});
