import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
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

  /**
   * Whether users may enrol their own MFA device before they have signed in with MFA: from a console
   * sign-in with a password (`aws:MultiFactorAuthPresent` is `false`), never with a long-term access
   * key alone (the key is absent), so a stolen key cannot add the thief's device. With `false` users
   * can neither enable, resync nor deactivate a device on their own user, even signed in with MFA:
   * an administrator enrols them.
   *
   * @default true
   */
  readonly allowSelfEnrolment?: boolean;

  /**
   * A topic to alert on every MFA device creation, enrolment, resync, deactivation and deletion and
   * on every access-key creation or re-activation in the account, so that a second device (or key)
   * is noticed. An EventBridge rule in this stack sends the CloudTrail events to it; IAM's events
   * arrive in us-east-1 only (deploy the stack there) and need a CloudTrail trail. A topic of this
   * app gets a topic-policy statement that lets EventBridge publish for this rule only (`aws:SourceArn`);
   * an imported topic's policy must allow that itself, and an encrypted topic's key must let
   * `events.amazonaws.com` use it (`kms:Decrypt`, `kms:GenerateDataKey*`) without source conditions:
   * EventBridge sends none on those KMS calls.
   *
   * @default - no alerts
   */
  readonly alertTopic?: sns.ITopic;
}

/** What enrols an MFA device (or brings a drifted one back). */
const ENROLMENT_ACTIONS = ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ResyncMFADevice'];

/**
 * What an IAM user without MFA may still see. `sts:GetSessionToken` is listed only because IAM does
 * not evaluate policies for it at all ("Permissions for GetSessionToken"): no statement here can
 * allow or deny it.
 */
const VISIBLE_WITHOUT_MFA = ['iam:GetMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'iam:ListVirtualMFADevices', 'sts:GetSessionToken'];

/** The IAM calls an alert is sent for: MFA devices and access keys. */
const ALERT_EVENTS = [
  'CreateVirtualMFADevice', 'EnableMFADevice', 'ResyncMFADevice', 'DeactivateMFADevice', 'DeleteVirtualMFADevice',
  'CreateAccessKey', 'UpdateAccessKey',
];

/**
 * AWS's well-known policy for IAM users, closed against stolen access keys: until they sign in with
 * MFA, everything is denied except seeing and enrolling their own MFA device, and enrolling only
 * from a console sign-in (a request without any MFA information, i.e. with a long-term access key, is
 * denied even that). Users can deactivate their device only while signed in with MFA. The deny also
 * covers what other policies allow, so put every human IAM user in a group with it. As in AWS's
 * policy, `iam:ChangePassword` is denied without MFA too: create users without "password reset
 * required", or they cannot change their first password at sign-in.
 *
 * The limit no policy can close: `sts:GetSessionToken` is not controlled by IAM policies, and a
 * session it returns without MFA carries `aws:MultiFactorAuthPresent` as `false`, exactly like a
 * console sign-in. A thief with an access key of a user who may self-enrol can therefore get such a
 * session and enrol a device of their own. Turn `allowSelfEnrolment` off, or watch enrolments with
 * `alertTopic`.
 */
export class MfaRequired extends iam.ManagedPolicy {
  /** The EventBridge rule that sends MFA-device and access-key events to `alertTopic`, if given. */
  public readonly alertRule?: events.Rule;

  constructor(scope: Construct, id: string, props: MfaRequiredProps = {}) {
    validateManagedPolicyName('MfaRequired', props.managedPolicyName);
    super(scope, id, {
      managedPolicyName: props.managedPolicyName,
      description: 'Denies everything except managing your own MFA device until you sign in with MFA',
      groups: props.groups,
      users: props.users,
    });
    const selfEnrolment = props.allowSelfEnrolment ?? true;
    const stack = Stack.of(this);
    const ownUser = stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '${aws:username}' });
    const anyDevice = stack.formatArn({ service: 'iam', region: '', resource: 'mfa', resourceName: '*' });
    this.addStatements(new iam.PolicyStatement({
      sid: 'AllowListVirtualMfaDevices',
      actions: ['iam:ListVirtualMFADevices'],
      resources: ['*'],
    }));
    if (selfEnrolment) {
      this.addStatements(
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
          notActions: [...ENROLMENT_ACTIONS, ...VISIBLE_WITHOUT_MFA].sort(),
          resources: ['*'],
          // IfExists: long-term access keys carry no MFA key at all, and must be denied too
          conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        }),
        // A request with no MFA information at all is signed with a long-term access key: enrolling
        // from it would let a key thief add their own device. The console sends the key as false.
        new iam.PolicyStatement({
          sid: 'DenyEnrolmentWithAccessKeys',
          effect: iam.Effect.DENY,
          actions: ENROLMENT_ACTIONS,
          resources: ['*'],
          conditions: { Null: { 'aws:MultiFactorAuthPresent': 'true' } },
        }),
      );
    } else {
      this.addStatements(
        new iam.PolicyStatement({
          sid: 'AllowViewOwnMfa',
          actions: ['iam:GetMFADevice', 'iam:GetUser', 'iam:ListMFADevices'],
          resources: [ownUser],
        }),
        new iam.PolicyStatement({
          sid: 'DenyAllExceptListedWithoutMfa',
          effect: iam.Effect.DENY,
          notActions: VISIBLE_WITHOUT_MFA,
          resources: ['*'],
          conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyManageOwnMfa',
          effect: iam.Effect.DENY,
          actions: ['iam:DeactivateMFADevice', 'iam:EnableMFADevice', 'iam:ResyncMFADevice'],
          resources: [ownUser],
        }),
      );
    }

    if (props.alertTopic) {
      this.alertRule = this.alertOn(props.alertTopic);
    }

    acknowledge(this, [
      { id: 'AwsSolutions-IAM5', reason: 'iam:ListVirtualMFADevices has no resource-level permissions, so it needs Resource *', appliesTo: ['Resource::*'] },
      ...(selfEnrolment ? [{
        id: 'AwsSolutions-IAM5',
        reason: 'Users name their own virtual MFA device, so creation needs mfa/*; the other statements only let a user enable a device on their own user',
        appliesTo: [`Resource::${anyDevice}`],
      }] : []),
    ]);
  }

  private alertOn(topic: sns.ITopic): events.Rule {
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region !== 'us-east-1') {
      Annotations.of(this).addWarningV2('cdk-security-patterns:identity:mfa-alerts-region',
        `alertTopic: IAM sends its CloudTrail events to EventBridge in us-east-1 only, and this stack is in ${region}, so the alert rule never fires. Create MfaRequired (or the alert) in a us-east-1 stack.`);
    }
    const rule = new events.Rule(this, 'AlertRule', {
      description: 'MFA device or access key created, enabled, resynced, deactivated or deleted',
      eventPattern: {
        source: ['aws.iam'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['iam.amazonaws.com'], eventName: ALERT_EVENTS },
      },
    });
    rule.addTarget({ bind: () => ({ arn: topic.topicArn, targetResource: topic }) });
    // Not aws-cdk-lib's SnsTopic target: it lets any rule of any account publish (no aws:SourceArn).
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: `AllowPublishFrom${this.node.addr}`,
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn }, StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    return rule;
  }
}
