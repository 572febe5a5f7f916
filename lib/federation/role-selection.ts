import { RoleMappingMatchType } from 'aws-cdk-lib/aws-cognito-identitypool';

/**
 * A rule of rule-based role selection: when the ID token's `claim` matches `value`, the identity pool
 * hands out the role of the group `groupName`.
 */
export interface RoleMappingRule {
  /**
   * The ID token claim to test, e.g. `cognito:groups` or an immutable custom attribute
   * (`custom:department`). Claims that users or administrators can change are refused: see `RoleSelection.rules`.
   */
  readonly claim: string;

  /** The value the claim is compared with. */
  readonly value: string;

  /**
   * How the claim is compared with `value`.
   *
   * @default RoleMappingMatchType.EQUALS
   */
  readonly matchType?: RoleMappingMatchType;

  /** The `AppIdentity` group whose role a matching user receives. */
  readonly groupName: string;
}

/** Options of token- and rule-based role selection. */
export interface RoleSelectionOptions {
  /**
   * Whether users for whom no role is selected (no `cognito:preferred_role` in the token, or no rule
   * matches) get no credentials at all, instead of the authenticated role.
   *
   * @default false - they receive the authenticated role
   */
  readonly denyUnmatched?: boolean;
}

/** How the identity pool picks the role of a signed-in user (the identity pool's role mapping). */
export class RoleSelection {
  /** Every signed-in user receives the authenticated role; group roles are not handed out by the identity pool. */
  public static authenticatedRole(): RoleSelection {
    return new RoleSelection('Default');
  }

  /**
   * The role named by the ID token's `cognito:preferred_role` claim: the role of the user's group with
   * the lowest precedence (Cognito user pools write it). Needs `groups`.
   */
  public static preferredRole(options: RoleSelectionOptions = {}): RoleSelection {
    return new RoleSelection('Token', [], options.denyUnmatched ?? false);
  }

  /**
   * Rules over the ID token's claims, the first match wins (at most 25). A rule may not test a claim
   * that the user can change through the app client (the writable standard attributes), nor a mutable
   * custom attribute, which anyone allowed `cognito-idp:AdminUpdateUserAttributes` could set to take the
   * role: declare custom attributes used in rules with `mutable: false`, or test `cognito:groups`.
   */
  public static rules(rules: RoleMappingRule[], options: RoleSelectionOptions = {}): RoleSelection {
    if (rules.length < 1 || rules.length > 25) {
      throw new Error(`RoleSelection.rules: give 1 to 25 rules (the identity pool's limit), got ${rules.length}`);
    }
    for (const rule of rules) {
      if (!rule.claim || !rule.value || !rule.groupName) {
        throw new Error(`RoleSelection.rules: every rule needs a claim, a value and a groupName, got ${JSON.stringify(rule)}`);
      }
    }
    return new RoleSelection('Rules', rules, options.denyUnmatched ?? false);
  }

  /** @internal */
  public readonly _type: 'Default' | 'Token' | 'Rules';
  /** @internal */
  public readonly _rules: RoleMappingRule[];
  /** @internal */
  public readonly _denyUnmatched: boolean;

  private constructor(type: 'Default' | 'Token' | 'Rules', rules: RoleMappingRule[] = [], denyUnmatched = false) {
    this._type = type;
    this._rules = rules;
    this._denyUnmatched = denyUnmatched;
  }
}
