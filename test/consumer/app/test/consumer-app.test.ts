import * as cdk from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import { addConsumerStacks } from '../lib/consumer-app';

// The feature flags of cdk.json, which `cdk synth` passes to the app (a bare `new App()` in a test
// would have none of them).
const context = require('../cdk.json').context;

describe('the consumer app', () => {
  const app = new cdk.App({ context });
  const stacks = addConsumerStacks(app);

  test('runs with every recommended feature flag of the installed aws-cdk-lib', () => {
    expect(Object.keys(context).length).toBeGreaterThan(50);
    expect(app.node.tryGetContext('@aws-cdk/aws-iam:minimizePolicies')).toBe(true);
  });

  test.each(stacks.map((stack) => [stack.stackName, stack] as const))('%s synthesizes to the same template as last time', (_name, stack) => {
    const template = Template.fromStack(stack).toJSON();
    expect(Object.keys(template.Resources ?? {}).length).toBeGreaterThan(0);
    expect(template).toMatchSnapshot();
  });
});
