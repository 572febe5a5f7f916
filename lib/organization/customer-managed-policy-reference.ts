import { Token } from 'aws-cdk-lib';

/**
 * A customer managed policy by name (and path) that IAM Identity Center attaches to the role it
 * provisions in each assigned account. The policy must already exist under that name in every one of
 * those accounts (roll it out with `OrganizationStackSet`); Identity Center fails the assignment in
 * an account where it is missing.
 */
export interface CustomerManagedPolicyReference {
  /** The policy's name, as in each account, e.g. `DeveloperBoundary`. */
  readonly name: string;

  /**
   * The policy's IAM path.
   *
   * @default '/'
   */
  readonly path?: string;
}

const NAME = /^[\w+=,.@-]{1,128}$/;
const PATH = /^((\/[A-Za-z0-9.,+@=_-]+)*)\/$/;

/** Checks a reference against Identity Center's patterns and returns the CloudFormation shape. */
export function renderPolicyReference(where: string, ref: CustomerManagedPolicyReference): { name: string; path?: string } {
  if (!Token.isUnresolved(ref.name) && !NAME.test(ref.name)) {
    throw new Error(`${where}: customer managed policy name must be 1 to 128 letters, digits and +=,.@-_ (the name, not the ARN), got "${ref.name}"`);
  }
  if (ref.path !== undefined && !Token.isUnresolved(ref.path) && (!PATH.test(ref.path) || ref.path.length > 512)) {
    throw new Error(`${where}: customer managed policy path must start and end with "/" (e.g. "/" or "/boundaries/"), got "${ref.path}"`);
  }
  return { name: ref.name, path: ref.path };
}
