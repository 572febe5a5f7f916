import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { Example } from './example';

/** The smallest example: a customer-managed key with rotation on. Keeps `cdk synth` meaningful before any pattern lands. */
export const baseline: Example = {
  name: 'baseline',
  description: 'a customer-managed KMS key with yearly rotation',
  build(scope: Construct) {
    const stack = new Stack(scope, 'Baseline', {
      description: 'cdk-security-patterns baseline example: one customer-managed KMS key',
    });
    new kms.Key(stack, 'Key', { enableKeyRotation: true, description: 'cdk-security-patterns baseline key' });
    return [stack];
  },
};
