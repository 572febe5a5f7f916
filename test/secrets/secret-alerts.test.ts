import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SecretAlerts } from '../../lib/secrets';
import { AccessModel } from '../support/access-model';
import { complianceFindings } from '../support/compliance';
import { apiCallEvent, matchesEventPattern, SAMPLE_KEY_ARN, SAMPLE_SECRET_ARN, serviceEvent } from './event-pattern';
import { newStack } from './helpers';
import { testApp } from '../support/app';

function rulePattern(eventSource: string, detailType: string, eventNames: string[]) {
  return {
    EventPattern: {
      'source': [eventSource === 'kms.amazonaws.com' ? 'aws.kms' : 'aws.secretsmanager'],
      'detail-type': [detailType],
      'detail': { eventSource: [eventSource], eventName: eventNames },
    },
    State: 'ENABLED',
  };
}

/** SecretAlerts with its defaults, and with createTrail, each built once for the tests that only read it. */
const builds: Partial<Record<'plain' | 'withTrail', { stack: Stack; alerts: SecretAlerts; template: Template }>> = {};
function built(kind: 'plain' | 'withTrail') {
  if (!builds[kind]) {
    const stack = newStack();
    const alerts = new SecretAlerts(stack, 'Alerts', kind === 'withTrail' ? { createTrail: true } : {});
    builds[kind] = { stack, alerts, template: Template.fromStack(stack) };
  }
  return builds[kind];
}

