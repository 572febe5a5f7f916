import { Annotations, AspectPriority, Aspects, CfnResource, CustomResourceProviderBase, FeatureFlags, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, inComplianceFrameworks } from '../private/acknowledge';
import { validateManagedPolicyName } from './private/names';

/** Properties of a `DeveloperBoundary`. */
export interface DeveloperBoundaryProps {
  /**
   * The most that any role or user under this boundary may ever do, e.g. `s3:*` and `dynamodb:*` on
   * the team's resources, plus the `iam:` actions delegated admins need to create roles. A boundary
   * grants nothing itself: an identity policy must also allow an action. At least one Allow
   * statement; none may allow every action on every resource.
   */
  readonly allowedStatements: iam.PolicyStatement[];

  /**
   * The IAM path every delegated role must live under, e.g. `/delegated/`. Creating a role elsewhere,
   * passing a role from elsewhere to a service (`iam:PassRole`) and changing the trust policy of a
   * role elsewhere (`iam:UpdateAssumeRolePolicy`) are denied, so developers can neither hand an
   * existing privileged role to, say, a Lambda function they control, nor make it trust them.
   *
   * @default - no path restriction: if `allowedStatements` allow `iam:PassRole` or
   *   `iam:UpdateAssumeRolePolicy`, developers can use them on any role of the account, including
   *   privileged ones without this boundary (a warning says so)
   */
  readonly delegatedRolePath?: string;

  /**
   * The managed policy's name. The boundary's own statements refer to its ARN, so the name is fixed at synth time.
   *
   * @default - a name unique to this construct's path
   */
  readonly managedPolicyName?: string;

  /**
   * What the boundary is for.
   *
   * @default - a description of the boundary's guards
   */
  readonly description?: string;
}

/** IAM actions that create a role or user, or change what one may do. */
const CHANGE_ACTIONS = [
  'iam:CreateRole', 'iam:CreateUser',
  'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary',
  'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy',
  'iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:PutUserPolicy', 'iam:DeleteUserPolicy',
];

/** Actions on a role that IAM cannot condition on the role's boundary; `delegatedRolePath` confines them. */
const ROLE_PATH_ACTIONS = ['iam:CreateRole', 'iam:PassRole', 'iam:UpdateAssumeRolePolicy'];

/**
 * Actions that hand out or re-activate a user's credentials (access keys, console passwords, service-specific
 * credentials such as CodeCommit or Bedrock API keys, SSH keys, signing certificates); on a user without
 * this boundary they would escape it.
 */
const USER_CREDENTIAL_ACTIONS = [
  'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile',
  'iam:CreateServiceSpecificCredential', 'iam:ResetServiceSpecificCredential', 'iam:UpdateServiceSpecificCredential',
  'iam:UploadSSHPublicKey', 'iam:UpdateSSHPublicKey', 'iam:UploadSigningCertificate', 'iam:UpdateSigningCertificate',
];

/**
 * A managed policy to use as the permissions boundary of delegated administrators (developers who
 * create their own roles) and of every role they create. It caps what those roles can do to
 * `allowedStatements`, and stops privilege escalation: under it nobody can create or change a role
 * or user unless that role or user carries this same boundary, remove a boundary, edit or delete
 * this policy, or create credentials (access keys, console passwords, service-specific credentials, SSH
 * keys, signing certificates) for IAM users; with
 * `delegatedRolePath`, nobody can pass or re-trust a role outside that path either.
 * `applyTo(scope)` sets it on every role and user in a scope.
 */
export class DeveloperBoundary extends iam.ManagedPolicy {
  /**
   * The boundary's ARN as a plain string built from its name (not a reference), the value callers
   * pass as `iam:PermissionsBoundary` when they create a role.
   */
  public readonly boundaryArn: string;

