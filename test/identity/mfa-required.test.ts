import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MfaRequired } from '../../lib/identity';
import { AccessModel } from '../support/access-model';
import { FLAG_SETS, testApp } from '../support/app';
import { matchesEventPattern } from '../secrets/event-pattern';

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
        {
          Sid: 'DenyEnrolmentWithAccessKeys', Effect: 'Deny', Resource: '*',
          Action: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ResyncMFADevice'],
          Condition: { Null: { 'aws:MultiFactorAuthPresent': 'true' } },
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

  test('allowSelfEnrolment: false lets users only see their devices, and never manage one on their own user', () => {
    const stack = new Stack(testApp(), 'Dev', { env: { account: '111111111111', region: 'us-east-1' } });
    new MfaRequired(stack, 'Mfa', { allowSelfEnrolment: false });
    const resource = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(resource.Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'AllowListVirtualMfaDevices', Effect: 'Allow', Action: 'iam:ListVirtualMFADevices', Resource: '*' },
      { Sid: 'AllowViewOwnMfa', Effect: 'Allow', Action: ['iam:GetMFADevice', 'iam:GetUser', 'iam:ListMFADevices'], Resource: arn('user/${aws:username}') },
      {
        Sid: 'DenyAllExceptListedWithoutMfa', Effect: 'Deny', Resource: '*',
        NotAction: ['iam:GetMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'iam:ListVirtualMFADevices', 'sts:GetSessionToken'],
        Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
      },
      { Sid: 'DenyManageOwnMfa', Effect: 'Deny', Action: ['iam:DeactivateMFADevice', 'iam:EnableMFADevice', 'iam:ResyncMFADevice'], Resource: arn('user/${aws:username}') },
    ]);
    // no mfa/* resource any more, so only the Resource::* acknowledgement
    expect(resource.Metadata.cdk_nag.rules_to_suppress).toEqual([expect.objectContaining({ id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] })]);
  });

  test('fails when the policy name has characters IAM rejects', () => {
    const stack = new Stack(testApp(), 'Dev');
    expect(() => new MfaRequired(stack, 'Mfa', { managedPolicyName: 'require mfa!' })).toThrow(
      'MfaRequired: managedPolicyName must be 1 to 128 letters, digits and +=,.@-_, got "require mfa!"');
  });
});

describe.each(FLAG_SETS)('MfaRequired alertTopic (%s feature flags)', (flags) => {
  function alerting(region = 'us-east-1') {
    const stack = new Stack(testApp({ featureFlags: flags }), 'Dev', { env: { account: '111111111111', region } });
    const topic = new sns.Topic(stack, 'Alerts', { enforceSSL: true });
    const policy = new MfaRequired(stack, 'Mfa', { alertTopic: topic });
    return { stack, topic, policy };
  }
  const built = alerting();
  const template = Template.fromStack(built.stack);
  const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
  const ruleArn = 'arn:aws:events:us-east-1:111111111111:rule/mfa-alerts';
  const event = (eventName: string, source = 'aws.iam') => ({
    'source': source, 'detail-type': 'AWS API Call via CloudTrail',
    'detail': { eventSource: `${source.replace('aws.', '')}.amazonaws.com`, eventName, userIdentity: { type: 'IAMUser', userName: 'alice' } },
  });

  test.each(['CreateVirtualMFADevice', 'EnableMFADevice', 'ResyncMFADevice', 'DeactivateMFADevice', 'DeleteVirtualMFADevice', 'CreateAccessKey', 'UpdateAccessKey'])(
    'the rule matches %s', (eventName) => {
      expect(matchesEventPattern(rule.Properties.EventPattern, event(eventName))).toBe(true);
    });

  test.each([['ListMFADevices', 'aws.iam'], ['GetUser', 'aws.iam'], ['CreateAccessKey', 'aws.sts']])('the rule does not match %s from %s', (eventName, source) => {
    expect(matchesEventPattern(rule.Properties.EventPattern, event(eventName, source))).toBe(false);
  });

  test('the rule targets the topic, which lets EventBridge publish for this rule of this account only', () => {
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: expect.stringMatching(/^Alerts/) } })]);
    expect(built.policy.alertRule).toBeDefined();
    const statements = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0].Properties.PolicyDocument.Statement;
    const forEvents = statements.filter((st: any) => st.Principal?.Service === 'events.amazonaws.com');
    expect(forEvents).toEqual([expect.objectContaining({
      Effect: 'Allow', Action: 'sns:Publish',
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^MfaAlertRule/), 'Arn'] } }, StringEquals: { 'aws:SourceAccount': '111111111111' } },
    })]);
  });

  test('EventBridge may publish for the alert rule, not for another rule or another account', () => {
    const model = new AccessModel([built.stack]);
    const logicalId = Object.keys(template.findResources('AWS::Events::Rule'))[0];
    const alertRuleArn = model.arnOfLogicalId('Dev', logicalId);
    const publish = (sourceArn: string, sourceAccount = '111111111111') => model.check({
      principal: 'events.amazonaws.com', action: 'sns:Publish', resource: built.topic, context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
    });
    expect(publish(alertRuleArn)).toBe('Allowed');
    expect(publish(ruleArn)).toBe('ImplicitlyDenied');
    expect(publish('arn:aws:events:us-east-1:999999999999:rule/mfa-alerts', '999999999999')).toBe('ImplicitlyDenied');
  });

  test('warns when the stack is not in us-east-1, where IAM\'s events arrive', () => {
    const { stack } = alerting('eu-west-1');
    Annotations.fromStack(stack).hasWarning('/Dev/Mfa', Match.stringLikeRegexp(
      'alertTopic: IAM sends its CloudTrail events to EventBridge in us-east-1 only, and this stack is in eu-west-1, so the alert rule never fires'));
    Annotations.fromStack(built.stack).hasNoWarning('*', Match.anyValue());
  });

  test('without alertTopic there is no rule', () => {
    const stack = new Stack(testApp({ featureFlags: flags }), 'Dev', { env: { account: '111111111111', region: 'us-east-1' } });
    const policy = new MfaRequired(stack, 'Mfa');
    expect(policy.alertRule).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 0);
  });
});
