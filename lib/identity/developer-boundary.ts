import { Annotations, AspectPriority, Aspects, CfnResource, CustomResourceProviderBase, FeatureFlags, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, inComplianceFrameworks } from '../private/acknowledge';
import { guardStatements, RUN_CODE_ROUTES } from './private/boundary-guards';
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
   * passing a role from elsewhere to a service (`iam:PassRole`), changing the trust policy of a
   * role elsewhere (`iam:UpdateAssumeRolePolicy`) and assuming one (`sts:AssumeRole`, except
   * `assumableRoles`) are denied, so developers can neither hand an existing privileged role to, say,
   * a Lambda function they control, nor make it trust them, nor step into it. Users, and the
   * policies and boundaries of roles and users, change only under the path too. Managed-policy
   * versions, groups (policies and members), role and user tags and user paths change only under the
   * same path (`policy/delegated/…`, `group/delegated/…`), and instance user data only on instances
   * whose instance profile is under it. Only roles carrying this boundary belong under the path.
   *
   * @default - no path: if `allowedStatements` allow `iam:PassRole` or `iam:UpdateAssumeRolePolicy`,
   *   developers can use them on any role of the account, including privileged ones without this
   *   boundary (a warning says so); policy versions, groups, tags and instance user data cannot be
   *   changed at all, and only `assumableRoles` may be assumed
   */
  readonly delegatedRolePath?: string;

  /**
   * Roles outside `delegatedRolePath` that principals under the boundary may still assume
   * (`sts:AssumeRole`), e.g. a read-only role of another account. Every other role is denied: a
   * session of a role without this boundary would leave the boundary behind. CDK's bootstrap deploy,
   * execution and publishing roles are refused (`cdk-hnb659fds-deploy-role-…` passes the
   * AdministratorAccess execution role); the read-only lookup role may be listed.
   *
   * @default - only roles under `delegatedRolePath`; none without it
   */
  readonly assumableRoles?: iam.IRole[];

  /**
   * The name prefix of the compute resources developers may change, e.g. `team-a-`. IAM cannot see
   * which role a function, task definition or project runs as, so changing code or configuration of
   * an existing one (`lambda:UpdateFunctionCode`/`UpdateFunctionConfiguration`, `ecs:RunTask`/
   * `StartTask`/`ExecuteCommand`, `codebuild:StartBuild`/`StartBuildBatch`/`UpdateProject`,
   * `glue:UpdateDevEndpoint`/`UpdateJob`, `sagemaker:CreatePresignedNotebookInstanceUrl`,
   * `states:UpdateStateMachine`, `cloudformation:UpdateStack`/`CreateChangeSet`, `batch:SubmitJob`)
   * is denied unless its name starts with this prefix. Names with the prefix must be reserved for
   * resources whose role is under `delegatedRolePath`. Starts with a letter; letters, digits and
   * hyphens (names of all these services accept them); 1 to 32 characters.
   *
   * @default - those actions are denied on every resource
   */
  readonly delegatedResourcePrefix?: string;

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

