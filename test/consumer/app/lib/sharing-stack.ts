import * as cdk from 'aws-cdk-lib/core';

/**
 * Area: sharing (AWS RAM). The library exports no sharing construct yet: when one lands, create its
 * stack here and return it.
 */
export function addSharingStacks(_app: cdk.App): cdk.Stack[] {
  return [];
}
