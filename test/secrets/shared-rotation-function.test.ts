import * as path from 'node:path';
import { App, FileSystem, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../../lib/secrets';
import { complianceFindings } from '../support/compliance';
import { databaseStack, newStack, resourcesOfType, rotationFunctions } from './helpers';

function manySecrets(stack: Stack, count: number, strategy: () => RotationStrategy = () => RotationStrategy.randomKey(), awsManagedKey = false): RotatingSecret[] {
  return Array.from({ length: count }, (_, i) => new RotatingSecret(stack, `Secret${i}`, { rotation: strategy(), awsManagedKey }));
}

/** Secrets with names of 500 characters (the longest is 512), on the AWS managed key. */
function longNamed(stack: Stack, count: number, from = 0): RotatingSecret[] {
  return Array.from({ length: count }, (_, i) => new RotatingSecret(stack, `Long${from + i}_`, {
    rotation: RotationStrategy.randomKey(), awsManagedKey: true, secretName: `s${String(from + i).padStart(8, '0')}/${'x'.repeat(490)}`,
  }));
}

describe('one rotation function per stack and strategy', () => {
  /** 50 random-key secrets with their own keys, built once for the tests that only read them. */
  let fifty: { stack: Stack; secrets: RotatingSecret[] } | undefined;
  const fiftySecrets = () => {
    if (!fifty) {
      const stack = newStack();
      fifty = { stack, secrets: manySecrets(stack, 50) };
    }
    return fifty;
  };

  test('50 secrets with the same strategy synthesize to exactly one rotation function', () => {
    const { stack, secrets } = fiftySecrets();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 50);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 50);
    expect(Object.keys(rotationFunctions(template))).toHaveLength(1);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    expect(new Set(secrets.map((s) => s.rotationFunction)).size).toBe(1);
    // every schedule points at the one function
    const fnId = stack.getLogicalId(secrets[0].rotationFunction.node.defaultChild as never);
    const schedules = Object.values(resourcesOfType(template.toJSON(), 'AWS::SecretsManager::RotationSchedule'));
    expect(new Set(schedules.map((s) => JSON.stringify(s.Properties.RotationLambdaARN)))).toEqual(new Set([JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] })]));
  });

  test('50 secrets with two strategies synthesize to exactly two rotation functions, each secret on its strategy\'s', () => {
    const { stack, vpc, instance } = databaseStack();
    const keys = manySecrets(stack, 25);
    const users = Array.from({ length: 25 }, (_, i) => new RotatingSecret(stack, `User${i}`, {
      rotation: RotationStrategy.postgresSingleUser(), database: DatabaseTarget.instance(instance), vpc, username: `user${i}`,
    }));
    const template = Template.fromStack(stack);
    expect(Object.keys(rotationFunctions(template))).toHaveLength(2);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 50);
    const functionOf = (secrets: RotatingSecret[]) => new Set(secrets.map((s) => stack.resolve(s.rotationSchedule.rotationLambdaArn)).map((a) => JSON.stringify(a)));
    expect(functionOf(keys).size).toBe(1);
    expect(functionOf(users).size).toBe(1);
    expect([...functionOf(keys)][0]).not.toEqual([...functionOf(users)][0]);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ROTATION_STRATEGY: 'random-key' }) } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ROTATION_STRATEGY: 'postgres-single-user' }) } });
  });

  test('the role of 50 secrets names each secret once and the shared key once, in as few managed policies as fit, and has no inline policy', () => {
    const { stack, secrets } = fiftySecrets();
    const template = Template.fromStack(stack).toJSON();
    const policies = Object.entries(resourcesOfType(template, 'AWS::IAM::ManagedPolicy')).filter(([id]) => id.includes('SecretsPolicy'));
    // 50 ARNs of about 95 characters fit one policy of 6,144
    expect(policies).toHaveLength(1);
    const [secretsStatement, keysStatement] = policies[0][1].Properties.PolicyDocument.Statement;
    const secretRefs = [secretsStatement.Resource].flat().map((r: { Ref: string }) => r.Ref);
    expect(secretRefs.sort()).toEqual(secrets.map((s) => stack.getLogicalId(s.secret.node.defaultChild as never)).sort());
    expect(keysStatement.Resource).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(secrets[0].encryptionKey!.node.defaultChild as never), 'Arn'] });
    expect(Object.keys(resourcesOfType(template, 'AWS::IAM::Policy'))).toEqual([]);
  });

  test('fills a policy up to IAM\'s 6,144 characters by the length of the secrets\' names', () => {
    const stack = newStack();
    // ARNs of about 560 characters: 9 fit a policy
    const secrets = longNamed(stack, 19);
    const template = Template.fromStack(stack).toJSON();
    const policies = Object.values(resourcesOfType(template, 'AWS::IAM::ManagedPolicy')).filter((p) => p.Properties.Description.includes('secrets this rotation function'));
    expect(policies.map((p) => [p.Properties.PolicyDocument.Statement[0].Resource].flat().length)).toEqual([9, 9, 1]);
    for (const policy of policies) {
      // the deployed size: the ARNs Secrets Manager gives the named secrets, without whitespace
      const deployed = JSON.stringify(policy.Properties.PolicyDocument).replace(/\{"Ref":"(\w+)"\}/g, (_, id: string) => {
        const secret = secrets.find((s) => stack.getLogicalId(s.secret.node.defaultChild as never) === id)!;
        return `"arn:aws:secretsmanager:us-east-1:111111111111:secret:${stack.resolve((secret.secret.node.defaultChild as secretsmanager.CfnSecret).name)}-AbCdEf"`;
      });
      expect(deployed.length).toBeLessThanOrEqual(6144);
    }
  });

  test('each rotation schedule waits for the policy that holds its secret', () => {
    const stack = newStack();
    const secrets = longNamed(stack, 10);
    const template = Template.fromStack(stack).toJSON();
    const dependsOn = (s: RotatingSecret) => template.Resources[stack.getLogicalId(s.rotationSchedule)].DependsOn as string[];
    expect(dependsOn(secrets[0]).filter((d) => d.includes('SecretsPolicy1'))).toHaveLength(1);
    expect(dependsOn(secrets[9]).filter((d) => d.includes('SecretsPolicy2'))).toHaveLength(1);
    expect(dependsOn(secrets[9]).filter((d) => d.includes('SecretsPolicy1'))).toHaveLength(0);
  });

  test('warns when a function\'s secrets need more managed policies than IAM allows by default', () => {
    // one stack grown from 81 long-named secrets (9 policies of 9) to 82 (Annotations.fromStack synthesizes afresh each time)
    const stack = newStack();
    longNamed(stack, 81);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('secrets use this rotation function'));
    longNamed(stack, 1, 81);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('More than 81 secrets use this rotation function: their ARNs fill 9 managed policies'));
  });

  test('fails when the same strategy asks the stack\'s function for other password settings, naming both secrets and the fix', () => {
    const stack = newStack();
    manySecrets(stack, 2, () => RotationStrategy.randomKey());
    expect(() => new RotatingSecret(stack, 'Other', { rotation: RotationStrategy.randomKey({ keyLength: 64 }) }))
      .toThrow('RotatingSecret Test/Other: its random-key rotation sets PASSWORD_LENGTH=64, but Test/Secret0 shares the same rotation function (Test/SecretRotationRandomKey) '
        + 'with PASSWORD_LENGTH=32; one function generates one kind of password, so give both the same options, or give one of them rotationFunctionGroup (e.g. "LongKeys") for a function of its own');
  });

  test('the same strategy with other password settings and a rotationFunctionGroup gets its own function', () => {
    const stack = newStack();
    manySecrets(stack, 3, () => RotationStrategy.randomKey());
    const other = new RotatingSecret(stack, 'Other', { rotation: RotationStrategy.randomKey({ keyLength: 64 }), rotationFunctionGroup: 'LongKeys' });
    expect(other.rotationFunction.node.scope!.node.path).toBe('Test/SecretRotationRandomKeyLongKeys');
    const template = Template.fromStack(stack);
    expect(Object.keys(rotationFunctions(template))).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ PASSWORD_LENGTH: '32' }) } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ PASSWORD_LENGTH: '64' }) } });
  });

  test('changing the password settings updates the function in place: every logical id stays', () => {
    const synth = (rotation: RotationStrategy) => {
      const stack = newStack();
      new RotatingSecret(stack, 'Key', { rotation });
      return Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties?: any }>;
    };
    const before = synth(RotationStrategy.randomKey());
    const after = synth(RotationStrategy.randomKey({ keyLength: 48, excludePunctuation: true }));
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const fnId = Object.keys(after).find((id) => after[id].Type === 'AWS::Lambda::Function')!;
    expect(before[fnId].Properties.Environment.Variables.PASSWORD_LENGTH).toBe('32');
    expect(after[fnId].Properties.Environment.Variables).toEqual(expect.objectContaining({ PASSWORD_LENGTH: '48', EXCLUDE_PUNCTUATION: 'true' }));
  });

  test('different strategies get different functions, each with its engine\'s bundle and ROTATION_STRATEGY', () => {
    const { stack, vpc, instance } = databaseStack();
    const common = { vpc, database: DatabaseTarget.instance(instance), username: 'app' };
    const strategies: [RotationStrategy, string][] = [
      [RotationStrategy.postgresSingleUser(), 'postgres'],
      [RotationStrategy.postgresAlternatingUsers({ masterSecret: instance.secret! }), 'postgres'],
      [RotationStrategy.mysqlSingleUser(), 'mysql'],
      [RotationStrategy.mysqlAlternatingUsers({ masterSecret: instance.secret! }), 'mysql'],
    ];
    strategies.forEach(([rotation], i) => {
      new RotatingSecret(stack, `A${i}`, { ...common, rotation });
      new RotatingSecret(stack, `B${i}`, { ...common, rotation });
    });
    const template = Template.fromStack(stack);
    expect(Object.keys(rotationFunctions(template))).toHaveLength(4);
    for (const [rotation, engine] of strategies) {
      const bundle = path.join(__dirname, '..', '..', 'assets', 'rotation', engine);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Code: { S3Key: `${FileSystem.fingerprint(bundle)}.zip` },
        Environment: { Variables: Match.objectLike({ ROTATION_STRATEGY: rotation.name }) },
      });
    }
  });

  test('secrets in two stacks get a function each', () => {
    const one = newStack('One');
    const two = new Stack(one.node.scope!, 'Two', { env: { account: '111111111111', region: 'us-east-1' } });
    manySecrets(one, 2);
    manySecrets(two, 2);
    expect(Object.keys(rotationFunctions(Template.fromStack(one)))).toHaveLength(1);
    expect(Object.keys(rotationFunctions(Template.fromStack(two)))).toHaveLength(1);
  });
});

