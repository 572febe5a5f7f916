import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sso from 'aws-cdk-lib/aws-sso';
import { IConstruct } from 'constructs';
import { CustomerManagedPolicyReference, renderPolicyReference } from './customer-managed-policy-reference';

/**
 * The permissions boundary of the role IAM Identity Center provisions for a `PermissionSet` in each
 * assigned account: the most its users may do there, whatever the permission set's policies allow.
 */
export class PermissionSetBoundary {
  /** An AWS managed policy as the boundary, e.g. `iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')`. */
  public static fromAwsManagedPolicy(policy: iam.IManagedPolicy): PermissionSetBoundary {
    return new PermissionSetBoundary(policy, undefined);
  }

  /**
   * A customer managed policy of each assigned account as the boundary, by name (e.g. a
   * `DeveloperBoundary` rolled out to every account with `OrganizationStackSet`).
   */
  public static fromCustomerManagedPolicy(reference: CustomerManagedPolicyReference): PermissionSetBoundary {
    return new PermissionSetBoundary(undefined, reference);
  }

  private constructor(
    private readonly awsManaged: iam.IManagedPolicy | undefined,
    private readonly customerManaged: CustomerManagedPolicyReference | undefined,
  ) {}

  /** @internal */
  public _render(scope: IConstruct, where: string): sso.CfnPermissionSet.PermissionsBoundaryProperty {
    if (this.customerManaged) {
      return { customerManagedPolicyReference: renderPolicyReference(`${where}: permissionsBoundary`, this.customerManaged) };
    }
    const arn = this.awsManaged!.managedPolicyArn;
    checkAwsManagedPolicyArn(scope, `${where}: permissionsBoundary`, arn);
    return { managedPolicyArn: arn };
  }
}

/**
 * Identity Center attaches only AWS managed policies by ARN: a customer managed policy of this stack
 * exists in this account only, not in the accounts the permission set is assigned to.
 */
export function checkAwsManagedPolicyArn(scope: IConstruct, where: string, arn: string): void {
  const rendered = Token.isUnresolved(arn) ? JSON.stringify(Stack.of(scope).resolve(arn)) : arn;
  if (!/:iam::aws:policy\//.test(rendered)) {
    throw new Error(`${where}: ${rendered} is not an AWS managed policy (arn:aws:iam::aws:policy/...); a customer managed policy exists only in its own account, so name it with customerManagedPolicies (or PermissionSetBoundary.fromCustomerManagedPolicy) and create it in every assigned account`);
  }
}
