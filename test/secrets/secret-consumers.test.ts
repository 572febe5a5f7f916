import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { secretConsumers } from '../../examples/secret-consumers';
import { RotatingSecret } from '../../lib/secrets';
import { AccessModel } from '../support/access-model';
import { testApp } from '../support/app';
import { complianceFindings } from '../support/compliance';

const viaSecretsManager = { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' };

function build() {
  const [stack] = secretConsumers.build(testApp());
  const apiKey = stack.node.findChild('ApiKey') as RotatingSecret;
  const taskDefinition = stack.node.findChild('Task') as ecs.FargateTaskDefinition;
  const reader = stack.node.findChild('Reader') as lambda.Function;
  return { stack, apiKey, taskDefinition, reader };
}

describe('the secret-consumers example', () => {
  test('has zero unacknowledged compliance findings', () => {
    const { stack } = build();
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('warns about no reader that the read deny locks out', () => {
    const { stack } = build();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('denyReadExcept'))).toEqual([]);
  });

  test('the container gets the key through secrets:, the function through the caching extension', () => {
    const { stack, apiKey } = build();
    const template = Template.fromStack(stack);
    const secretRef = stack.resolve((apiKey.secret.node.defaultChild as never as { ref: string }).ref);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Secrets: [{ Name: 'API_KEY', ValueFrom: { 'Fn::Join': ['', [secretRef, ':apiKey::']] } }] })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Layers: [Match.stringLikeRegexp('AWS-Parameters-and-Secrets-Lambda-Extension')],
      Environment: { Variables: Match.objectLike({ SECRETS_MANAGER_TTL: '300', PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'true', SECRET_ARN: secretRef }) },
    });
  });

  test('the execution role and the function\'s role read and decrypt the key; the task role and the account\'s other roles cannot', () => {
    const { stack, apiKey, taskDefinition, reader } = build();
    // the attacker: a role of the account whose own policy allows every read and decrypt
    const admin = new iam.Role(stack, 'Attacker', { assumedBy: new iam.AccountRootPrincipal() });
    admin.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:*', 'kms:*'], resources: ['*'] }));
    const model = new AccessModel([stack]);
    const decrypt = { ...viaSecretsManager, 'kms:EncryptionContext:SecretARN': model.arnOf(apiKey.secret) };
    for (const principal of [taskDefinition.executionRole!, reader.role!]) {
      expect(model.check({ principal, action: 'secretsmanager:GetSecretValue', resource: apiKey.secret })).toBe('Allowed');
      expect(model.check({ principal, action: 'kms:Decrypt', resource: apiKey.encryptionKey!, context: decrypt })).toBe('Allowed');
    }
    // the containers run as the task role, which never needs the value (ECS injected it at start):
    // it has no grant, and the read deny would refuse one
    expect(model.check({ principal: taskDefinition.taskRole, action: 'secretsmanager:GetSecretValue', resource: apiKey.secret })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: admin, action: 'secretsmanager:GetSecretValue', resource: apiKey.secret })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: 'arn:aws:iam::111111111111:role/Other', action: 'secretsmanager:GetSecretValue', resource: apiKey.secret })).toBe('ExplicitlyDenied');
    // the rotation function keeps rotating it
    expect(model.check({ principal: apiKey.rotationRole!, action: 'secretsmanager:GetSecretValue', resource: apiKey.secret })).toBe('Allowed');
  });

  test('builds one stack in us-east-1', () => {
    const { stack } = build();
    expect(stack).toBeInstanceOf(Stack);
    expect([stack.stackName, stack.region]).toEqual(['SecretConsumers', 'us-east-1']);
  });
});