describe('the shared function', () => {
  /** Two random-key secrets on one function, built once for the tests that only read it. */
  let shared: { secrets: RotatingSecret[]; template: Template } | undefined;
  const twoSecrets = () => {
    if (!shared) {
      const stack = newStack();
      const secrets = manySecrets(stack, 2);
      shared = { secrets, template: Template.fromStack(stack) };
    }
    return shared;
  };

  test('runs the rotation engine bundle on Node.js 24 with the contract\'s environment', () => {
    const { secrets, template } = twoSecrets();
    const fn = secrets[0].rotationFunction as lambda.Function;
    expect(fn.runtime).toBe(lambda.Runtime.NODEJS_24_X);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 60,
      Environment: {
        Variables: {
          ROTATION_STRATEGY: 'random-key', PASSWORD_LENGTH: '32', EXCLUDE_CHARACTERS: '"\'\\`/@:?#[]%&;={}<>|^', EXCLUDE_PUNCTUATION: 'false',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    // the code is the bundle in assets/rotation/random-key (the asset hash is its fingerprint)
    const bundle = path.join(__dirname, '..', '..', 'assets', 'rotation', 'random-key');
    template.hasResourceProperties('AWS::Lambda::Function', { Code: { S3Key: `${FileSystem.fingerprint(bundle)}.zip` } });
  });

  test('may be invoked only by Secrets Manager of its own account, for secrets of its account and region', () => {
    const { template } = twoSecrets();
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: '111111111111',
      SourceArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:*',
    });
  });

  test('logs to its own encrypted log group, kept a year', () => {
    const { template } = twoSecrets();
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: Match.anyValue() } });
  });

  test('uses only customer-managed policies: logs on its group, GetRandomPassword, and its secrets', () => {
    const { template } = twoSecrets();
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent(), Policies: Match.absent() });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('LogGroup'), 'Arn'] } },
          { Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
        ],
      },
    });
  });

  test('a random-key function outside a VPC has zero unacknowledged compliance findings', () => {
    // a stack of its own: the compliance packs are added to it as aspects
    const stack = newStack();
    manySecrets(stack, 2);
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('acknowledges only what it cannot fix, with reasons', () => {
    const fn = Object.values(twoSecrets().template.findResources('AWS::Lambda::Function'))[0];
    const ids = fn.Metadata.cdk_nag.rules_to_suppress.map((r: { id: string }) => r.id);
    expect(fn.Metadata.guard.SuppressedRules).toEqual(['lambda_inside_vpc_check']);
    expect(ids).toEqual([
      'NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency', 'PCI.DSS.321-LambdaConcurrency',
      'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'PCI.DSS.321-LambdaDLQ',
      // random-key needs no VPC; database strategies never get this one (see the example)
      'NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC',
    ]);
  });
});