/**
 * A managed policy to use as the permissions boundary of delegated administrators (developers who
 * create their own roles) and of every role they create. It caps what those roles can do to
 * `allowedStatements`, and stops privilege escalation: under it nobody can create or change a role
 * or user unless that role or user carries this same boundary, remove a boundary, edit or delete
 * this policy, create credentials for IAM users, change identity providers, or assume a role, change
 * a managed policy's versions, a group, or tags outside `delegatedRolePath` (everywhere without one);
 * code and configuration of existing compute (Lambda, ECS, CodeBuild, Glue, SageMaker notebooks, Step
 * Functions, CloudFormation stacks, Batch) change only under `delegatedResourcePrefix`, and commands,
 * sessions and SSH keys on EC2 instances are denied. `applyTo(scope)` sets it on every role and user in a scope.
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
    const prefix = props.delegatedResourcePrefix;
    if (prefix !== undefined && !Token.isUnresolved(prefix) && !/^[A-Za-z][A-Za-z0-9-]{0,31}$/.test(prefix)) {
      throw new Error(`DeveloperBoundary: delegatedResourcePrefix must start with a letter and hold 1 to 32 letters, digits and hyphens (characters every guarded service accepts in names, e.g. team-a-), got "${prefix}"`);
    }
    for (const role of props.assumableRoles ?? []) {
      const known = [role.roleArn, role.roleName].find((x) => !Token.isUnresolved(x));
      const bootstrap = known?.match(CDK_BOOTSTRAP_ROLE);
      if (bootstrap) {
        throw new Error(`DeveloperBoundary: assumableRoles lists CDK's bootstrap ${bootstrap[1]} role (${known}), whose sessions escape the boundary (the deploy role passes the AdministratorAccess execution role, the publishing roles write the assets other deployments run); deploy delegated stacks with the developers' own credentials (CliCredentialsStackSynthesizer) instead`);
      }
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
    this.addStatements(...guardStatements(Stack.of(this), {
      boundaryArn: this.boundaryArn,
      rolePath,
      assumableRoleArns: (props.assumableRoles ?? []).map((role) => role.roleArn),
      resourcePrefix: prefix,
    }));

    if (rolePath === undefined) {
      const risky = ['iam:PassRole', 'iam:UpdateAssumeRolePolicy'].filter((action) =>
        props.allowedStatements.some((st) => st.effect === iam.Effect.ALLOW && st.actions.some((a) => matchesAction(a, action))));
      if (risky.length > 0) {
        Annotations.of(this).addWarningV2('cdk-security-patterns:identity:any-role',
          `The boundary allows ${risky.join(' and ')} but sets no delegatedRolePath: developers can use ${risky.length > 1 ? 'them' : 'it'} on any role of the account, including privileged ones without this boundary. Set delegatedRolePath.`);
      }
    }
    if (prefix === undefined) {
      // the ceiling allows them, yet the guard denies them everywhere: say why before a deployment fails
      const denied = RUN_CODE_ROUTES.flatMap((r) => r.actions).filter((action) =>
        props.allowedStatements.some((st) => st.effect === iam.Effect.ALLOW && st.actions.some((a) => matchesAction(a, action))));
      if (denied.length > 0) {
        Annotations.of(this).addWarningV2('cdk-security-patterns:identity:no-resource-prefix',
          `The boundary allows ${denied.join(', ')} but sets no delegatedResourcePrefix, so they are denied on every resource (IAM cannot see which role a function, task or project runs as). Set delegatedResourcePrefix to let developers change the resources named with it.`);
      }
    }
    // IAM counts a managed policy's characters without whitespace; CloudFormation would fail the deployment.
    this.node.addValidation({ validate: () => this.validateSize() });

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
   * The policy's size as IAM counts it against the managed-policy limit: characters of its JSON
   * without whitespace, with pseudo parameters at their longest value (`aws-us-gov`, 12-digit account).
   */
  public get policySize(): number {
    return JSON.stringify(flatten(Stack.of(this).resolve(this.document))).replace(/\s/g, '').length;
  }

  private validateSize(): string[] {
    const size = this.policySize;
    return size > MAX_MANAGED_POLICY_SIZE ? [
      `DeveloperBoundary: the policy holds ${size} characters (IAM counts them without whitespace), over IAM's limit of ${MAX_MANAGED_POLICY_SIZE} for a managed policy; `
      + 'shorten allowedStatements (fewer statements, action wildcards such as s3:Get*, one statement per set of resources)',
    ] : [];
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

/** CDK bootstrap roles whose sessions escape any boundary (the lookup role only reads). */
const CDK_BOOTSTRAP_ROLE = /cdk-[a-z0-9]+-(deploy|cfn-exec|file-publishing|image-publishing)-role-/;

/** IAM's limit for a managed policy document, in characters without whitespace. */
const MAX_MANAGED_POLICY_SIZE = 6144;

/** Pseudo parameters at the longest value they can take, for size estimates. */
const LONGEST_PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws-us-gov', 'AWS::AccountId': '000000000000', 'AWS::Region': 'ap-southeast-5', 'AWS::URLSuffix': 'amazonaws.com.cn',
};

/** A resolved CloudFormation value with `Fn::Join`s and pseudo parameters turned into the strings they become. */
function flatten(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flatten);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0] === 'Ref' && LONGEST_PSEUDO[object.Ref as string] !== undefined) return LONGEST_PSEUDO[object.Ref as string];
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => { const flat = flatten(part); return typeof flat === 'string' ? flat : JSON.stringify(flat); }).join(separator);
  }
  return Object.fromEntries(keys.map((key) => [key, flatten(object[key])]));
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
