import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Options every guardrail takes. */
export interface GuardrailOptions {
  /**
   * Roles this guardrail does not apply to, by name: a break-glass role, the deployment pipeline's
   * role. A name may carry an IAM path (`ops/BreakGlass`) and `*` wildcards (`cdk-hnb659fds-cfn-exec-role-*`);
   * it matches the role of that name in every account the SCP is attached to. `Guardrails` adds its own
   * `exemptRoles` to these and protects all of them from being created or changed by anyone else.
   *
   * @default - no role of this guardrail's own (the `Guardrails` construct's `exemptRoles` still apply)
   */
  readonly exemptRoles?: string[];
}

/** Options of `Guardrail.allowOnlyRegions`. */
export interface RegionGuardrailOptions extends GuardrailOptions {
  /**
   * Actions exempt from the region check besides `Guardrail.GLOBAL_SERVICE_ACTIONS`, e.g. another
   * global service you use (`'chatbot:*'`) or a single action (`'ec2:DescribeRegions'`).
   *
   * @default - only `Guardrail.GLOBAL_SERVICE_ACTIONS`
   */
  readonly additionalGlobalActions?: string[];
}

/** One statement of a guardrail, before the exempt roles are known. */
interface StatementSpec {
  readonly sid: string;
  readonly actions?: string[];
  readonly notActions?: string[];
  readonly resources: string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
  /** Whether the exempt roles are let through (false where no role should be, e.g. IMDSv1 credentials). */
  readonly exemptable: boolean;
}

/** IAM actions that create or change a role, its policies, boundary, trust policy or tags. */
export const ROLE_CHANGE_ACTIONS = [
  'iam:AttachRolePolicy', 'iam:CreateRole', 'iam:DeleteRole', 'iam:DeleteRolePermissionsBoundary', 'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy', 'iam:TagRole', 'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
];