describe('the shared function\'s environment stays within Lambda\'s 4 KB', () => {
  /** `count` PostgreSQL secrets on one shared function, each with its own database endpoint. */
  function secretsWithEndpoints(count: number, host: (i: number) => string): { stack: Stack; secrets: RotatingSecret[] } {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const databases = new ec2.SecurityGroup(stack, 'Databases', { vpc });
    const secrets = Array.from({ length: count }, (_, i) => new RotatingSecret(stack, `Secret${i}`, {
      rotation: RotationStrategy.postgresSingleUser(),
      database: DatabaseTarget.connectable(databases, { host: host(i), port: 5432 }),
      vpc,
      username: `app${i}`,
    }));
    return { stack, secrets };
  }
  const synth = (stack: Stack) => () => (stack.node.root as App).synth({ force: true });
  /** The bytes Lambda measures: the JSON of the deployed Variables (synthesized without validation). */
  function deployedEnvironmentBytes(stack: Stack, fn: lambda.IFunction): number {
    const assembly = (stack.node.root as App).synth({ skipValidation: true, force: true });
    const resources = assembly.getStackByName(stack.stackName).template.Resources;
    return Buffer.byteLength(JSON.stringify(resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment.Variables), 'utf8');
  }
  // 60-character host names: 40 fit in 4 KB with the other variables, 60 do not
  const longHost = (i: number) => `db-${String(i).padStart(3, '0')}.${'a'.repeat(36)}.internal.example.com`;

  test('fails at synthesis when it would exceed the limit, naming the function, the size Lambda measures and how to split', () => {
    const { stack, secrets } = secretsWithEndpoints(60, longHost);
    const bytes = deployedEnvironmentBytes(stack, secrets[0].rotationFunction);
    expect(bytes).toBeGreaterThan(4096);
    const fnPath = (secrets[0].rotationFunction.node.scope as Construct).node.path;
    expect(fnPath).toMatch(/^Test\/SecretRotationPostgresSingleUser[0-9a-f]{8}$/);
    expect(synth(stack)).toThrow(
      `RotatingSecret: the environment of the shared postgres-single-user rotation function ${fnPath} is ${bytes} bytes, over Lambda's limit of 4096 bytes `
      + '(4 KB, the JSON of all its variables); largest in bytes: ALLOWED_DATABASE_ENDPOINTS ');
    expect(synth(stack)).toThrow(/It lists the 60 database endpoints and 0 declared users of every postgres-single-user secret of the stack with the same placement; give each function fewer secrets: move some of them to another stack \(each stack has its own rotation function\), or declare fewer users or grants/);
  });

  test('synthesizes up to the limit, and measures what Lambda measures', () => {
    const { stack, secrets } = secretsWithEndpoints(40, longHost);
    const bytes = deployedEnvironmentBytes(stack, secrets[0].rotationFunction);
    expect(bytes).toBeGreaterThan(2500);
    expect(bytes).toBeLessThanOrEqual(4096);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('counts an endpoint known only at deploy time as 64 characters, and says the size is estimated', () => {
    const { stack } = secretsWithEndpoints(60, (i) => Fn.importValue(`DatabaseHost${i}`));
    expect(synth(stack)).toThrow(
      /is about \d+ bytes, over Lambda's limit of 4096 bytes \(4 KB, the JSON of all its variables\), counting each endpoint address known only at deploy time as 64 characters/);
  });
});

describe('a stack full of rotated secrets', () => {
  /** `count` random-key secrets with every default (the shared key) in a new stack. */
  const stackOf = (count: number) => {
    const stack = newStack();
    return { stack, secrets: manySecrets(stack, count) };
  };

  test('163 rotated secrets synthesize: 3 resources each (secret, resource policy, schedule) and one key for all', () => {
    const { stack } = stackOf(163);
    const template = Template.fromStack(stack).toJSON();
    const resources = Object.values(template.Resources) as { Type: string }[];
    expect(resources.length).toBeLessThanOrEqual(500);
    const count = (type: string) => resources.filter((r) => r.Type === type).length;
    expect(count('AWS::SecretsManager::Secret')).toBe(163);
    expect(count('AWS::SecretsManager::ResourcePolicy')).toBe(163);
    expect(count('AWS::SecretsManager::RotationSchedule')).toBe(163);
    // the shared secrets key and the rotation function's log key
    expect(count('AWS::KMS::Key')).toBe(2);
    // everything else is the one rotation function: role, log key and group, policies, function, permission
    const perSecret = 3 * 163;
    expect(resources.length - perSecret).toBeLessThanOrEqual(11);
  });

  test('fails at synth with 164, saying which limit, how many fit and what to do', () => {
    const { stack } = stackOf(164);
    expect(() => Template.fromStack(stack)).toThrow(/Stack Test has 502 CloudFormation resources, more than CloudFormation's limit of 500 per stack: its 164 RotatingSecrets take 492 \(3 each\) and the rest of the stack 10, so 163 of these secrets fit\. Split the secrets across stacks/);
  });

  test('counts a dedicated key in what each secret takes', () => {
    const stack = newStack();
    for (let i = 0; i < 125; i++) new RotatingSecret(stack, `Own${i}`, { rotation: RotationStrategy.randomKey(), dedicatedEncryptionKey: true });
    expect(() => Template.fromStack(stack)).toThrow(/its 125 RotatingSecrets take 500 \(4 each\).*so 122 of these secrets fit.*secrets without dedicatedEncryptionKey share the stack's key and take 3 resources each/);
  });
});
