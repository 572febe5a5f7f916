import * as cdk from 'aws-cdk-lib/core';
import { Construct } from 'constructs';

/**
 * The construct id under which the app keeps the few resources it creates itself. The consumer test
 * counts every other resource as created by the library (its constructs, or CDK on their behalf).
 */
export const APP_OWNED_ID = 'AppOwned';

/** The scope for the app's own resources in `stack`. */
export function appOwned(stack: cdk.Stack): Construct {
  return (stack.node.tryFindChild(APP_OWNED_ID) as Construct | undefined) ?? new Construct(stack, APP_OWNED_ID);
}
