import type { RequestDenial, RequestGrant, RunSimulationResults, Simulation } from '@cloud-copilot/iam-simulate';
import type { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Catalog, Entry, entryName } from './catalog';
import { mergeContext } from './context';
import { formatExplanation } from './explain';
import { IdentityPolicies, NamedPolicy } from './identity-policies';
import { canonicalKey, canonicalPolicy } from './key-aliases';
import { BUILT_IN_MANAGED_POLICIES } from './managed-policies';
import { OrgPolicies } from './org-policies';
import { withRegion } from './physical-ids';
import { PrincipalInfo, resolvePrincipal } from './principals';
import { resourcePolicyOf } from './resource-policies';
import { simulateSync } from './simulator';
import { isWebIdentityClaim, withClaims } from './web-identity';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, loadStacks } from './stack-set';
import type { AccessModelOptions, CheckRequest, Decision, PolicyDocument, TemplateInput } from './types';

/** Everything behind one decision, for debugging a failing access test. */
export interface AccessExplanation {
  readonly decision: Decision;
  /** The ARN the request was evaluated as (a role's assumed-role session ARN). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  /** Condition keys of the request, defaults included. */
  readonly context: Readonly<Record<string, string | string[]>>;
  /** Web identity claims substituted into the policies' `${...}` variables instead of being sent as keys. */
  readonly substitutedClaims: Readonly<Record<string, string>>;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly permissionsBoundary?: NamedPolicy;
  readonly resourcePolicy?: PolicyDocument;
  readonly serviceControlPolicies: readonly string[];
  readonly resourceControlPolicies: readonly string[];
  readonly sessionPolicy?: PolicyDocument;
  /** The policy of the VPC endpoint the request went through, if it has one. */
  readonly vpcEndpointPolicy?: PolicyDocument;
  /** Statements iam-simulate found decisive for an allow (statementIndex is 1-based). */
  readonly grants: readonly RequestGrant[];
  /** Statements (explicit) or policy types (implicit) iam-simulate found decisive for a deny. */
  readonly denials: readonly RequestDenial[];
  /** Context keys iam-simulate left out because they do not apply to the action (defaults the model set). */
  readonly ignoredContextKeys: readonly string[];
  /** The exact input given to iam-simulate and its full result (statement-level explains). */
  readonly simulation: Simulation;
  readonly result: RunSimulationResults;
  /** A readable multi-line summary of all of the above. */
  readonly text: string;
}

