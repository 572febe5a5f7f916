import { Stack } from 'aws-cdk-lib';

/** `Stack.addStackDependency`, which newer aws-cdk-lib versions have in place of `addDependency`. */
interface StackWithStackDependency {
  addStackDependency(target: Stack, reason?: string): void;
}

/**
 * Makes `stack` deploy after `target`. aws-cdk-lib renamed `Stack.addDependency` to
 * `addStackDependency` after 2.257 (the peer minimum) and prints a deprecation warning for the old
 * name in every user's `cdk synth`: call the new name where the installed aws-cdk-lib has it.
 */
export function addStackDependency(stack: Stack, target: Stack, reason?: string): void {
  const renamed = stack as unknown as Partial<StackWithStackDependency>;
  if (typeof renamed.addStackDependency === 'function') {
    renamed.addStackDependency(target, reason);
  } else {
    stack.addDependency(target, reason);
  }
}
