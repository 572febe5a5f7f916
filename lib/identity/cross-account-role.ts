import { Annotations, Duration, Lazy, PhysicalName, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge, inComplianceFrameworks } from '../private/acknowledge';
import { guessableReason } from './private/external-id';
import { TrustedAccount } from './trusted-account';

/** Properties of a `CrossAccountRole`. */
export interface CrossAccountRoleProps {
  /** Who may assume the role; one trust-policy statement each. At least one. */
  readonly trustedAccounts: TrustedAccount[];

  /**
   * The role's name.
   *
   * @default - a name CDK generates when a stack of another account refers to the role (needed for
   *   `grantAssume` across accounts), otherwise a CloudFormation-generated one
   */
  readonly roleName?: string;

  /**
   * What the role is for.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Whether callers must have signed in with MFA (`aws:MultiFactorAuthPresent`). Services of a third
   * party and automation usually cannot; people should.
   *
   * @default - true when `maxMfaAge` is set, else false
   */
  readonly requireMfa?: boolean;

  /**
   * How long ago the caller may have authenticated with MFA (`aws:MultiFactorAuthAge`), between 1
   * minute and 36 hours (the longest an MFA session from `sts:GetSessionToken` lasts). Implies `requireMfa`.
   *
   * @default - any age
   */
  readonly maxMfaAge?: Duration;

  /**
   * The longest session a caller can request, between 1 and 12 hours. Sessions of a role assumed by
   * another role (role chaining) last at most 1 hour whatever this says.
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;

  /**
   * Whether callers must set a source identity (`sts:SourceIdentity`). What that guarantees: the
   * session has one, STS keeps it through every role the session chains to (no one can change or
   * drop it), and CloudTrail records it with each action. Who it names is up to the caller: it names
   * a person only when the caller's own session already carried it from your identity provider (a
   * SAML attribute or OIDC claim, which the caller cannot change), or when `sourceIdentityPattern`
   * ties it to the caller (`${aws:username}`). An IAM user or a role session without one can
   * otherwise set any value it likes.
   *
   * @default - true when `sourceIdentityPattern` is set, else false
   */
  readonly requireSourceIdentity?: boolean;

  /**
   * What the source identity must match (`StringLike`, so `*` and `?` work, and IAM policy
   * variables): `${aws:username}` makes an IAM user of the trusted account name themselves (callers
   * that are role sessions have no user name, so only a source identity they already carry and that
   * matches would do: use a pattern such as `*@example.com` for those), or a pattern of your IdP's
   * user names. Implies `requireSourceIdentity`.
   *
   * @default - any value
   */
  readonly sourceIdentityPattern?: string;

  /**
   * The session-tag keys callers may pass (`sts:TagSession`, limited by `aws:TagKeys`), e.g. for
   * attribute-based access control in the role's policies.
   *
   * @default - callers cannot pass session tags
   */
  readonly sessionTagKeys?: string[];

  /**
   * The permissions boundary of the role, e.g. a `DeveloperBoundary`.
   *
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * Managed policies to attach.
   *
   * @default - none; grant permissions with the resources' `grant*` methods or `role.addToPolicy`
   */
  readonly managedPolicies?: iam.IManagedPolicy[];
}

/** The name the IAM console gives the inline policy that revokes older sessions. */
const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';
const MAX_SESSION_TAGS = 50;

/**
 * A role in the trusting account (e.g. production) that principals of other accounts may assume,
 * with the guards of AWS's cross-account guidance: an ExternalId for third parties, MFA and MFA age,
 * a bounded session length, optional source identity and session tags, a permissions boundary, and
 * a way to revoke live sessions. `grantAssume` writes the other half: the caller's identity policy.
 */
export class CrossAccountRole extends Construct implements iam.IGrantable {
  /** The role. */
  public readonly role: iam.Role;
  /** The principal that resources grant to: the role's sessions. */
  public readonly grantPrincipal: iam.IPrincipal;
  /** Whether the trust policy requires MFA. */
  public readonly mfaRequired: boolean;
  /** The ExternalIds that callers present, one per trust that requires one. */
  public readonly externalIds: string[];

