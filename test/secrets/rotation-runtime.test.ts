// The Lambda runtime of the shared rotation functions: Node.js 24 by default, a newer Node.js
// runtime by prop, one runtime per shared function, and source-mapped stack traces.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DatabaseTarget, RotatingSecret, RotatingSecretProps, RotationStrategy } from '../../lib/secrets';
import { complianceFindings } from '../support/compliance';
import { databaseStack, newStack, resourcesOfType } from './helpers';

/** A Node.js runtime newer than any aws-cdk-lib 2.257 names, as a user would write it before it does. */
const NODEJS_26 = new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS);

function key(stack: Stack, id: string, props: Partial<RotatingSecretProps> = {}): RotatingSecret {
  return new RotatingSecret(stack, id, { rotation: RotationStrategy.randomKey(), ...props });
}

/** The shared rotation functions (not the functions aws-cdk-lib adds, e.g. for a VPC's default security group). */
function functions(stack: Stack): Record<string, any> {
  return Object.fromEntries(Object.entries(resourcesOfType(Template.fromStack(stack).toJSON(), 'AWS::Lambda::Function'))
    .filter(([id]) => id.startsWith('SecretRotation')));
}

describe('default runtime', () => {
  test('every strategy\'s function runs on nodejs24.x with source-mapped stack traces', () => {
    const { stack, vpc, instance } = databaseStack();
    const database = { vpc, database: DatabaseTarget.instance(instance), username: 'app' };
    key(stack, 'Key');
    new RotatingSecret(stack, 'PgSingle', { ...database, rotation: RotationStrategy.postgresSingleUser() });
    new RotatingSecret(stack, 'PgAlternating', { ...database, rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: instance.secret! }) });
    new RotatingSecret(stack, 'MySingle', { ...database, rotation: RotationStrategy.mysqlSingleUser() });
    new RotatingSecret(stack, 'MyAlternating', { ...database, rotation: RotationStrategy.mysqlAlternatingUsers({ masterSecret: instance.secret! }) });
    const fns = Object.values(functions(stack));
    expect(fns).toHaveLength(5);
    for (const fn of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  test('the function object reports the runtime it runs on', () => {
    const secret = key(newStack(), 'Key');
    expect((secret.rotationFunction as lambda.Function).runtime.name).toBe(lambda.Runtime.NODEJS_24_X.name);
  });

  test('has no AwsSolutions-L1 acknowledgement: it is the newest Node.js runtime aws-cdk-lib 2.257 names', () => {
    // (the zero compliance findings of the default are tested in shared-rotation-function.test.ts: a
    // runtime made in this file, like NODEJS_26 below, joins lambda.Runtime.ALL, which AwsSolutions-L1 reads)
    const stack = newStack();
    key(stack, 'Key');
    const [fn] = Object.values(functions(stack));
    expect(fn.Metadata.cdk_nag.rules_to_suppress.map((r: { id: string }) => r.id)).not.toContain('AwsSolutions-L1');
  });
});

describe('rotationFunctionRuntime', () => {
  test('a newer Node.js runtime is used as given', () => {
    const stack = newStack();
    const secret = key(stack, 'Key', { rotationFunctionRuntime: NODEJS_26 });
    expect((secret.rotationFunction as lambda.Function).runtime).toBe(NODEJS_26);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs26.x' });
  });

  test('a newer runtime needs no acknowledgement: made with new lambda.Runtime, it joins the list AwsSolutions-L1 compares against', () => {
    const stack = newStack();
    key(stack, 'Key', { rotationFunctionRuntime: NODEJS_26 });
    expect(lambda.Runtime.ALL).toContain(NODEJS_26);
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('changing it updates the function in place: same logical id, new Runtime', () => {
    const before = newStack();
    key(before, 'Key');
    const after = newStack();
    key(after, 'Key', { rotationFunctionRuntime: NODEJS_26 });
    const [[idBefore, fnBefore]] = Object.entries(functions(before));
    const [[idAfter, fnAfter]] = Object.entries(functions(after));
    expect(idAfter).toBe(idBefore);
    expect([fnBefore.Properties.Runtime, fnAfter.Properties.Runtime]).toEqual(['nodejs24.x', 'nodejs26.x']);
  });

  test('secrets that give the default explicitly and leave it out share one function', () => {
    const stack = newStack();
    key(stack, 'A', { rotationFunctionRuntime: lambda.Runtime.NODEJS_24_X });
    key(stack, 'B');
    expect(Object.keys(functions(stack))).toHaveLength(1);
  });

  test('two strategies may run on different runtimes: they have a function each', () => {
    const stack = newStack();
    key(stack, 'Key', { rotationFunctionRuntime: NODEJS_26 });
    key(stack, 'LongKey', { rotation: RotationStrategy.randomKey({ keyLength: 64 }), rotationFunctionGroup: 'LongKeys' });
    const runtimes = Object.values(functions(stack)).map((fn) => fn.Properties.Runtime).sort();
    expect(runtimes).toEqual(['nodejs24.x', 'nodejs26.x']);
  });

  test('fails when two secrets of one shared function ask for different runtimes (the default first)', () => {
    const stack = newStack();
    const first = key(stack, 'A');
    const fnPath = first.rotationFunction.node.scope!.node.path;
    expect(() => key(stack, 'B', { rotationFunctionRuntime: NODEJS_26 }))
      .toThrow(`RotatingSecret Test/B: rotationFunctionRuntime is nodejs26.x, but Test/A shares the same random-key rotation function (${fnPath}) `
        + 'and runs it on nodejs24.x; one function has one runtime, so give every random-key secret of the stack with the same placement '
        + 'the same rotationFunctionRuntime (or leave it out on all of them for the default)');
  });

  test('fails when two secrets of one shared function ask for different runtimes (the newer first)', () => {
    const stack = newStack();
    key(stack, 'A', { rotationFunctionRuntime: NODEJS_26 });
    expect(() => key(stack, 'B'))
      .toThrow(/^RotatingSecret Test\/B: rotationFunctionRuntime is nodejs24\.x, but Test\/A shares the same random-key rotation function \(Test\/SecretRotationRandomKey\) and runs it on nodejs26\.x;/);
  });

  test('fails when the runtime is older than the one the bundles are built for', () => {
    expect(() => key(newStack(), 'Key', { rotationFunctionRuntime: lambda.Runtime.NODEJS_22_X }))
      .toThrow('RotatingSecret Test/Key: rotationFunctionRuntime must be a Node.js runtime of version 24 or newer (the function\'s code is built for Node.js 24), '
        + 'got nodejs22.x; leave rotationFunctionRuntime out for nodejs24.x, or name a newer one, e.g. new lambda.Runtime(\'nodejs26.x\', lambda.RuntimeFamily.NODEJS)');
  });

  test.each([
    ['a Python runtime', lambda.Runtime.PYTHON_3_12, 'python3.12'],
    ['the unversioned nodejs runtime', lambda.Runtime.NODEJS, 'nodejs'],
    ['a Node.js-family runtime with a name Lambda does not use', new lambda.Runtime('nodejs-latest', lambda.RuntimeFamily.NODEJS), 'nodejs-latest'],
  ])('fails when the runtime is %s', (_, runtime, name) => {
    expect(() => key(newStack(), 'Key', { rotationFunctionRuntime: runtime }))
      .toThrow(`RotatingSecret Test/Key: rotationFunctionRuntime must be a Node.js runtime of version 24 or newer (the function's code is built for Node.js 24), got ${name};`);
  });

  test('fails when it is given with a custom strategy, whose function is the user\'s own', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111111111111:function:rotate');
    expect(() => new RotatingSecret(stack, 'Secret', { rotation: RotationStrategy.custom(fn), rotationFunctionRuntime: lambda.Runtime.NODEJS_24_X }))
      .toThrow('RotatingSecret Test/Secret: rotationFunctionRuntime sets the runtime of the shared rotation function, got nodejs24.x with RotationStrategy.custom(); '
        + 'set the runtime of your own function where you create it');
  });

  test('control: the same two secrets with the same runtime build without error', () => {
    const stack = newStack();
    key(stack, 'A', { rotationFunctionRuntime: NODEJS_26 });
    key(stack, 'B', { rotationFunctionRuntime: new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS) });
    expect(Object.values(functions(stack)).map((fn) => fn.Properties.Runtime)).toEqual(['nodejs26.x']);
    Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
  });
});