/** Actions on resources whose resource policy always exists and always takes part (role trust, key policy). */
const MANDATORY_RESOURCE_POLICY: ReadonlyArray<[RegExp, RegExp]> = [
  [/^sts:(AssumeRole|AssumeRoleWithSAML|AssumeRoleWithWebIdentity|TagSession|SetSourceIdentity|SetContext)$/i, /^arn:[a-z-]+:iam::\d{12}:role\//],
  [/^kms:/i, /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\//],
];

/**
 * `Principal: { AWS: '*' }` (how CDK writes AnyPrincipal) as `'*'`: IAM treats them alike, but
 * iam-simulate rejects anything but `"*"` in an endpoint policy.
 */
function anyPrincipalAsStar(policy: PolicyDocument): PolicyDocument {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return {
    ...policy,
    Statement: statements.map((s: Record<string, unknown>) => {
      const p = s?.Principal as { AWS?: unknown } | undefined;
      return p && typeof p === 'object' && Object.keys(p).length === 1 && (p.AWS === '*' || (Array.isArray(p.AWS) && p.AWS.length === 1 && p.AWS[0] === '*')) ? { ...s, Principal: '*' } : s;
    }),
  };
}

interface ResolvedResource {
  readonly arn: string;
  readonly account: string;
  readonly entry?: Entry;
}

/**
 * Effective-permission checks over synthesized stacks, evaluated by @cloud-copilot/iam-simulate.
 * See README.md in this folder.
 */
export class AccessModel {
  private readonly catalog: Catalog;
  private readonly identity: IdentityPolicies;
  private readonly org: OrgPolicies;
  private readonly options: AccessModelOptions;

  constructor(stacks: ReadonlyArray<Stack | TemplateInput>, options: AccessModelOptions = {}) {
    if (!Array.isArray(stacks) || stacks.length === 0) {
      throw new Error(`AccessModel: give at least one stack, got ${Array.isArray(stacks) ? 'an empty list' : typeof stacks}.`);
    }
    this.options = options;
    const infos = loadStacks(stacks, { account: options.defaultAccount ?? DEFAULT_ACCOUNT, region: options.defaultRegion ?? DEFAULT_REGION });
    this.catalog = new Catalog(infos, options.parameters);
    this.identity = new IdentityPolicies(this.catalog, options.managedPolicies ?? {}, options.ignoreUnknownAwsManagedPolicies);
    this.org = new OrgPolicies(this.catalog, { scps: options.serviceControlPolicies, rcps: options.resourceControlPolicies, managementAccount: options.managementAccount });
  }

  /** 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' for the request. */
  public check(request: CheckRequest): Decision {
    return this.explain(request).decision;
  }

  /** The decision with the policies, context and iam-simulate analysis behind it (`.text` reads well in a failing test). */
  public explain(request: CheckRequest): AccessExplanation {
    if (!request || typeof request.action !== 'string' || !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*]+$/.test(request.action)) {
      throw new Error(`AccessModel: action must look like 'service:Action', got ${JSON.stringify(request?.action)}.`);
    }
    const principal = resolvePrincipal(this.catalog, request.principal, this.options.sessionName ?? 'access-model');
    const resource = this.resolveResource(request, principal);

    let identityPolicies: NamedPolicy[];
    let boundary: NamedPolicy | undefined;
    if (principal.entry) {
      identityPolicies = this.identity.forPrincipal(principal);
      boundary = this.identity.boundaryOf(principal);
    } else if (principal.kind === 'service' || principal.kind === 'federated') {
      identityPolicies = [];
    } else {
      identityPolicies = (this.options.externalPrincipalPolicies ?? [BUILT_IN_MANAGED_POLICIES.AdministratorAccess])
        .map((policy, i) => ({ name: `external principal policy ${i + 1}`, policy }));
    }
    const resourcePolicy = resource.entry ? resourcePolicyOf(this.catalog, resource.entry, request.action) : undefined;
    if (!resource.entry && MANDATORY_RESOURCE_POLICY.some(([action, arn]) => action.test(request.action) && arn.test(resource.arn))) {
      // A role always has a trust policy and a key a key policy; without it any answer would be a guess
      // (iam-simulate even allows sts:AssumeRole in the same account when no trust policy is given).
      throw new Error(`AccessModel: ${resource.arn} is not in the model's stacks, so its ${/^sts:/i.test(request.action) ? 'trust' : 'key'} policy is unknown and ${request.action} cannot be decided; pass the stack that defines it.`);
    }
    // SCPs bind the principal's account; service principals and identity providers have none.
    const scps = principal.kind === 'service' || principal.kind === 'federated' ? [] : this.org.scpsFor(principal.account);
    const rcps = this.org.rcpsFor(resource.account);

    const endpoint = request.vpcEndpoint ? this.resolveEndpoint(request.vpcEndpoint) : undefined;
    if (request.sessionPolicy && principal.kind !== 'role') {
      throw new Error(`AccessModel: sessionPolicy applies to role sessions, but the principal is ${principal.description}.`);
    }
    const merged = mergeContext({ ...this.defaultContext(principal, resource), ...endpoint?.context }, request.context);
    // web identity claims of the session: substituted into policy variables, not sent as context keys
    const claims: Record<string, string> = {};
    const context: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(merged)) {
      if (isWebIdentityClaim(k, request.action)) {
        if (typeof v === 'string') claims[k] = v;
      } else {
        context[k] = v;
      }
    }
    const prepare = <T extends PolicyDocument | undefined>(policy: T): T => canonicalPolicy(withClaims(policy, claims));
    const simulation: Simulation = {
      request: {
        principal: principal.requestArn,
        action: request.action,
        resource: { resource: resource.arn, accountId: resource.account },
        contextVariables: context,
      },
      identityPolicies: identityPolicies.map((p) => ({ name: p.name, policy: prepare(p.policy) })),
      serviceControlPolicies: scps.map((s) => ({ ...s, policies: s.policies.map((p) => ({ ...p, policy: prepare(p.policy as PolicyDocument) })) })),
      resourceControlPolicies: rcps.map((s) => ({ ...s, policies: s.policies.map((p) => ({ ...p, policy: prepare(p.policy as PolicyDocument) })) })),
      ...(resourcePolicy ? { resourcePolicy: prepare(resourcePolicy) } : {}),
      ...(boundary ? { permissionBoundaryPolicies: [{ name: boundary.name, policy: prepare(boundary.policy) }] } : {}),
      ...(request.sessionPolicy ? { sessionPolicy: prepare(request.sessionPolicy) } : {}),
      ...(endpoint?.policy ? { vpcEndpointPolicies: [{ name: endpoint.name, policy: prepare(endpoint.policy) }] } : {}),
    };
    const { result, grants, denials, singleValuedArrays } = simulateSync(simulation);
    if (result.resultType === 'error') {
      throw new Error(`AccessModel: iam-simulate rejected the request ${request.action} by ${principal.requestArn} on ${resource.arn}: ${JSON.stringify(result.errors, null, 1)}`);
    }
    const ignored = result.resultType === 'single' ? result.result.ignoredContextKeys ?? [] : result.results.flatMap((r) => r.ignoredContextKeys ?? []);
    const given = Object.keys(request.context ?? {}).filter((k) => request.context![k] != null && !isWebIdentityClaim(k, request.action));
    const givenIgnored = given.filter((k) => ignored.some((i) => i.toLowerCase() === canonicalKey(k).toLowerCase()));
    if (givenIgnored.length) {
      // A key the action does not support would silently change nothing: fail loudly instead.
      throw new Error(`AccessModel: context key(s) ${givenIgnored.join(', ')} do not apply to ${request.action} on ${resource.arn}, so iam-simulate ignores them; remove them (AWS would not send them with this request either).`);
    }
    const givenArrays = given.filter((k) => singleValuedArrays.some((i) => i.toLowerCase() === canonicalKey(k).toLowerCase()));
    if (givenArrays.length) {
      // iam-simulate would silently keep only the first element.
      throw new Error(`AccessModel: context key(s) ${givenArrays.join(', ')} take a single value, got an array; pass one value.`);
    }
    const explanation = {
      decision: result.overallResult,
      principal: principal.requestArn,
      action: request.action,
      resource: resource.arn,
      resourceAccount: resource.account,
      context,
      substitutedClaims: claims,
      identityPolicies,
      permissionsBoundary: boundary,
      resourcePolicy,
      serviceControlPolicies: scps.flatMap((s) => s.policies.map((p) => p.name)),
      resourceControlPolicies: rcps.flatMap((s) => s.policies.map((p) => p.name)),
      sessionPolicy: request.sessionPolicy,
      vpcEndpointPolicy: endpoint?.policy,
      grants,
      denials,
      ignoredContextKeys: ignored,
      simulation,
      result,
    };
    return { ...explanation, text: formatExplanation(explanation, principal.description) };
  }

  /**
   * The deterministic ARN the model gives a construct of its stacks (or the ARN an imported construct
   * carries). With `region`, the ARN of its copy in that region (a secret's replica: checks on it use
   * the primary's resource policy, which Secrets Manager replicates).
   */
  public arnOf(construct: IConstruct, region?: string): string {
    const target = this.catalog.targetOf(construct, 'construct');
    const arn = target.arn ?? this.catalog.arn(target.entry!);
    return region === undefined ? arn : withRegion(arn, region);
  }

  /**
   * Throws, with the explanation, unless the request gets `expected`: a failing test then shows
   * which policies were evaluated and which statements decided.
   */
  public assertDecision(request: CheckRequest, expected: Decision): void {
    const e = this.explain(request);
    if (e.decision !== expected) {
      throw new Error(`AccessModel: expected ${expected}, got ${e.text}`);
    }
  }

  /**
   * The ARN of a resource of a hand-written template (or any stack) by stack name and logical id.
   * Passing it as `principal` or `resource` finds the resource again, policies included.
   */
  public arnOfLogicalId(stackName: string, logicalId: string): string {
    const stack = this.catalog.stacks.find((s) => s.stackName === stackName);
    if (!stack) throw new Error(`AccessModel: no stack named '${stackName}' (stacks: ${this.catalog.stacks.map((s) => s.stackName).join(', ')}).`);
    return this.catalog.resolver.physicalOf(stack, logicalId).arn();
  }

  private resolveEndpoint(construct: IConstruct): { name: string; policy?: PolicyDocument; context: Record<string, string> } {
    const entry = this.catalog.entryOf(construct, 'vpcEndpoint');
    if (entry.resource.Type !== 'AWS::EC2::VPCEndpoint') {
      throw new Error(`AccessModel: vpcEndpoint must be an AWS::EC2::VPCEndpoint, got ${entryName(entry)}.`);
    }
    const context: Record<string, string> = { 'aws:SourceVpce': this.catalog.physical(entry).ref() };
    const vpc = this.catalog.prop(entry, 'VpcId');
    if (typeof vpc === 'string') context['aws:SourceVpc'] = vpc;
    // An endpoint without a policy allows full access.
    const policy = this.catalog.prop(entry, 'PolicyDocument') as PolicyDocument | undefined;
    return { name: entryName(entry), policy: policy && anyPrincipalAsStar(policy), context };
  }

  private resolveResource(request: CheckRequest, principal: PrincipalInfo): ResolvedResource {
    const suffix = request.resourceSuffix ?? '';
    if (suffix && !/^[/:]/.test(suffix)) {
      throw new Error(`AccessModel: resourceSuffix must start with '/' or ':' (it is appended to the ARN), got '${suffix}'; for an object write '/${suffix}'.`);
    }
    let target: { entry?: Entry; arn?: string } | undefined;
    if (typeof request.resource !== 'string') {
      if (!request.resource || !request.resource.node) {
        throw new Error(`AccessModel: resource must be a construct of the stacks or an ARN string, got ${JSON.stringify(request.resource)}.`);
      }
      target = this.catalog.targetOf(request.resource, 'resource');
    }
    if (typeof request.resource === 'string' || target?.arn) {
      const arn = (target?.arn ?? request.resource as string) + suffix;
      if (arn === '*') {
        // wildcard-only actions (secretsmanager:GetRandomPassword, ...): the caller's own account
        const account = request.resourceAccount ?? principal.account;
        if (!account) throw new Error(`AccessModel: resource '*' needs resourceAccount: '<12-digit id>' for principal ${principal.requestArn}.`);
        return { arn, account };
      }
      if (!/^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$/.test(arn)) {
        throw new Error(`AccessModel: resource '${arn}' is not an ARN; pass a construct of the stacks or an ARN.`);
      }
      const entry = this.catalog.entryByArn(arn);
      const arnAccount = arn.split(':')[4];
      const account = request.resourceAccount ?? entry?.stack.account ?? (/^\d{12}$/.test(arnAccount) ? arnAccount : undefined);
      if (!account) {
        throw new Error(`AccessModel: resource '${arn}' names no account and is not in the stacks; say who owns it with resourceAccount: '<12-digit id>'.`);
      }
      return { arn, account, entry };
    }
    const entry = target!.entry!;
    return { arn: this.catalog.arn(entry) + suffix, account: request.resourceAccount ?? entry.stack.account, entry };
  }

  /** Keys a real request would carry; a request's own context overrides them. */
  private defaultContext(principal: PrincipalInfo, resource: ResolvedResource): Record<string, string | string[]> {
    const ctx: Record<string, string | string[]> = {
      // SDKs and the console always call AWS over HTTPS.
      'aws:SecureTransport': 'true',
      'aws:PrincipalArn': principal.principalArn,
      'aws:PrincipalIsAWSService': principal.kind === 'service' ? 'true' : 'false',
      'aws:ResourceAccount': resource.account,
    };
    const arnRegion = resource.arn.split(':')[3];
    ctx['aws:RequestedRegion'] = arnRegion || resource.entry?.stack.region || this.options.defaultRegion || DEFAULT_REGION;
    if (principal.kind === 'service') {
      ctx['aws:PrincipalServiceName'] = principal.requestArn;
    } else if (principal.kind === 'federated') {
      delete ctx['aws:PrincipalArn'];
      ctx['aws:PrincipalType'] = 'WebIdentityUser';
    } else {
      ctx['aws:PrincipalType'] = principal.kind === 'role' ? 'AssumedRole' : principal.kind === 'user' ? 'User' : 'Account';
    }
    if (principal.account) ctx['aws:PrincipalAccount'] = principal.account;
    if (principal.userId) ctx['aws:userid'] = principal.userId;
    if (principal.kind === 'user' && principal.name) ctx['aws:username'] = principal.name;
    for (const [k, v] of Object.entries(principal.tags)) ctx[`aws:PrincipalTag/${k}`] = v;
    if (resource.entry) {
      for (const [k, v] of Object.entries(this.catalog.tags(resource.entry))) ctx[`aws:ResourceTag/${k}`] = v;
    }
    const orgId = this.options.organizationId;
    if (orgId) {
      const members = this.options.organizationAccounts ?? this.catalog.accounts();
      if (principal.account && members.includes(principal.account)) ctx['aws:PrincipalOrgID'] = orgId;
      if (members.includes(resource.account)) ctx['aws:ResourceOrgID'] = orgId;
    }
    return ctx;
  }
}