  private readonly trustedAccounts: TrustedAccount[];
  private readonly grantedActions: string[];
  private revokedBefore?: Date;

  constructor(scope: Construct, id: string, props: CrossAccountRoleProps) {
    super(scope, id);
    if (props.trustedAccounts.length === 0) {
      throw new Error("CrossAccountRole: trustedAccounts must name at least one trusted account, got an empty list; pass e.g. [TrustedAccount.account('111111111111')]");
    }
    const maxSession = props.maxSessionDuration ?? Duration.hours(1);
    if (!maxSession.isUnresolved()) {
      const hours = maxSession.toSeconds() / 3600;
      if (hours < 1 || hours > 12) {
        throw new Error(`CrossAccountRole: maxSessionDuration must be between 1 and 12 hours (the limits of IAM), got ${maxSession.toHumanString()}`);
      }
    }
    if (props.maxMfaAge !== undefined && props.requireMfa === false) {
      throw new Error(`CrossAccountRole: maxMfaAge (${props.maxMfaAge.toHumanString()}) needs MFA, but requireMfa is false; remove maxMfaAge or set requireMfa: true`);
    }
    if (props.maxMfaAge !== undefined && !props.maxMfaAge.isUnresolved()) {
      const seconds = props.maxMfaAge.toSeconds();
      if (seconds < 60 || seconds > 36 * 3600) {
        throw new Error(`CrossAccountRole: maxMfaAge must be between 1 minute and 36 hours (the longest MFA session sts:GetSessionToken issues), got ${props.maxMfaAge.toHumanString()}`);
      }
    }
    const pattern = props.sourceIdentityPattern;
    if (pattern !== undefined && props.requireSourceIdentity === false) {
      throw new Error(`CrossAccountRole: sourceIdentityPattern ("${pattern}") needs a source identity, but requireSourceIdentity is false; remove sourceIdentityPattern or set requireSourceIdentity: true`);
    }
    // STS accepts 2 to 64 of [\w+=,.@-]; the pattern may add * and ? and ${policy:variables}
    if (pattern !== undefined && !Token.isUnresolved(pattern)
      && (pattern.length > 64 || !/^[\w+=,.@*?-]+$/.test(pattern.replace(/\$\{[\w:/.-]+\}/g, 'x')))) {
      throw new Error(`CrossAccountRole: sourceIdentityPattern must be up to 64 letters, digits and +=,.@-_ (source identities as STS accepts them), with * and ? wildcards and policy variables such as \${aws:username}, got "${pattern}"`);
    }
    const requireSourceIdentity = props.requireSourceIdentity ?? pattern !== undefined;
    const tagKeys = props.sessionTagKeys ?? [];
    validateSessionTagKeys(tagKeys);

    this.trustedAccounts = props.trustedAccounts;
    this.mfaRequired = props.requireMfa ?? props.maxMfaAge !== undefined;
    this.externalIds = props.trustedAccounts.map((t) => t.externalId).filter((e): e is string => e !== undefined);

    const common: Record<string, Record<string, unknown>> = {};
    if (this.mfaRequired) common.Bool = { 'aws:MultiFactorAuthPresent': 'true' };
    if (props.maxMfaAge !== undefined) common.NumericLessThan = { 'aws:MultiFactorAuthAge': props.maxMfaAge.toSeconds() };
    const sourceIdentity: Record<string, Record<string, unknown>> = pattern !== undefined ? { StringLike: { 'sts:SourceIdentity': pattern } } : { Null: { 'sts:SourceIdentity': 'false' } };
    if (requireSourceIdentity) Object.assign(common, sourceIdentity);
    // The actions STS authorizes next to sts:AssumeRole when the caller sets a source identity or
    // passes session tags, each with the condition that limits it.
    const sessionActions: [string, Record<string, Record<string, unknown>>][] = [];
    if (requireSourceIdentity) sessionActions.push(['sts:SetSourceIdentity', sourceIdentity]);
    if (tagKeys.length > 0) sessionActions.push(['sts:TagSession', { 'ForAllValues:StringEquals': { 'aws:TagKeys': tagKeys } }]);
    this.grantedActions = ['sts:AssumeRole', ...sessionActions.map(([action]) => action)];

    const statements: iam.PolicyStatement[] = [];
    for (const trust of props.trustedAccounts) {
      statements.push(trustStatement('sts:AssumeRole', trust._principals, trust._conditions(), common));
      // The request context of the session actions lacks keys such as sts:ExternalId, so they only
      // keep the organization condition; without the AssumeRole statement they let nobody in.
      for (const [action, conditions] of sessionActions) {
        statements.push(trustStatement(action, trust._principals, trust._conditions(false), conditions));
      }
    }

    this.role = new iam.Role(this, 'Resource', {
      roleName: props.roleName ?? PhysicalName.GENERATE_IF_NEEDED,
      description: props.description,
      assumedBy: new TrustStatementsPrincipal(props.trustedAccounts.flatMap((t) => t._principals), statements),
      maxSessionDuration: maxSession,
      permissionsBoundary: props.permissionsBoundary,
      managedPolicies: props.managedPolicies,
    });
    this.grantPrincipal = this.role;

    for (const trust of props.trustedAccounts) {
      const reason = trust.externalId === undefined ? undefined : guessableReason(trust.externalId, trust.accountIds);
      if (reason) {
        Annotations.of(this).addWarningV2('cdk-security-patterns:identity:guessable-external-id',
          `The ExternalId for ${trust.description} looks guessable: ${reason}. Use a random value such as a UUID, unique per trusted party.`);
      }
      if (trust._roleChaining && !maxSession.isUnresolved() && maxSession.toSeconds() > 3600) {
        Annotations.of(this).addWarningV2('cdk-security-patterns:identity:role-chaining-session',
          `maxSessionDuration is ${maxSession.toHumanString()}, but ${trust.description} are roles: sessions from role chaining last at most 1 hour.`);
      }
      if (this.mfaRequired && trust._thirdParty) {
        Annotations.of(this).addWarningV2('cdk-security-patterns:identity:third-party-mfa',
          `MFA is required, but ${trust.description} is a third party whose service usually cannot present MFA; it will not be able to assume the role.`);
      }
    }
  }