const ROLE_NAME = /^[\w+=,.@\-/*]{1,512}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const SERVICE_PREFIX = /^[a-z0-9][a-z0-9-]{0,59}$/;
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;

/** A one-element list as its element (as IAM writes it), else the list. */
function one(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/** `arn:*:iam::*:role/NAME` for a role name (with optional path). */
export function roleArnPattern(name: string): string {
  return `arn:*:iam::*:role/${name}`;
}

/** Checks role names and returns them. */
export function checkRoleNames(where: string, names: string[]): string[] {
  for (const name of names) {
    if (!Token.isUnresolved(name) && (!ROLE_NAME.test(name) || name.startsWith('/') || name.endsWith('/'))) {
      throw new Error(`${where}: "${name}" is not a role name; write the name as IAM spells it (letters, digits and +=,.@-_), optionally with a path (ops/BreakGlass) and * wildcards, without the ARN`);
    }
  }
  return names;
}

/**
 * A ready SCP control: one or more `Deny` statements with a documented purpose, each exempting named
 * roles. Combine several with `Guardrails`, which packs them into as few SCPs as fit Organizations'
 * size quota, or take `statements()` into a `ServiceControlPolicy` of your own.
 *
 * Every guardrail binds the IAM users and roles and the root user of the member accounts below the
 * policy's targets; none binds the organization's management account or service-linked roles.
 */
export class Guardrail {
  /**
   * Actions of global services (and global actions of regional services) that `allowOnlyRegions`
   * leaves open in every region: their endpoints live in us-east-1 (or are global), so a region
   * allow-list without them breaks IAM, Organizations, billing, CloudFront, Route 53 and support.
   *
   * Taken on 2026-12-01 from the "Deny access to AWS based on the requested AWS Region" example of the
   * AWS Organizations User Guide (SCP examples, general); AWS adds global services from time to time,
   * so compare it with that page and add the newer ones through `additionalGlobalActions`.
   */
  public static readonly GLOBAL_SERVICE_ACTIONS: string[] = [
    'a4b:*', 'acm:*', 'aws-marketplace-management:*', 'aws-marketplace:*', 'aws-portal:*', 'budgets:*', 'ce:*',
    'chime:*', 'cloudfront:*', 'config:*', 'cur:*', 'directconnect:*', 'ec2:DescribeRegions', 'ec2:DescribeTransitGateways',
    'ec2:DescribeVpnGateways', 'fms:*', 'globalaccelerator:*', 'health:*', 'iam:*', 'importexport:*', 'kms:*',
    'mobileanalytics:*', 'networkmanager:*', 'organizations:*', 'pricing:*', 'route53:*', 'route53domains:*',
    'route53-recovery-cluster:*', 'route53-recovery-control-config:*', 'route53-recovery-readiness:*',
    's3:GetAccountPublic*', 's3:ListAllMyBuckets', 's3:ListMultiRegionAccessPoints', 's3:PutAccountPublic*', 'shield:*',
    'sts:*', 'support:*', 'trustedadvisor:*', 'waf-regional:*', 'waf:*', 'wafv2:*', 'wellarchitected:*',
  ];

  /** The date `GLOBAL_SERVICE_ACTIONS` was compared with the AWS Organizations User Guide. */
  public static readonly GLOBAL_SERVICE_ACTIONS_DATE = '2026-12-01';

  /** Actions that would switch off or blind CloudTrail, Config, GuardDuty, Security Hub and IAM Access Analyzer. */
  public static readonly SECURITY_SERVICE_ACTIONS: string[] = [
    'cloudtrail:DeleteTrail', 'cloudtrail:StopLogging', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors',
    'cloudtrail:DeleteEventDataStore', 'cloudtrail:StopEventDataStoreIngestion',
    'config:DeleteConfigurationRecorder', 'config:StopConfigurationRecorder', 'config:DeleteDeliveryChannel', 'config:PutConfigurationRecorder',
    'guardduty:DeleteDetector', 'guardduty:UpdateDetector', 'guardduty:DisassociateFromMasterAccount', 'guardduty:DisassociateFromAdministratorAccount',
    'guardduty:DeleteMembers', 'guardduty:DisassociateMembers', 'guardduty:StopMonitoringMembers', 'guardduty:CreateFilter', 'guardduty:UpdateFilter',
    'guardduty:CreateIPSet', 'guardduty:UpdateIPSet', 'guardduty:DeletePublishingDestination',
    'securityhub:DisableSecurityHub', 'securityhub:DisassociateFromMasterAccount', 'securityhub:DisassociateFromAdministratorAccount',
    'securityhub:DeleteMembers', 'securityhub:DisassociateMembers', 'securityhub:BatchDisableStandards',
    'access-analyzer:DeleteAnalyzer', 'access-analyzer:CreateArchiveRule', 'access-analyzer:UpdateArchiveRule',
  ];

  /**
   * The role names of a CDK bootstrap (`cdk bootstrap`) with the given qualifier: the deploy, lookup,
   * file- and image-publishing and CloudFormation execution roles, as one pattern (`cdk-hnb659fds-*`).
   * For `protectRoles`.
   *
   * @param qualifier the bootstrap qualifier, `hnb659fds` unless the bootstrap chose another
   */
  public static cdkBootstrapRoleNames(qualifier: string = 'hnb659fds'): string[] {
    if (!Token.isUnresolved(qualifier) && !/^[A-Za-z0-9_-]{1,10}$/.test(qualifier)) {
      throw new Error(`Guardrail.cdkBootstrapRoleNames: qualifier must be 1 to 10 letters, digits, - or _ (as cdk bootstrap accepts), got "${qualifier}"`);
    }
    return [`cdk-${qualifier}-*`];
  }

  /**
   * Deny `organizations:LeaveOrganization`: a member account cannot leave the organization (and so
   * shed every SCP and the organization's CloudTrail).
   */
  public static denyLeavingOrganization(options: GuardrailOptions = {}): Guardrail {
    return new Guardrail('DenyLeavingOrganization', 'member accounts cannot leave the organization', options, [
      { sid: 'DenyLeavingOrganization', actions: ['organizations:LeaveOrganization'], resources: ['*'], exemptable: true },
    ]);
  }

  /**
   * Deny every action to the root user of the member accounts (`aws:PrincipalArn` `arn:*:iam::*:root`).
   * Root-only tasks (e.g. restoring a bucket policy that locks everyone out) then need the guardrail
   * lifted for that account, or AWS's centralized root access from the management account. Exempt
   * roles have nothing to do with this guardrail: it only matches the root user.
   */
  public static denyRootUser(): Guardrail {
    return new Guardrail('DenyRootUser', 'the root user of a member account can do nothing', {}, [
      { sid: 'DenyRootUser', actions: ['*'], resources: ['*'], conditions: { ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } }, exemptable: false },
    ]);
  }

  /**
   * Deny every action requested for a region outside `regions` (`aws:RequestedRegion`), except the
   * actions of `GLOBAL_SERVICE_ACTIONS` (dated; see there) and `additionalGlobalActions`.
   *
   * @param regions the allowed regions, e.g. `['eu-central-1', 'eu-west-1']`
   */
  public static allowOnlyRegions(regions: string[], options: RegionGuardrailOptions = {}): Guardrail {
    const where = 'Guardrail.allowOnlyRegions';
    if (regions.length === 0) {
      throw new Error(`${where}: regions must name at least one region, got an empty list (that would deny every regional service everywhere)`);
    }
    for (const region of regions) {
      if (!Token.isUnresolved(region) && !REGION.test(region)) {
        throw new Error(`${where}: "${region}" is not a region name such as eu-central-1`);
      }
    }
    const extra = options.additionalGlobalActions ?? [];
    for (const action of extra) {
      if (!ACTION.test(action)) {
        throw new Error(`${where}: additionalGlobalActions must be actions such as chatbot:* or ec2:DescribeRegions, got "${action}"`);
      }
    }
    const notActions = [...new Set([...Guardrail.GLOBAL_SERVICE_ACTIONS, ...extra])];
    return new Guardrail('DenyOutsideRegions', `only ${regions.join(', ')} (global services exempt)`, options, [
      { sid: 'DenyOutsideRegions', notActions, resources: ['*'], conditions: { StringNotEquals: { 'aws:RequestedRegion': one([...regions]) } }, exemptable: true },
    ]);
  }

  /**
   * Deny the actions that switch off or blind CloudTrail, AWS Config, GuardDuty, Security Hub and IAM
   * Access Analyzer (`SECURITY_SERVICE_ACTIONS`): stopping or deleting trails and recorders, leaving the
   * administrator account, suppression filters and archive rules. Set these services up through an
   * exempt role (or a StackSet whose execution role is exempt).
   */
  public static protectSecurityServices(options: GuardrailOptions = {}): Guardrail {
    return new Guardrail('ProtectSecurityServices', 'CloudTrail, Config, GuardDuty, Security Hub and Access Analyzer stay on', options, [
      { sid: 'ProtectSecurityServices', actions: [...Guardrail.SECURITY_SERVICE_ACTIONS], resources: ['*'], exemptable: true },
    ]);
  }

  /**
   * Deny every action of the named services, e.g. `['dynamodb']` where DynamoDB is not approved.
   *
   * @param services service prefixes as IAM spells them in actions (`dynamodb`, `sagemaker`)
   */
  public static denyServices(services: string[], options: GuardrailOptions = {}): Guardrail {
    if (services.length === 0) {
      throw new Error('Guardrail.denyServices: services must name at least one service prefix, got an empty list');
    }
    for (const service of services) {
      if (!SERVICE_PREFIX.test(service)) {
        throw new Error(`Guardrail.denyServices: "${service}" is not a service prefix; write it as in an action, e.g. dynamodb (from dynamodb:GetItem)`);
      }
    }
    const sid = `Deny${services.map((s) => s.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('')).join('')}`.slice(0, 100);
    return new Guardrail(sid, `no ${services.join(', ')}`, options, [
      { sid, actions: services.map((s) => `${s}:*`), resources: ['*'], exemptable: true },
    ]);
  }

  /**
   * Require IMDSv2 on EC2: instances are launched only with `HttpTokens: required`, nobody changes an
   * instance's or the account's metadata options, and role credentials that came through IMDSv1
   * (`ec2:RoleDelivery` below 2.0) are denied everything — that last part without exemption.
   */
  public static requireImdsv2(options: GuardrailOptions = {}): Guardrail {
    return new Guardrail('RequireImdsv2', 'EC2 instances use IMDSv2 only', options, [
      {
        sid: 'RequireImdsv2OnLaunch', actions: ['ec2:RunInstances'], resources: ['arn:*:ec2:*:*:instance/*'],
        conditions: { StringNotEquals: { 'ec2:MetadataHttpTokens': 'required' } }, exemptable: true,
      },
      { sid: 'DenyMetadataOptionChanges', actions: ['ec2:ModifyInstanceMetadataOptions', 'ec2:ModifyInstanceMetadataDefaults'], resources: ['*'], exemptable: true },
      { sid: 'DenyImdsv1Credentials', actions: ['*'], resources: ['*'], conditions: { NumericLessThan: { 'ec2:RoleDelivery': '2.0' } }, exemptable: false },
    ]);
  }

  /**
   * Deny creating, deleting and changing the named roles — their policies, permissions boundary, trust
   * policy and tags — e.g. the security-audit role that a security account assumes, and CDK's bootstrap
   * roles (`Guardrail.cdkBootstrapRoleNames()`), whose change would let an account admin deploy as
   * someone else. Bootstrap and update them through an exempt role.
   *
   * @param roleNames role names, optionally with path and `*` wildcards
   */
  public static protectRoles(roleNames: string[], options: GuardrailOptions = {}): Guardrail {
    if (roleNames.length === 0) {
      throw new Error('Guardrail.protectRoles: roleNames must name at least one role, got an empty list');
    }
    checkRoleNames('Guardrail.protectRoles', roleNames);
    return new Guardrail('ProtectRoles', `roles ${roleNames.join(', ')} cannot be changed`, options, [
      { sid: 'ProtectRoles', actions: [...ROLE_CHANGE_ACTIONS], resources: roleNames.map(roleArnPattern), exemptable: true },
    ]);
  }

  /** The guardrail's name, also the `Sid` (or `Sid` prefix) of its statements. */
  public readonly name: string;
  /** What the guardrail ensures, in a few words (for policy descriptions). */
  public readonly description: string;
  /** The roles this guardrail itself exempts. */
  public readonly exemptRoles: string[];

  private readonly specs: StatementSpec[];

  private constructor(name: string, description: string, options: GuardrailOptions, specs: StatementSpec[]) {
    this.name = name;
    this.description = description;
    this.exemptRoles = checkRoleNames(`Guardrail ${name}`, [...(options.exemptRoles ?? [])]);
    this.specs = specs;
  }

  /** The guardrail's statements, exempting its own `exemptRoles`. */
  public statements(): iam.PolicyStatement[] {
    return this._statements([]);
  }

  /**
   * The statements, exempting this guardrail's roles and `moreExemptRoles`.
   * @internal
   */
  public _statements(moreExemptRoles: string[]): iam.PolicyStatement[] {
    const exempt = [...new Set([...this.exemptRoles, ...moreExemptRoles])];
    return this.specs.map((spec) => {
      const conditions: Record<string, Record<string, unknown>> = { ...spec.conditions };
      if (spec.exemptable && exempt.length > 0) {
        conditions.ArnNotLike = { 'aws:PrincipalArn': one(exempt.map(roleArnPattern)) };
      }
      return new iam.PolicyStatement({
        sid: spec.sid,
        effect: iam.Effect.DENY,
        actions: spec.actions,
        notActions: spec.notActions,
        resources: spec.resources,
        conditions: Object.keys(conditions).length ? conditions : undefined,
      });
    });
  }
}
