import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { validateExternalId } from './private/external-id';

/** Options shared by every kind of trust. */
export interface TrustOptions {
  /**
   * An ExternalId the caller must pass to `sts:AssumeRole` (`sts:ExternalId` condition). 2 to 1224
   * characters of letters, digits and `+=,.@:/-_`; make it random (a UUID) and unique per trusted party.
   *
   * @default - no ExternalId is required
   */
  readonly externalId?: string;
}

/**
 * Who may assume a `CrossAccountRole`: a whole account, specific roles or users in one, the accounts
 * of an AWS Organization, or a third party that must present an ExternalId.
 */
export class TrustedAccount {
  /**
   * Every principal of `accountId` whose own (identity) policies allow `sts:AssumeRole` on the role:
   * the trusted account's administrators decide who, e.g. through `CrossAccountRole.grantAssume`.
   */
  public static account(accountId: string, options: TrustOptions = {}): TrustedAccount {
    validateAccountId('TrustedAccount.account', accountId);
    return new TrustedAccount('TrustedAccount.account', {
      description: `account ${accountId}`, principals: [new iam.AccountPrincipal(accountId)], accountIds: knownAccounts([accountId]), externalId: options.externalId,
    });
  }

  /**
   * Only the given roles (usually in another account). A role defined in another stack of the
   * same app needs a physical name (`roleName`, or `PhysicalName.GENERATE_IF_NEEDED`) so its ARN is
   * known across accounts. IAM rejects a trust policy naming a role that does not exist yet: deploy
   * the trusted roles first. IAM stores the role's unique id: if a trusted role is deleted and
   * re-created, redeploy this stack so the trust names the new role.
   */
  public static roles(roles: iam.IRole[], options: TrustOptions = {}): TrustedAccount {
    if (roles.length === 0) {
      throw new Error('TrustedAccount.roles: roles must name at least one role, got an empty list; pass the roles that may assume this role, or use TrustedAccount.account(accountId)');
    }
    return new TrustedAccount('TrustedAccount.roles', {
      description: `roles ${roles.map((r) => r.node.path).join(', ')}`, principals: roles.map((r) => new iam.ArnPrincipal(r.roleArn)),
      accountIds: knownAccounts(roles.map((r) => r.env.account)), externalId: options.externalId, roleChaining: true, roles,
    });
  }

  /**
   * Only the given IAM role or user ARNs (`arn:aws:iam::111111111111:role/Name`), for principals
   * that no construct of this app defines.
   */
  public static principalArns(arns: string[], options: TrustOptions = {}): TrustedAccount {
    if (arns.length === 0) {
      throw new Error('TrustedAccount.principalArns: arns must name at least one IAM role or user ARN, got an empty list');
    }
    const accounts: string[] = [];
    let chained = false;
    for (const arn of arns) {
      if (Token.isUnresolved(arn)) continue;
      const match = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/[\w+=,.@/-]+$/.exec(arn);
      if (!match) {
        throw new Error(`TrustedAccount.principalArns: "${arn}" is not an IAM role or user ARN; expected e.g. arn:aws:iam::111111111111:role/Deployer (for a whole account use TrustedAccount.account)`);
      }
      accounts.push(match[1]);
      chained ||= match[2] === 'role';
    }
    return new TrustedAccount('TrustedAccount.principalArns', {
      description: `principals ${arns.join(', ')}`, principals: arns.map((a) => new iam.ArnPrincipal(a)), accountIds: accounts, externalId: options.externalId, roleChaining: chained,
    });
  }

