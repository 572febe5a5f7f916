import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { validateManagedPolicyName } from './private/names';

/** Properties of `MfaRequired`. */
export interface MfaRequiredProps {
  /**
   * Groups whose users the policy applies to (the usual way: one group for all human IAM users).
   *
   * @default - none; attach it later with `attachToGroup`
   */
  readonly groups?: iam.IGroup[];

  /**
   * Users the policy applies to directly.
   *
   * @default - none
   */
  readonly users?: iam.IUser[];

  /**
   * The managed policy's name.
   *
   * @default - a CloudFormation-generated name
   */
  readonly managedPolicyName?: string;
}

/** What an IAM user without MFA may still do: set up an MFA device and sign in with it. */
const ALLOWED_WITHOUT_MFA = [
  'iam:CreateVirtualMFADevice',
  'iam:EnableMFADevice',
  'iam:GetMFADevice',
  'iam:GetUser',
  'iam:ListMFADevices',
  'iam:ListVirtualMFADevices',
  'iam:ResyncMFADevice',
  'sts:GetSessionToken',
];

/**
 * AWS's well-known policy for IAM users: until they sign in with MFA, everything is denied except
 * managing their own MFA device (and `sts:GetSessionToken`, which the CLI uses to obtain an MFA
 * session). Users can create, enable and resync their own device, and deactivate it only while
 * signed in with MFA. The deny also covers what other policies allow, so put every human IAM
 * user in a group with it. As in AWS's policy, `iam:ChangePassword` is denied without MFA too: create
 * users without "password reset required", or they cannot change their first password at sign-in.
 */
export class MfaRequired extends iam.ManagedPolicy {
  constructor(scope: Construct, id: string, props: MfaRequiredProps = {}) {
    validateManagedPolicyName('MfaRequired', props.managedPolicyName);
    super(scope, id, {
      managedPolicyName: props.managedPolicyName,
      description: 'Denies everything except managing your own MFA device until you sign in with MFA',
      groups: props.groups,
      users: props.users,
    });
    const stack = Stack.of(this);
    const ownUser = stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '${aws:username}' });
    const anyDevice = stack.formatArn({ service: 'iam', region: '', resource: 'mfa', resourceName: '*' });
    this.addStatements(
      new iam.PolicyStatement({
        sid: 'AllowListVirtualMfaDevices',
        actions: ['iam:ListVirtualMFADevices'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'AllowCreateVirtualMfaDevice',
        actions: ['iam:CreateVirtualMFADevice'],
        resources: [anyDevice],
      }),
      new iam.PolicyStatement({
        sid: 'AllowManageOwnMfa',
        actions: ['iam:EnableMFADevice', 'iam:GetMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'iam:ResyncMFADevice'],
        resources: [ownUser],
      }),
      new iam.PolicyStatement({
        sid: 'AllowDeactivateOwnMfaOnlyWithMfa',
        actions: ['iam:DeactivateMFADevice'],
        resources: [ownUser],
        conditions: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyAllExceptListedWithoutMfa',
        effect: iam.Effect.DENY,
        notActions: ALLOWED_WITHOUT_MFA,
        resources: ['*'],
        // IfExists: long-term access keys carry no MFA key at all, and must be denied too
        conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
      }),
    );
    acknowledge(this, [
      { id: 'AwsSolutions-IAM5', reason: 'iam:ListVirtualMFADevices has no resource-level permissions, so it needs Resource *', appliesTo: ['Resource::*'] },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'Users name their own virtual MFA device, so creation needs mfa/*; the other statements only let a user enable a device on their own user',
        appliesTo: [`Resource::${anyDevice}`],
      },
    ]);
  }
}
