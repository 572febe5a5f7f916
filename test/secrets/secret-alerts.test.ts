import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RotatingSecret, RotationStrategy, SecretAlerts } from '../../lib/secrets';
import { AccessModel } from '../support/access-model';
import { complianceFindings } from '../support/compliance';
import {
  apiCallEvent, concretePattern, iamUser, kmsCallEvent, matchesEventPattern, roleSession, rootUser, SAMPLE_KEY_ARN, SAMPLE_SECRET_ARN, serviceEvent,
} from './event-pattern';
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
    template.resourceCountIs('AWS::Events::Rule', 9);
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
      expect(matchesEventPattern({ source: [{ prefix: 'aws.' }] }, events.DisableKey)).toBe(true);
      // anything-but and every other filter but exists:false need the field
      expect(matchesEventPattern({ detail: { missing: [{ 'anything-but': ['x'] }] } }, events.DisableKey)).toBe(false);
      expect(matchesEventPattern({ detail: { missing: { deeper: [{ exists: false }] } } }, events.DisableKey)).toBe(true);
      expect(matchesEventPattern({ detail: { eventName: [{ exists: false }] } }, events.DisableKey)).toBe(false);
      expect(matchesEventPattern({ detail: { $or: [{ eventName: ['Other'] }, { eventSource: ['kms.amazonaws.com'] }] } }, events.DisableKey)).toBe(true);
      expect(matchesEventPattern({ detail: { $or: [{ eventName: ['Other'] }, { eventSource: ['other'] }] } }, events.DisableKey)).toBe(false);
      expect(() => matchesEventPattern({ source: [{ numeric: ['>', 0] }] }, events.DisableKey)).toThrow('the content filter numeric is not supported');
    });
  });

  describe('with watched secrets, the rules fire on what an attack on rotation needs and not on the rotation\'s own calls', () => {
    const stack = newStack('Watched');
    const watchedByProp = new RotatingSecret(stack, 'ApiKey', { rotation: RotationStrategy.randomKey() });
    // another strategy's options: another shared rotation function and role
    const watchedLater = new RotatingSecret(stack, 'LongApiKey', { rotation: RotationStrategy.randomKey({ keyLength: 40 }), rotationFunctionGroup: 'LongKeys', dedicatedEncryptionKey: true });
    const alerts = new SecretAlerts(stack, 'Alerts', { secrets: [watchedByProp] });
    alerts.watch(watchedLater);
    alerts.watch(watchedByProp);
    const template = Template.fromStack(stack).toJSON();
    const model = new AccessModel([stack]);
    const resolve = (intrinsic: { Ref?: string; 'Fn::GetAtt'?: [string, string] }) => {
      const [logicalId, attribute] = intrinsic['Fn::GetAtt'] ?? [intrinsic.Ref!, 'Ref'];
      const arn = model.arnOfLogicalId(stack.stackName, logicalId);
      if (attribute === 'Arn') return arn;
      if (template.Resources[logicalId].Type === 'AWS::Lambda::Function') return arn.split(':').pop()!;
      throw new Error(`no concrete value for ${JSON.stringify(intrinsic)}`);
    };
    const rules = {
      secretDeletionRule: alerts.secretDeletionRule,
      resourcePolicyChangeRule: alerts.resourcePolicyChangeRule,
      rotationFailureRule: alerts.rotationFailureRule,
      keyDeletionRule: alerts.keyDeletionRule,
      secretValueWriteRule: alerts.secretValueWriteRule,
      rotationFunctionChangeRule: alerts.rotationFunctionChangeRule,
      rotationCancelRule: alerts.rotationCancelRule,
      keyAccessChangeRule: alerts.keyAccessChangeRule,
      rotationFunctionCodeChangeRule: alerts.rotationFunctionCodeChangeRule,
    };
    const patterns = Object.fromEntries(Object.entries(rules).map(([name, rule]) => {
      const resource = template.Resources[stack.getLogicalId(rule.node.defaultChild as never)];
      expect(resource.Properties.State).toBe('ENABLED');
      return [name, concretePattern(resource.Properties.EventPattern, resolve)];
    }));
    const firing = (event: Record<string, unknown>) => Object.keys(patterns).filter((name) => matchesEventPattern(patterns[name], event));

    const fnA = watchedByProp.rotationFunction;
    const fnB = watchedLater.rotationFunction;
    const fnArn = model.arnOf(fnA);
    const fnName = fnArn.split(':').pop()!;
    const rotator = roleSession(model.arnOf(fnA.role!), fnName);
    const otherRotator = roleSession(model.arnOf(fnB.role!), model.arnOf(fnB).split(':').pop()!);
    const secretArn = model.arnOf(watchedByProp.secret);
    const keyArn = model.arnOf(watchedByProp.encryptionKey!);
    const otherKeyArn = model.arnOf(watchedLater.encryptionKey!);
    const secretId = { secretId: secretArn };
    const value = { ...secretId, clientRequestToken: 'c1a6e3a0-0000-4000-8000-000000000000', versionStages: ['AWSPENDING'] };
    const viaSecretsManager = { ...rotator, invokedBy: 'secretsmanager.amazonaws.com' };
    const attackerFunction = 'arn:aws:lambda:us-east-1:111111111111:function:innocent-looking';
    const fnResponse = { functionName: fnName, functionArn: fnArn, runtime: 'nodejs24.x' };

    test.each<[string, Record<string, unknown>, string[]]>([
      // the attacks
      ['an administrator writes a value', apiCallEvent('secretsmanager', 'PutSecretValue', value), ['secretValueWriteRule']],
      ['an administrator updates the secret (value or key)', apiCallEvent('secretsmanager', 'UpdateSecret', { ...secretId, kmsKeyId: SAMPLE_KEY_ARN }), ['secretValueWriteRule']],
      ['an IAM user writes with an access key', apiCallEvent('secretsmanager', 'PutSecretValue', value, { userIdentity: iamUser('mallory') }), ['secretValueWriteRule']],
      ['the root user writes', apiCallEvent('secretsmanager', 'PutSecretValue', value, { userIdentity: rootUser() }), ['secretValueWriteRule']],
      ['a role named like the rotation role writes', apiCallEvent('secretsmanager', 'PutSecretValue', value,
        { userIdentity: roleSession(`${model.arnOf(fnA.role!)}-copy`, fnName) }), ['secretValueWriteRule']],
      ['rotation is handed to another function', apiCallEvent('secretsmanager', 'RotateSecret', { ...secretId, rotationLambdaARN: attackerFunction }), ['rotationFunctionChangeRule']],
      ['rotation is cancelled', apiCallEvent('secretsmanager', 'CancelRotateSecret', secretId), ['rotationCancelRule']],
      ['the key policy of a watched secret changes', kmsCallEvent('PutKeyPolicy', keyArn, { policyName: 'default' }), ['keyAccessChangeRule']],
      ['the key of the secret watched later gets a new policy', kmsCallEvent('PutKeyPolicy', otherKeyArn, { policyName: 'default' }), ['keyAccessChangeRule']],
      ['a grant on the key is created directly', kmsCallEvent('CreateGrant', keyArn, { granteePrincipal: 'arn:aws:iam::999999999999:root', operations: ['Decrypt'] }), ['keyAccessChangeRule']],
      ['rotation of the key is turned off', kmsCallEvent('DisableKeyRotation', keyArn), ['keyAccessChangeRule']],
      ['the rotation function gets new code (by name)', apiCallEvent('lambda', 'UpdateFunctionCode20150331v2', { functionName: fnName, publish: false }, { responseElements: fnResponse }), ['rotationFunctionCodeChangeRule']],
      ['the rotation function gets new code (by ARN, the response left out)', apiCallEvent('lambda', 'UpdateFunctionCode20150331v2', { functionName: fnArn }), ['rotationFunctionCodeChangeRule']],
      ['the rotation function gets new code (by partial ARN)', apiCallEvent('lambda', 'UpdateFunctionCode20150331v2', { functionName: `111111111111:function:${fnName}` }), ['rotationFunctionCodeChangeRule']],
      ['the rotation function gets a layer (named in a form the rule does not list, the response names it)', apiCallEvent('lambda', 'UpdateFunctionConfiguration20150331v2',
        { functionName: `${fnArn}:$LATEST`, layers: ['arn:aws:lambda:us-east-1:999999999999:layer:x:1'] }, { responseElements: fnResponse }), ['rotationFunctionCodeChangeRule']],
      ['the function watched later gets new environment variables', apiCallEvent('lambda', 'UpdateFunctionConfiguration20150331v2',
        { functionName: model.arnOf(fnB).split(':').pop(), environment: { variables: { NODE_OPTIONS: '--require /tmp/x.js' } } }), ['rotationFunctionCodeChangeRule']],
      ['the rotation function is deleted to be created again', apiCallEvent('lambda', 'DeleteFunction20150331', { functionName: fnName }), ['rotationFunctionCodeChangeRule']],
      // the rotation's own calls, the deploy's and unrelated ones
      ['the rotation function writes AWSPENDING', apiCallEvent('secretsmanager', 'PutSecretValue', value, { userIdentity: rotator }), []],
      ['the other rotation function writes its secret', apiCallEvent('secretsmanager', 'PutSecretValue', value, { userIdentity: otherRotator }), []],
      ['the rotation function moves AWSCURRENT', apiCallEvent('secretsmanager', 'UpdateSecretVersionStage', { ...secretId, versionStage: 'AWSCURRENT' }, { userIdentity: rotator }), []],
      ['the rotation function reads', apiCallEvent('secretsmanager', 'GetSecretValue', { ...secretId, versionStage: 'AWSCURRENT' }, { userIdentity: rotator }), []],
      ['the rotation function asks for a password', apiCallEvent('secretsmanager', 'GetRandomPassword', { passwordLength: 32 }, { userIdentity: rotator }), []],
      ['Secrets Manager decrypts for the rotation function', kmsCallEvent('Decrypt', keyArn, {}, { userIdentity: viaSecretsManager }), []],
      ['CloudFormation sets the watched rotation function', apiCallEvent('secretsmanager', 'RotateSecret', { ...secretId, rotationLambdaARN: fnArn }), []],
      ['someone rotates now with the configured function', apiCallEvent('secretsmanager', 'RotateSecret', secretId), []],
      ['RDS creates a grant on the key for its storage', kmsCallEvent('CreateGrant', keyArn, { granteePrincipal: 'rds.amazonaws.com' },
        { userIdentity: { ...roleSession('arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role', 'AWSCloudFormation'), invokedBy: 'rds.amazonaws.com' } }), []],
      ['rotation of the key is turned on', kmsCallEvent('EnableKeyRotation', keyArn), []],
      ['another key\'s policy changes', kmsCallEvent('PutKeyPolicy', SAMPLE_KEY_ARN, { policyName: 'default' }), []],
      ['another function gets new code', apiCallEvent('lambda', 'UpdateFunctionCode20150331v2', { functionName: 'my-app-api' },
        { responseElements: { functionName: 'my-app-api', functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:my-app-api' } }), []],
      ['the rotation function is read', apiCallEvent('lambda', 'GetFunction20150331v2', { functionName: fnName }), []],
    ])('%s', (_name, event, expected) => {
      expect(firing(event)).toEqual(expected);
    });

    test('every watched function, role and key is named once', () => {
      const write = JSON.stringify(patterns.secretValueWriteRule);
      expect(write.split(model.arnOf(fnA.role!)).length - 1).toBe(1);
      expect(write).toContain(model.arnOf(fnB.role!));
      expect(patterns.keyAccessChangeRule.detail.resources.ARN).toEqual([keyArn, otherKeyArn]);
      expect(patterns.rotationFunctionChangeRule.detail.requestParameters.rotationLambdaARN).toEqual([{ 'anything-but': [fnArn, model.arnOf(fnB)] }]);
    });
  });

  test('without watched secrets, every value write alerts, and the key and function rules are off', () => {
    const { stack, alerts, template } = built('plain');
    const resource = (rule: { node: { defaultChild?: unknown } }) => template.toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as never)];
    expect(resource(alerts.keyAccessChangeRule).Properties.State).toBe('DISABLED');
    expect(resource(alerts.rotationFunctionCodeChangeRule).Properties.State).toBe('DISABLED');
    const write = resource(alerts.secretValueWriteRule).Properties;
    expect(write.State).toBe('ENABLED');
    const rotation = roleSession('arn:aws:iam::111111111111:role/SomeRotationRole', 'some-function');
    expect(matchesEventPattern(write.EventPattern, apiCallEvent('secretsmanager', 'PutSecretValue', { secretId: SAMPLE_SECRET_ARN }, { userIdentity: rotation }))).toBe(true);
  });

  test('warns when a watched secret\'s key is named by alias, which CloudTrail never names', () => {
    const stack = newStack();
    const imported = secretsmanager.Secret.fromSecretAttributes(stack, 'Imported', {
      secretCompleteArn: SAMPLE_SECRET_ARN,
      encryptionKey: kms.Key.fromKeyArn(stack, 'AliasKey', 'arn:aws:kms:us-east-1:111111111111:alias/my-app'),
    });
    const secret = new RotatingSecret(stack, 'Secret', { existingSecret: imported, rotation: RotationStrategy.randomKey() });
    const alerts = new SecretAlerts(stack, 'Alerts', { secrets: [secret] });
    Annotations.fromStack(stack).hasWarning('/Test/Alerts', Match.stringLikeRegexp('The key of Test/Secret is named by alias \\(arn:aws:kms:us-east-1:111111111111:alias/my-app\\)'));
    const rule = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(alerts.keyAccessChangeRule.node.defaultChild as never)];
    expect(rule.Properties.State).toBe('DISABLED');
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
    expect(model.check({ principal: 'arn:aws:iam::111111111111:role/Admin', action: 'sns:Publish', resource: alerts.topic, context: { 'aws:SecureTransport': false } }))
      .toBe('ExplicitlyDenied');
    expect(model.check({ principal: 'arn:aws:iam::222222222222:role/Outsider', action: 'sns:Publish', resource: alerts.topic })).toBe('ImplicitlyDenied');
  });

  describe('an alert as the services deliver it: EventBridge publishes with its rule\'s ARN, then uses the key with no source keys', () => {
    const { stack, alerts, template } = built('plain');
    const model = new AccessModel([stack]);
    const ourRule = { 'aws:SourceArn': model.arnOf(alerts.secretValueWriteRule), 'aws:SourceAccount': '111111111111' };
    const foreignRule = { 'aws:SourceArn': 'arn:aws:events:us-east-1:999999999999:rule/forged', 'aws:SourceAccount': '999999999999' };
    // EventBridge sends no aws:SourceAccount or aws:SourceArn on the KMS calls behind a publish to an
    // encrypted topic (SNS developer guide, Key management): the model must not add them either
    const kmsCall = { 'aws:SourceAccount': null, 'aws:SourceArn': null };

    test.each(['kms:GenerateDataKey', 'kms:Decrypt'])('our rule\'s alert arrives: publish allowed, then %s with the context EventBridge sends', (action) => {
      model.assertDecision({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: alerts.topic, context: ourRule }, 'Allowed');
      model.assertDecision({ principal: 'events.amazonaws.com', action, resource: alerts.encryptionKey, context: kmsCall }, 'Allowed');
    });

    test('another account\'s rule aimed at the topic is refused at the publish, before any key use', () => {
      expect(model.check({ principal: 'events.amazonaws.com', action: 'sns:Publish', resource: alerts.topic, context: foreignRule })).toBe('ExplicitlyDenied');
    });

    test('no statement of the key for EventBridge tests a key EventBridge does not send', () => {
      const [key] = Object.values(template.findResources('AWS::KMS::Key'));
      const forEvents = key.Properties.KeyPolicy.Statement.filter((st: any) => JSON.stringify(st.Principal?.Service ?? '').includes('events.amazonaws.com'));
      expect(forEvents).toHaveLength(1);
      expect(forEvents[0]).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
      expect(forEvents[0].Condition).toBeUndefined();
    });
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
    // The allowed exceptions, where the service sends no source keys: EventBridge's use of the topic's
    // key (the topic policy names the rules instead) and the trust of the trail's log role (naming a
    // role for a trail takes iam:PassRole).
    const exempt = (id: string, statement: any) => (/^AlertsKey/.test(id) && statement.Sid === 'AllowEventBridgeToPublishToTheEncryptedTopic')
      || (/^AlertsTrailLogsRole[0-9A-F]{8}$/.test(id) && statement.Principal.Service === 'cloudtrail.amazonaws.com' && statement.Action === 'sts:AssumeRole');
    const unguarded: string[] = [];
    for (const [id, resource] of Object.entries<any>(template.toJSON().Resources)) {
      const p = resource.Properties ?? {};
      for (const document of [p.KeyPolicy, p.PolicyDocument, p.AssumeRolePolicyDocument].filter(Boolean)) {
        for (const statement of document.Statement) {
          if (statement.Effect !== 'Allow' || statement.Principal?.Service === undefined || exempt(id, statement)) continue;
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

    test('CloudTrail assumes the log group role as it really calls (no source keys); nobody else may, and the role writes to this log group only', () => {
      const role = alerts.trail!.node.findChild('LogsRole');
      model.assertDecision({ principal: 'cloudtrail.amazonaws.com', action: 'sts:AssumeRole', resource: role,
        context: { 'aws:SourceArn': null, 'aws:SourceAccount': null } }, 'Allowed');
      for (const other of ['lambda.amazonaws.com', 'events.amazonaws.com', 'arn:aws:iam::999999999999:role/Attacker', 'arn:aws:iam::111111111111:role/Developer']) {
        expect([other, model.check({ principal: other, action: 'sts:AssumeRole', resource: role })]).toEqual([other, 'ImplicitlyDenied']);
      }
      const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
      expect(built('withTrail').template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' } }]);
      // what a session of the role can do: write to the trail's log group, nothing else
      const logGroup = alerts.node.findChild('TrailLogGroup');
      const stream = `${model.arnOf(logGroup)}:log-stream:111111111111_CloudTrail_us-east-1`;
      expect(model.check({ principal: role, action: 'logs:PutLogEvents', resource: stream })).toBe('Allowed');
      expect(model.check({ principal: role, action: 'logs:PutLogEvents', resource: 'arn:aws:logs:us-east-1:111111111111:log-group:other:log-stream:x' })).toBe('ImplicitlyDenied');
      expect(model.check({ principal: role, action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:any-AbCdEf' })).toBe('ImplicitlyDenied');
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