describe('SecretAlerts', () => {
  test('sends every alert to one topic encrypted with a new customer-managed key', () => {
    const { stack, alerts, template } = built('plain');
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(alerts.encryptionKey.node.defaultChild as never), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::Events::Rule', 4);
    const topicId = stack.getLogicalId(alerts.topic.node.defaultChild as never);
    for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
      expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: topicId } })]);
    }
  });

  test.each([
    ['secret deletion', 'secretsmanager.amazonaws.com', 'AWS API Call via CloudTrail', ['DeleteSecret']],
    ['resource policy change', 'secretsmanager.amazonaws.com', 'AWS API Call via CloudTrail', ['PutResourcePolicy', 'DeleteResourcePolicy']],
    ['rotation failure', 'secretsmanager.amazonaws.com', 'AWS Service Event via CloudTrail', ['RotationFailed', 'RotationAbandoned']],
    ['key deletion', 'kms.amazonaws.com', 'AWS API Call via CloudTrail', ['ScheduleKeyDeletion', 'DisableKey']],
  ])('has a rule for %s', (_name, eventSource, detailType, eventNames) => {
    built('plain').template.hasResourceProperties('AWS::Events::Rule', rulePattern(eventSource, detailType, eventNames));
  });

  describe('rules fire on exactly the events they claim', () => {
    const secretId = { secretId: SAMPLE_SECRET_ARN };
    const events: Record<string, Record<string, unknown>> = {
      DeleteSecret: apiCallEvent('secretsmanager', 'DeleteSecret', { ...secretId, recoveryWindowInDays: 7 }),
      DeleteSecretNow: apiCallEvent('secretsmanager', 'DeleteSecret', { ...secretId, forceDeleteWithoutRecovery: true }),
      PutResourcePolicy: apiCallEvent('secretsmanager', 'PutResourcePolicy', { ...secretId, blockPublicPolicy: true }),
      DeleteResourcePolicy: apiCallEvent('secretsmanager', 'DeleteResourcePolicy', secretId),
      RotationFailed: serviceEvent('RotationFailed'),
      RotationAbandoned: serviceEvent('RotationAbandoned'),
      ScheduleKeyDeletion: apiCallEvent('kms', 'ScheduleKeyDeletion', { keyId: SAMPLE_KEY_ARN, pendingWindowInDays: 30 }),
      DisableKey: apiCallEvent('kms', 'DisableKey', { keyId: SAMPLE_KEY_ARN }),
      // events no rule should fire on
      GetSecretValue: apiCallEvent('secretsmanager', 'GetSecretValue', secretId),
      CreateSecret: apiCallEvent('secretsmanager', 'CreateSecret', { name: 'my-app/db' }),
      RestoreSecret: apiCallEvent('secretsmanager', 'RestoreSecret', secretId),
      RotationSucceeded: serviceEvent('RotationSucceeded'),
      RotationStarted: serviceEvent('RotationStarted'),
      CancelKeyDeletion: apiCallEvent('kms', 'CancelKeyDeletion', { keyId: SAMPLE_KEY_ARN }),
      EnableKey: apiCallEvent('kms', 'EnableKey', { keyId: SAMPLE_KEY_ARN }),
      Decrypt: apiCallEvent('kms', 'Decrypt', {}),
      // a Secrets Manager event name under another service's source must not count
      DeleteSecretFromOtherSource: apiCallEvent('kms', 'DeleteSecret'),
    };
    const { stack, alerts } = built('plain');
    const template = built('plain').template.toJSON();
    const patternOf = (rule: { node: { defaultChild?: unknown } }) => template.Resources[stack.getLogicalId(rule.node.defaultChild as never)].Properties.EventPattern;
    const firing = (rule: { node: { defaultChild?: unknown } }) => Object.keys(events).filter((name) => matchesEventPattern(patternOf(rule), events[name]));

    test.each([
      ['secretDeletionRule', ['DeleteSecret', 'DeleteSecretNow']],
      ['resourcePolicyChangeRule', ['PutResourcePolicy', 'DeleteResourcePolicy']],
      ['rotationFailureRule', ['RotationFailed', 'RotationAbandoned']],
      ['keyDeletionRule', ['ScheduleKeyDeletion', 'DisableKey']],
    ] as const)('%s fires on %j only', (rule, expected) => {
      expect(firing(alerts[rule])).toEqual(expected);
    });

    test('the matcher tells events apart the way EventBridge does', () => {
      const pattern = { 'source': ['aws.kms'], 'detail-type': ['AWS API Call via CloudTrail'], 'detail': { eventName: ['DisableKey'] } };
      expect(matchesEventPattern(pattern, events.DisableKey)).toBe(true);
      expect(matchesEventPattern({ ...pattern, 'detail-type': ['aws api call via cloudtrail'] }, events.DisableKey)).toBe(false);
      expect(matchesEventPattern({ ...pattern, detail: { eventName: ['DisableKey'], missing: ['x'] } }, events.DisableKey)).toBe(false);
      expect(() => matchesEventPattern({ source: [{ prefix: 'aws.' }] }, events.DisableKey)).toThrow('content filters are not supported');
    });
  });

  test('lets EventBridge publish to the topic and use its key, and nobody publish over plain HTTP', () => {
    const { stack, alerts } = built('plain');
    const model = new AccessModel([stack]);
    const ruleArn = model.arnOf(alerts.rotationFailureRule);
    const fromRule = { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': '111111111111' };
    expect(model.check({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: alerts.topic, context: fromRule })).toBe('Allowed');
    // a rule of another account, or none named, cannot publish
    const foreignRule = 'arn:aws:events:us-east-1:999999999999:rule/anything';
    expect(model.check({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: alerts.topic, context: { 'aws:SourceArn': foreignRule } })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: alerts.topic })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: 'events.amazonaws.com', action: 'kms:GenerateDataKey', resource: alerts.encryptionKey, context: { 'aws:SourceAccount': '111111111111' } })).toBe('Allowed');
    // the key serves EventBridge of this account only
    expect(model.check({ principal: 'events.amazonaws.com', action: 'kms:GenerateDataKey', resource: alerts.encryptionKey, context: { 'aws:SourceAccount': '999999999999' } })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: 'arn:aws:iam::111111111111:role/Admin', action: 'sns:Publish', resource: alerts.topic, context: { 'aws:SecureTransport': false } }))
      .toBe('ExplicitlyDenied');
    expect(model.check({ principal: 'arn:aws:iam::222222222222:role/Outsider', action: 'sns:Publish', resource: alerts.topic })).toBe('ImplicitlyDenied');
  });

  test('EventBridge may publish for the alert rules of this account only, and no statement of the topic lets every rule in', () => {
    const { stack, alerts, template } = built('plain');
    const model = new AccessModel([stack]);
    const ruleArn = model.arnOf(alerts.secretDeletionRule);
    // the attacker's rule in their own account names our topic as its target
    expect(model.check({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: alerts.topic,
      context: { 'aws:SourceArn': 'arn:aws:events:us-east-1:999999999999:rule/forged', 'aws:SourceAccount': '999999999999' } })).not.toBe('Allowed');
    // our rule ARN with another account as the source (the confused deputy) is not enough either
    expect(model.check({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: alerts.topic,
      context: { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': '999999999999' } })).not.toBe('Allowed');
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const allows = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow');
    expect(allows).toEqual([expect.objectContaining({
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': expect.arrayContaining([{ 'Fn::GetAtt': [stack.getLogicalId(alerts.rotationFailureRule.node.defaultChild as never), 'Arn'] }]) }, StringEquals: { 'aws:SourceAccount': '111111111111' } },
    })]);
  });

  test.each(['plain', 'withTrail'] as const)('%s: every statement that allows an AWS service names the source (aws:SourceArn, aws:SourceAccount or the encryption context)', (kind) => {
    const { template } = built(kind);
    const guarded = ['aws:SourceArn', 'aws:SourceAccount', 'kms:EncryptionContext:aws:cloudtrail:arn', 'kms:EncryptionContext:aws:logs:arn'];
    const unguarded: string[] = [];
    for (const [id, resource] of Object.entries<any>(template.toJSON().Resources)) {
      const p = resource.Properties ?? {};
      for (const document of [p.KeyPolicy, p.PolicyDocument, p.AssumeRolePolicyDocument].filter(Boolean)) {
        for (const statement of document.Statement) {
          if (statement.Effect !== 'Allow' || statement.Principal?.Service === undefined) continue;
          const keys = Object.values<Record<string, unknown>>(statement.Condition ?? {}).flatMap((c) => Object.keys(c));
          if (!keys.some((k) => guarded.includes(k))) unguarded.push(`${id}: ${JSON.stringify(statement.Principal.Service)} ${JSON.stringify(statement.Action)}`);
        }
      }
    }
    expect(unguarded).toEqual([]);
  });

  describe('with createTrail, CloudTrail uses the key, bucket and log role for this trail only', () => {
    const { stack, alerts } = built('withTrail');
    const model = new AccessModel([stack]);
    const trailArn = model.arnOf(alerts.trail!);
    const account = '111111111111';
    const ownContext = { 'aws:SourceArn': trailArn, 'aws:SourceAccount': account, 'kms:EncryptionContext:aws:cloudtrail:arn': trailArn };
    const foreignTrail = 'arn:aws:cloudtrail:us-east-1:999999999999:trail/attacker';
    const foreignContext = { 'aws:SourceArn': foreignTrail, 'aws:SourceAccount': '999999999999', 'kms:EncryptionContext:aws:cloudtrail:arn': foreignTrail };

    test('the trail is named, so the policies can name its ARN', () => {
      expect(trailArn).toMatch(/^arn:aws:cloudtrail:us-east-1:111111111111:trail\/Test-Alerts-[0-9A-F]{8}$/);
    });

    test('encrypts its own deliveries, not another account\'s trail', () => {
      expect(model.check({ principal: 'cloudtrail.amazonaws.com', action: 'kms:GenerateDataKey', resource: alerts.encryptionKey, context: ownContext })).toBe('Allowed');
      expect(model.check({ principal: 'cloudtrail.amazonaws.com', action: 'kms:GenerateDataKey', resource: alerts.encryptionKey, context: foreignContext })).not.toBe('Allowed');
      // our trail's name in the request, but data keys for another account's trail
      expect(model.check({ principal: 'cloudtrail.amazonaws.com', action: 'kms:GenerateDataKey', resource: alerts.encryptionKey,
        context: { ...ownContext, 'kms:EncryptionContext:aws:cloudtrail:arn': foreignTrail } })).not.toBe('Allowed');
    });

    test('assumes the log group role for this trail only', () => {
      const role = alerts.trail!.node.findChild('LogsRole');
      expect(model.check({ principal: 'cloudtrail.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: ownContext })).toBe('Allowed');
      expect(model.check({ principal: 'cloudtrail.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: foreignContext })).not.toBe('Allowed');
    });

    test('never decrypts with the key', () => {
      expect(model.check({ principal: 'cloudtrail.amazonaws.com', action: 'kms:Decrypt', resource: alerts.encryptionKey, context: ownContext })).not.toBe('Allowed');
    });

    test('writes to the bucket for this trail only', () => {
      const bucket = alerts.trail!.node.scope!.node.findChild('TrailBucket');
      const object = `${model.arnOf(bucket)}/AWSLogs/${account}/CloudTrail/us-east-1/2026/12/01/log.json.gz`;
      const acl = { 's3:x-amz-acl': 'bucket-owner-full-control' };
      expect(model.check({ principal: 'cloudtrail.amazonaws.com', action: 's3:PutObject', resource: object, context: { ...ownContext, ...acl, 'aws:SecureTransport': true } })).toBe('Allowed');
      expect(model.check({ principal: 'cloudtrail.amazonaws.com', action: 's3:PutObject', resource: object, context: { ...foreignContext, ...acl, 'aws:SecureTransport': true } })).not.toBe('Allowed');
      expect(model.check({ principal: 'cloudtrail.amazonaws.com', action: 's3:GetBucketAcl', resource: bucket, context: { ...foreignContext, 'aws:SecureTransport': true } })).not.toBe('Allowed');
    });
  });

  test('subscribes the given email addresses', () => {
    const stack = newStack();
    new SecretAlerts(stack, 'Alerts', { emailAddresses: ['security@example.com', 'oncall@example.com'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security@example.com' });
  });

  test('uses a given key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'MyKey');
    const alerts = new SecretAlerts(stack, 'Alerts', { encryptionKey: key });
    expect(alerts.encryptionKey).toBe(key);
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
  });

  test('creates no trail by default, and an encrypted, validated trail with its own versioned bucket when asked', () => {
    const without = built('plain');
    expect(without.alerts.trail).toBeUndefined();
    without.template.resourceCountIs('AWS::CloudTrail::Trail', 0);

    const { stack, alerts, template } = built('withTrail');
    expect(alerts.trail).toBeDefined();
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      EnableLogFileValidation: true,
      IsLogging: true,
      KMSKeyId: { 'Fn::GetAtt': [stack.getLogicalId(alerts.encryptionKey.node.defaultChild as never), 'Arn'] },
      CloudWatchLogsLogGroupArn: Match.anyValue(),
    });
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test.each([false, true])('with createTrail: %s has zero unacknowledged compliance findings', (createTrail) => {
    const stack = new Stack(testApp(), 'Alerts', { env: { account: '111111111111', region: 'us-east-1' } });
    new SecretAlerts(stack, 'Alerts', { createTrail });
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('encrypts the trail\'s log group with its key', () => {
    const { stack, alerts, template } = built('withTrail');
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(alerts.encryptionKey.node.defaultChild as never), 'Arn'] },
      RetentionInDays: 365,
    });
  });
});