  /**
   * Principals of any account in the AWS Organization `organizationId` (`aws:PrincipalOrgID`
   * condition), e.g. a role every member account deploys. Each principal still needs an identity
   * policy that allows `sts:AssumeRole` on the role.
   */
  public static organization(organizationId: string, options: TrustOptions = {}): TrustedAccount {
    if (!Token.isUnresolved(organizationId) && !/^o-[a-z0-9]{10,32}$/.test(organizationId)) {
      throw new Error(`TrustedAccount.organization: organizationId must look like o-a1b2c3d4e5 ("o-" and 10 to 32 lower-case letters or digits), got "${organizationId}"`);
    }
    return new TrustedAccount('TrustedAccount.organization', {
      description: `organization ${organizationId}`, principals: [new iam.AnyPrincipal()], accountIds: [], externalId: options.externalId, organizationId,
    });
  }

  /**
   * A third party (e.g. a SaaS vendor) acting in `accountId` on behalf of many customers. It must
   * present `externalId`, the guard against the confused-deputy problem: another customer of the
   * vendor cannot make the vendor assume this role without knowing it.
   */
  public static thirdParty(accountId: string, externalId: string): TrustedAccount {
    validateAccountId('TrustedAccount.thirdParty', accountId);
    return new TrustedAccount('TrustedAccount.thirdParty', {
      description: `third party ${accountId}`, principals: [new iam.AccountPrincipal(accountId)], accountIds: knownAccounts([accountId]), externalId, thirdParty: true,
    });
  }

  /** The ExternalId callers must present, if any. */
  public readonly externalId?: string;
  /** The AWS Organization whose principals are trusted, if this is an organization trust. */
  public readonly organizationId?: string;
  /** The trusted account ids known at synth time (empty for an organization). */
  public readonly accountIds: string[];
  /** What is trusted, for messages. */
  public readonly description: string;
  /** @internal */
  public readonly _principals: iam.IPrincipal[];
  /** @internal Whether the callers are roles, whose sessions are role chaining (at most 1 hour). */
  public readonly _roleChaining: boolean;
  /** @internal The trusted role constructs, for a roles trust. */
  public readonly _roles?: iam.IRole[];
  /** @internal Whether this trusts a third party's service. */
  public readonly _thirdParty: boolean;

  /** @param where the factory, for messages */
  private constructor(where: string, trust: TrustSpec) {
    if (trust.externalId !== undefined) validateExternalId(where, trust.externalId);
    this.description = trust.description;
    this._principals = trust.principals;
    this.accountIds = trust.accountIds;
    this.externalId = trust.externalId;
    this.organizationId = trust.organizationId;
    this._roleChaining = trust.roleChaining ?? false;
    this._roles = trust.roles;
    this._thirdParty = trust.thirdParty ?? false;
  }

  /**
   * @internal The conditions of the trust statements that this kind of trust itself needs.
   * @param withExternalId false for statements of actions other than sts:AssumeRole, whose request
   *   context has no sts:ExternalId
   */
  public _conditions(withExternalId: boolean = true): Record<string, Record<string, unknown>> {
    const equals: Record<string, unknown> = {};
    if (withExternalId && this.externalId !== undefined) equals['sts:ExternalId'] = this.externalId;
    if (this.organizationId !== undefined) equals['aws:PrincipalOrgID'] = this.organizationId;
    return Object.keys(equals).length > 0 ? { StringEquals: equals } : {};
  }
}

/** What a factory of `TrustedAccount` found out about the trust. */
interface TrustSpec {
  readonly description: string;
  readonly principals: iam.IPrincipal[];
  readonly accountIds: string[];
  readonly externalId?: string;
  readonly organizationId?: string;
  readonly roleChaining?: boolean;
  readonly roles?: iam.IRole[];
  readonly thirdParty?: boolean;
}

/** The account ids known at synth time: a token (e.g. a parameter) is only known at deploy time. */
function knownAccounts(ids: string[]): string[] {
  return ids.filter((id) => !Token.isUnresolved(id));
}

function validateAccountId(where: string, accountId: string): void {
  if (Token.isUnresolved(accountId)) return;
  if (!/^\d{12}$/.test(accountId)) {
    throw new Error(`${where}: accountId must be a 12-digit AWS account id, got "${accountId}"`);
  }
}