  /** The role's ARN. */
  public get roleArn(): string {
    return this.role.roleArn;
  }

  /**
   * Lets `grantee` (a user or role of a trusted account, usually in another stack) call
   * `sts:AssumeRole` on this role: the identity-policy half of the pattern, which the trust policy
   * alone does not give. Adds `sts:SetSourceIdentity` and `sts:TagSession` when the role expects them.
   */
  public grantAssume(grantee: iam.IGrantable): iam.Grant {
    const account = grantee.grantPrincipal.principalAccount;
    const knownAccounts = this.trustedAccounts.every((t) => t.organizationId === undefined && t.accountIds.length > 0);
    if (account !== undefined && !Token.isUnresolved(account) && knownAccounts) {
      const trusted = [...new Set(this.trustedAccounts.flatMap((t) => t.accountIds))];
      if (!trusted.includes(account)) {
        throw new Error(`CrossAccountRole.grantAssume: the grantee is in account ${account}, which ${this.node.path} does not trust (it trusts ${trusted.join(', ')}); add a TrustedAccount for ${account} or grant a principal of a trusted account`);
      }
    }
    const trustedRoles = this.trustedAccounts.every((t) => t._roles !== undefined) ? this.trustedAccounts.flatMap((t) => t._roles!) : undefined;
    if (trustedRoles && !trustedRoles.includes(grantee.grantPrincipal as iam.IRole)) {
      throw new Error(`CrossAccountRole.grantAssume: ${this.node.path} trusts only the roles ${trustedRoles.map((r) => r.node.path).join(', ')}, so a grant to ${describe(grantee)} would not let it assume the role; grant one of those roles, or trust its account with TrustedAccount.account`);
    }
    return iam.Grant.addToPrincipal({ grantee, actions: this.grantedActions, resourceArns: [this.role.roleArn] });
  }

