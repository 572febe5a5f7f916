import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SecureKey } from '../lib';
import { Example } from './example';

/** The smallest example: a customer-managed key with rotation on. Keeps `cdk synth` meaningful before any pattern lands. */
export const baseline: Example = {
  name: 'baseline',
  description: 'a customer-managed KMS key: yearly rotation, grants only for AWS services',
  build(scope: Construct) {
    const stack = new Stack(scope, 'Baseline', {
      description: 'cdk-security-patterns baseline example: one customer-managed KMS key',
    });
    new SecureKey(stack, 'Key', { description: 'cdk-security-patterns baseline key' });
    return [stack];
  },
};
