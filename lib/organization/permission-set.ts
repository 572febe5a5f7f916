import { createHash } from 'node:crypto';
import { Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sso from 'aws-cdk-lib/aws-sso';
import { Construct } from 'constructs';
import { CustomerManagedPolicyReference, renderPolicyReference } from './customer-managed-policy-reference';
import { IdentityCenterPrincipal } from './identity-center-principal';
import { OrganizationalUnits } from './organizational-units';
import { checkAwsManagedPolicyArn, PermissionSetBoundary } from './permission-set-boundary';

/** Properties of a `PermissionSet`. */
export interface PermissionSetProps {
  /** The IAM Identity Center instance, `arn:aws:sso:::instance/ssoins-...` (`aws sso-admin list-instances`). */
  readonly instanceArn: string;

  /**
   * The permission set's name, 1 to 32 letters, digits and +=,.@-_. Users pick it on the access
   * portal, and Identity Center names the role in each account `AWSReservedSSO_<name>_<suffix>`.
   */
  readonly permissionSetName: string;

  /**
   * What the permission set is for, up to 700 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * AWS managed policies (`iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')`). Together
   * with `customerManagedPolicies` at most 20 (Identity Center's quota per permission set).
   *
   * @default - none
   */
  readonly managedPolicies?: iam.IManagedPolicy[];

  /**
   * Customer managed policies by name; each must exist under that name in every assigned account.
   *
   * @default - none
   */
  readonly customerManagedPolicies?: CustomerManagedPolicyReference[];

  /**
   * An inline policy, at most 32,768 characters. Its statements name no principal.
   *
   * @default - none
   */
  readonly inlinePolicy?: iam.PolicyDocument;

  /**
   * The permissions boundary of the provisioned roles.
   *
   * @default - no boundary
   */
  readonly permissionsBoundary?: PermissionSetBoundary;

  /**
   * How long a sign-in through this permission set lasts, between 1 and 12 hours; written as an
   * ISO-8601 duration (`PT1H`).
   *
   * @default Duration.hours(1)
   */
  readonly sessionDuration?: Duration;

  /**
   * Where the console opens after sign-in: an `https://` URL of the AWS console, up to 240 characters
   * (e.g. `https://console.aws.amazon.com/cloudwatch/home`).
   *
   * @default - the console's home page
   */
  readonly relayState?: string;
}

/** Identity Center's quota of managed (AWS and customer) policies on one permission set. */
const MAX_MANAGED_POLICIES = 20;
/** Identity Center's limit on an inline policy, in characters. */
const MAX_INLINE_POLICY = 32768;
const INSTANCE_ARN = /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/;
const NAME = /^[\w+=,.@-]{1,32}$/;
const RELAY_STATE = /^https:\/\/[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+[\] (){}]+$/;
const ACCOUNT = /^\d{12}$/;

/**
 * An IAM Identity Center permission set — AWS managed, customer managed and inline policies, a
 * permissions boundary, session duration and relay state — and its assignments to groups or users of
 * the identity store, per account (`assignToAccounts`) or per OU of an `OrganizationalUnits` tree
 * (`assignToOrganizationalUnit`). Deploy it in the organization's management account or Identity
 * Center's delegated administrator account.
 *
 * Identity Center provisions the permission set as a role in each assigned account; that role, like
 * any other, is bound by the SCPs of the account's OUs (except in the management account).
 */
export class PermissionSet extends Construct {
  /** The `AWS::SSO::PermissionSet`. */
  public readonly resource: sso.CfnPermissionSet;
  /** The permission set's ARN, known at deploy time. */
  public readonly permissionSetArn: string;
  /** The permission set's name. */
  public readonly permissionSetName: string;
  /** The assignments made so far, in order. */
  public readonly assignments: sso.CfnAssignment[] = [];

  private readonly instanceArn: string;
  private readonly where: string;
  private readonly assigned = new Map<string, string>();

  constructor(scope: Construct, id: string, props: PermissionSetProps) {
    super(scope, id);
    const where = this.where = `PermissionSet ${this.node.path}`;
    if (!Token.isUnresolved(props.instanceArn) && !INSTANCE_ARN.test(props.instanceArn)) {
      throw new Error(`${where}: instanceArn must be an IAM Identity Center instance ARN such as arn:aws:sso:::instance/ssoins-0123456789abcdef (aws sso-admin list-instances), got "${props.instanceArn}"`);
    }
    if (!Token.isUnresolved(props.permissionSetName) && !NAME.test(props.permissionSetName)) {
      throw new Error(`${where}: permissionSetName must be 1 to 32 letters, digits and +=,.@-_, got "${props.permissionSetName}"`);
    }
    if (props.description !== undefined && !Token.isUnresolved(props.description) && (props.description.length < 1 || props.description.length > 700)) {
      throw new Error(`${where}: description must be 1 to 700 characters, got ${props.description.length}`);
    }
    const sessionDuration = renderSessionDuration(where, props.sessionDuration ?? Duration.hours(1));
    if (props.relayState !== undefined && !Token.isUnresolved(props.relayState) && (props.relayState.length > 240 || !RELAY_STATE.test(props.relayState))) {
      throw new Error(`${where}: relayState must be an https:// URL of the AWS console of at most 240 characters, e.g. https://console.aws.amazon.com/cloudwatch/home, got "${props.relayState}"`);
    }
    const managed = props.managedPolicies ?? [];
    const customer = props.customerManagedPolicies ?? [];
    if (managed.length + customer.length > MAX_MANAGED_POLICIES) {
      throw new Error(`${where}: ${managed.length} AWS managed and ${customer.length} customer managed policies are ${managed.length + customer.length}, more than the ${MAX_MANAGED_POLICIES} IAM Identity Center attaches to one permission set; combine some into the inline policy or a customer managed policy`);
    }
    for (const policy of managed) checkAwsManagedPolicyArn(this, `${where}: managedPolicies`, policy.managedPolicyArn);
    const customerRefs = customer.map((ref) => renderPolicyReference(`${where}: customerManagedPolicies`, ref));
    const customerKeys = customerRefs.map((r) => `${r.path ?? '/'}${r.name}`);
    const twice = customerKeys.find((k, i) => customerKeys.indexOf(k) !== i);
    if (twice) {
      throw new Error(`${where}: customer managed policy ${twice} is listed twice; list it once`);
    }
    this.instanceArn = props.instanceArn;
    this.permissionSetName = props.permissionSetName;

    const inline = props.inlinePolicy;
    this.resource = new sso.CfnPermissionSet(this, 'Resource', {
      instanceArn: props.instanceArn,
      name: props.permissionSetName,
      description: props.description,
      sessionDuration,
      relayStateType: props.relayState,
      managedPolicies: managed.length === 0 ? undefined : managed.map((p) => p.managedPolicyArn),
      customerManagedPolicyReferences: customerRefs.length === 0 ? undefined : customerRefs,
      // resolved late, so statements added to the document after construction are included
      inlinePolicy: inline ? Lazy.any({ produce: () => (inline.isEmpty ? undefined : inline) }) : undefined,
      permissionsBoundary: props.permissionsBoundary?._render(this, where),
    });
    this.permissionSetArn = this.resource.attrPermissionSetArn;
    if (inline) this.node.addValidation({ validate: () => this.validateInline(inline) });
  }

  /**
   * Assign the permission set to a group or user in each of the accounts (12-digit ids): Identity
   * Center provisions its role there and the principal may sign in to it.
   */
  public assignToAccounts(principal: IdentityCenterPrincipal, accountIds: string[]): sso.CfnAssignment[] {
    if (accountIds.length === 0) {
      throw new Error(`${this.where}: assignToAccounts needs at least one account id, got an empty list`);
    }
    return accountIds.map((accountId) => this.assign(principal, accountId, 'assignToAccounts'));
  }

  /**
   * Assign the permission set to a group or user in every account that `units` places into the OU at
   * `path` or into an OU below it. CloudFormation assigns to accounts, not OUs: an account that
   * joins the OU outside this tree's `accounts` is not covered until it is added there and the stack
   * is deployed again.
   */
  public assignToOrganizationalUnit(principal: IdentityCenterPrincipal, units: OrganizationalUnits, path: string): sso.CfnAssignment[] {
    const accounts = units.accountsUnder(path);
    if (accounts.length === 0) {
      throw new Error(`${this.where}: OU "${path}" of ${units.node.path} holds no account that the tree places (accounts of OrganizationalUnitsProps), so there is nothing to assign; place the OU's accounts in the tree or use assignToAccounts`);
    }
    return accounts.map((accountId) => this.assign(principal, accountId, 'assignToOrganizationalUnit'));
  }

  private assign(principal: IdentityCenterPrincipal, accountId: string, method: string): sso.CfnAssignment {
    if (!Token.isUnresolved(accountId) && !ACCOUNT.test(accountId)) {
      throw new Error(`${this.where}: ${method} needs 12-digit AWS account ids, got "${accountId}"`);
    }
    const stack = Stack.of(this);
    // a stable id from the resolved values: a token principal (an identity store group of this stack) has no literal id
    const literal = (value: string) => (Token.isUnresolved(value) ? createHash('sha256').update(JSON.stringify(stack.resolve(value))).digest('hex').slice(0, 16) : value);
    const key = `${principal.principalType === 'GROUP' ? 'Group' : 'User'}-${literal(principal.principalId)}-${literal(accountId)}`;
    const earlier = this.assigned.get(key);
    if (earlier) {
      throw new Error(`${this.where}: ${principal.principalType.toLowerCase()} ${principal.principalId} is already assigned in account ${accountId} (by ${earlier}); assign each principal once per account`);
    }
    this.assigned.set(key, method);
    const assignment = new sso.CfnAssignment(this, key, {
      instanceArn: this.instanceArn,
      permissionSetArn: this.permissionSetArn,
      principalType: principal.principalType,
      principalId: principal.principalId,
      targetType: 'AWS_ACCOUNT',
      targetId: accountId,
    });
    this.assignments.push(assignment);
    return assignment;
  }

  private validateInline(document: iam.PolicyDocument): string[] {
    if (document.isEmpty) return [];
    const json = Stack.of(this).resolve(document.toJSON());
    const errors: string[] = [];
    const size = JSON.stringify(json).length;
    if (size > MAX_INLINE_POLICY) {
      errors.push(`${this.where}: the inline policy is ${size.toLocaleString('en-US')} characters, more than the ${MAX_INLINE_POLICY.toLocaleString('en-US')} IAM Identity Center accepts; move statements into customer managed policies`);
    }
    for (const statement of json.Statement ?? []) {
      if (statement.Principal !== undefined || statement.NotPrincipal !== undefined) {
        errors.push(`${this.where}: inline policy statement${statement.Sid ? ` ${statement.Sid}` : ''} names a principal, but it is an identity policy of the provisioned role; remove the principal`);
      }
    }
    return errors;
  }
}

/** 1 to 12 hours, as the ISO-8601 duration Identity Center stores (`PT1H`, `PT1H30M`). */
function renderSessionDuration(where: string, duration: Duration): string | undefined {
  if (duration.isUnresolved()) return duration.toIsoString();
  const seconds = duration.toSeconds({ integral: false });
  if (seconds < 3600 || seconds > 12 * 3600) {
    throw new Error(`${where}: sessionDuration must be between 1 and 12 hours, got ${duration.toHumanString()}`);
  }
  if (!Number.isInteger(seconds)) {
    throw new Error(`${where}: sessionDuration must be a whole number of seconds, got ${duration.toHumanString()}`);
  }
  return duration.toIsoString();
}