  constructor(scope: Construct, id: string, props: DeveloperBoundaryProps) {
    if (props.allowedStatements.length === 0 || props.allowedStatements.every((s) => s.effect !== iam.Effect.ALLOW)) {
      throw new Error(`DeveloperBoundary: allowedStatements must hold at least one Allow statement (a boundary without one lets its roles do nothing), got ${props.allowedStatements.length} statement(s) and no Allow`);
    }
    for (const statement of props.allowedStatements) {
      if (statement.effect === iam.Effect.ALLOW && statement.actions.includes('*') && (statement.resources.includes('*') || !statement.hasResource)) {
        throw new Error(`DeveloperBoundary: an allowed statement allows every action ("*") on every resource, so the boundary caps nothing; got ${JSON.stringify(statement.toStatementJson())}; list the services and resources developers need instead`);
      }
    }
    const rolePath = props.delegatedRolePath;
    if (rolePath !== undefined && !Token.isUnresolved(rolePath) && (rolePath === '/' || !/^\/([\w+=,.@-]+\/)+$/.test(rolePath) || rolePath.length > 512)) {
      throw new Error(`DeveloperBoundary: delegatedRolePath must be an IAM path below the root such as /delegated/ (starts and ends with /, up to 512 letters, digits and +=,.@-_), got "${rolePath}"`);
    }
    const name = props.managedPolicyName;
    validateManagedPolicyName('DeveloperBoundary', name);
    // The statements name this policy's own ARN; a CloudFormation reference to itself would be a
    // cycle, so the name must be known at synth time. The holder lets the default name use the path.
    const holder: { self?: DeveloperBoundary } = {};
    const policyName = name ?? Lazy.string({ produce: () => Names.uniqueResourceName(holder.self!, { maxLength: 128 }) });
    super(scope, id, {
      managedPolicyName: policyName,
      description: props.description ?? 'Permissions boundary: caps roles and users to the allowed statements; they cannot create or change a role or user without this boundary, remove it, or edit it',
    });
    holder.self = this;

    this.boundaryArn = Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'policy', resourceName: policyName });
    this.addStatements(...props.allowedStatements);
    this.addStatements(
      new iam.PolicyStatement({
        sid: 'DenyCreateOrChangeWithoutThisBoundary',
        effect: iam.Effect.DENY,
        actions: CHANGE_ACTIONS,
        resources: ['*'],
        conditions: { StringNotEquals: { 'iam:PermissionsBoundary': this.boundaryArn } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyBoundaryRemoval',
        effect: iam.Effect.DENY,
        actions: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyBoundaryEdit',
        effect: iam.Effect.DENY,
        actions: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
        resources: [this.boundaryArn],
      }),
      // IAM cannot tell whether the user has this boundary for these actions, and credentials of an
      // existing admin user would escape it: user credentials stay with the account owner.
      new iam.PolicyStatement({
        sid: 'DenyUserCredentials',
        effect: iam.Effect.DENY,
        actions: USER_CREDENTIAL_ACTIONS,
        resources: ['*'],
      }),
    );

    if (rolePath !== undefined) {
      this.addStatements(new iam.PolicyStatement({
        sid: 'DenyRolesOutsideDelegatedPath',
        effect: iam.Effect.DENY,
        actions: ROLE_PATH_ACTIONS,
        notResources: [Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${rolePath.replace(/^\//, '')}*` })],
      }));
    } else {
      const risky = ['iam:PassRole', 'iam:UpdateAssumeRolePolicy'].filter((action) =>
        props.allowedStatements.some((st) => st.effect === iam.Effect.ALLOW && st.actions.some((a) => matchesAction(a, action))));
      if (risky.length > 0) {
        Annotations.of(this).addWarningV2('cdk-security-patterns:identity:any-role',
          `The boundary allows ${risky.join(' and ')} but sets no delegatedRolePath: developers can use ${risky.length > 1 ? 'them' : 'it'} on any role of the account, including privileged ones without this boundary. Set delegatedRolePath.`);
      }
    }

    // Only the findings the caller's statements cause; the guard statements are all Deny.
    const allows = props.allowedStatements.filter((st) => st.effect === iam.Effect.ALLOW);
    const wildcard = allows.some((st) => [...st.actions, ...st.resources].some((x) => x.includes('*')));
    const serviceWide = allows.some((st) => st.actions.some((a) => /^[\w-]+:\*$/.test(a)) || st.notActions.length > 0);
    const reason = 'A permissions boundary grants nothing: its Allow statements are the ceiling the account owner chose for delegated roles, and an identity policy must still allow each action';
    acknowledge(this, [
      ...(wildcard ? [{ id: 'AwsSolutions-IAM5', reason }] : []),
      ...(serviceWide ? [
        ...inComplianceFrameworks('IAMPolicyNoStatementsWithFullAccess', reason),
        { id: 'iam_managed_policy_no_statements_with_full_access_check', reason },
      ] : []),
    ]);
  }

  /**
   * Sets this boundary on every IAM role and user in `scope` (and in scopes below it), including
   * roles that other constructs create for you, e.g. Lambda execution roles. A boundary applied in
   * a scope nearer to a role wins (as with `iam.PermissionsBoundary`).
   *
   * Left alone: the roles of CDK's own deploy-time custom-resource providers (`CustomResourceProvider`,
   * e.g. `Custom::VpcRestrictDefaultSG` of `ec2.Vpc` and `Custom::S3AutoDeleteObjects`) and of its
   * log-retention and bucket-notification functions. Their code and least-privilege policies are
   * fixed by CDK, and capped by a boundary that does not allow what they call (e.g.
   * `ec2:RevokeSecurityGroupEgress`) they fail and roll the deployment back. Each one left alone gets
   * an info message. Roles whose permissions the app chooses (`AwsCustomResource`, your own
   * `custom_resources.Provider` functions) are capped like any other. If the principal that deploys
   * may only create roles with this boundary (the `iam:CreateRole` guard), deploy through a role that
   * may create these provider roles, e.g. the CDK bootstrap's CloudFormation execution role.
   */
  public applyTo(scope: IConstruct): void {
    const arn = this.managedPolicyArn;
    const priority = FeatureFlags.of(scope).isEnabled(cxapi.ASPECT_PRIORITIES_MUTATING) ? AspectPriority.MUTATING : undefined;
    Aspects.of(scope).add({
      visit(node: IConstruct) {
        if (!CfnResource.isCfnResource(node) || !IDENTITY_TYPES.includes(node.cfnResourceType)) return;
        const framework = cdkFrameworkOwner(node);
        if (framework) {
          Annotations.of(node).addInfo(`DeveloperBoundary.applyTo left this role of CDK's own ${framework} without the boundary: CDK fixes its code and policy, and a cap would fail the deployment`);
          return;
        }
        node.addPropertyOverride('PermissionsBoundary', arn);
      },
    }, { priority });
  }
}

const IDENTITY_TYPES = [iam.CfnRole.CFN_RESOURCE_TYPE_NAME, iam.CfnUser.CFN_RESOURCE_TYPE_NAME];

/**
 * Construct ids of aws-cdk-lib's singleton helper functions whose code and policy CDK fixes
 * (log retention of `logRetention` props, `s3` bucket notifications).
 */
const CDK_SINGLETON_IDS = ['LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a', 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834'];

/** The CDK framework construct that owns `node` (a custom-resource provider or helper function), if any. */
function cdkFrameworkOwner(node: IConstruct): string | undefined {
  for (let scope: IConstruct | undefined = node.node.scope; scope; scope = scope.node.scope) {
    if (scope instanceof CustomResourceProviderBase) return `custom-resource provider ${scope.node.id}`;
    if (CDK_SINGLETON_IDS.includes(scope.node.id)) return `helper function ${scope.node.id}`;
  }
  return undefined;
}

/** Whether the IAM action pattern `pattern` (with `*` and `?` wildcards, case-insensitive) covers `action`. */
function matchesAction(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'i');
  return regex.test(action);
}
