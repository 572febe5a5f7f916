import { Token } from 'aws-cdk-lib';

/** Throws unless `name` is a name IAM accepts for a managed policy (1 to 128 of `[\w+=,.@-]`). */
export function validateManagedPolicyName(where: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  if (!/^[\w+=,.@-]{1,128}$/.test(name)) {
    throw new Error(`${where}: managedPolicyName must be 1 to 128 letters, digits and +=,.@-_, got "${name}"`);
  }
}