  /**
   * Denies every action to sessions of this role issued before `issuedBefore`
   * (`aws:TokenIssueTime`), the documented way to cut off leaked temporary credentials: the same
   * `AWSRevokeOlderSessions` inline policy the IAM console adds. Callers simply assume the role
   * again. Calling it again moves the cut-off.
   *
   * @param issuedBefore sessions issued before this instant are denied; pass a fixed time to keep
   *   the template stable between synths. Default: the time of synthesis (with a warning: every
   *   deployment then moves the cut-off and revokes all sessions again).
   */
  public revokeSessions(issuedBefore?: Date): void {
    const when = issuedBefore ?? new Date();
    if (Number.isNaN(when.getTime())) {
      throw new Error(`CrossAccountRole.revokeSessions: issuedBefore must be a valid date, got ${String(when)}`);
    }
    if (issuedBefore === undefined) {
      Annotations.of(this).addWarningV2('cdk-security-patterns:identity:revoke-sessions-now',
        'revokeSessions() without a time uses the time of synthesis, so every deployment of this code revokes all sessions again. After the incident, pass the fixed time (new Date(\'...\')) to keep the cut-off.');
    }
    const first = this.revokedBefore === undefined;
    this.revokedBefore = when;
    if (!first) return;

    const cfnRole = this.role.node.defaultChild as iam.CfnRole;
    const document = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: { DateLessThan: { 'aws:TokenIssueTime': Lazy.string({ produce: () => iamDate(this.revokedBefore!) }) } },
      })],
    });
    cfnRole.policies = [{ policyName: REVOKE_POLICY_NAME, policyDocument: document }];
    const reason = 'AWSRevokeOlderSessions is the deny-only inline policy AWS documents for revoking a role\'s sessions; it belongs to this role alone and grants nothing';
    acknowledge(cfnRole, inComplianceFrameworks('IAMNoInlinePolicy', reason));
  }
}

/**
 * Puts our own trust statements into the role's trust policy; a principal that implements
 * `addToAssumeRolePolicy` gets full control over them.
 */
class TrustStatementsPrincipal extends iam.CompositePrincipal {
  constructor(principals: iam.IPrincipal[], private readonly statements: iam.PolicyStatement[]) {
    super(...principals);
  }

  public addToAssumeRolePolicy(doc: iam.PolicyDocument): void {
    doc.addStatements(...this.statements);
  }
}

/**
 * ISO 8601 in whole seconds, the format of IAM's examples. Rounded up: a session issued within
 * the cut-off's second is revoked too, never spared.
 */
function iamDate(date: Date): string {
  return new Date(Math.ceil(date.getTime() / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

function describe(grantee: iam.IGrantable): string {
  const principal = grantee.grantPrincipal;
  return Construct.isConstruct(principal) ? principal.node.path : principal.toString();
}

/** An Allow statement of the trust policy; `PolicyStatement` merges condition sets that share an operator. */
function trustStatement(action: string, principals: iam.IPrincipal[], ...conditionSets: Record<string, Record<string, unknown>>[]): iam.PolicyStatement {
  const statement = new iam.PolicyStatement({ actions: [action], principals });
  conditionSets.forEach((conditions) => statement.addConditions(conditions));
  return statement;
}

function validateSessionTagKeys(keys: string[]): void {
  if (keys.length > MAX_SESSION_TAGS) {
    throw new Error(`CrossAccountRole: sessionTagKeys may list at most ${MAX_SESSION_TAGS} keys (the session-tag limit of STS), got ${keys.length}`);
  }
  const seen = new Set<string>();
  for (const key of keys) {
    if (Token.isUnresolved(key)) continue;
    if (key.length < 1 || key.length > 128 || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u.test(key)) {
      throw new Error(`CrossAccountRole: session tag key "${key}" is not valid; keys are 1 to 128 letters, digits, spaces and _.:/=+-@`);
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw new Error(`CrossAccountRole: session tag key "${key}" uses the reserved prefix "aws:"; choose another key`);
    }
    // STS compares session-tag keys without regard to case
    if (seen.has(key.toLowerCase())) {
      throw new Error(`CrossAccountRole: sessionTagKeys lists "${key}" twice (keys are case-insensitive); list each key once`);
    }
    seen.add(key.toLowerCase());
  }
}
