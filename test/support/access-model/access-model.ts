import type { RequestDenial, RequestGrant, RunSimulationResults, Simulation, SimulationOrgPolicies } from '@cloud-copilot/iam-simulate';
import type { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Catalog } from './catalog';
import { defaultContext, mergeContext } from './context';
import { formatExplanation } from './explain';
import { IdentityPolicies, NamedPolicy } from './identity-policies';
import { canonicalKey, canonicalPolicy } from './key-aliases';
import { BUILT_IN_MANAGED_POLICIES } from './managed-policies';
import { OrgPolicies } from './org-policies';
import { withRegion } from './physical-ids';
import { PrincipalInfo, resolvePrincipal } from './principals';
import { resourcePolicyOf } from './resource-policies';
import { describeSubnetSharing } from './resource-shares';
import { resolveResource } from './resources';
import { simulateSync } from './simulator';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, loadStacks } from './stack-set';
import { resolveEndpoint } from './vpc-endpoints';
import { isWebIdentityClaim, splitClaims, withClaims } from './web-identity';
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
  /** For a subnet of the stacks: the AWS RAM shares that make it usable by other accounts, or that none does. */
  readonly ramSharing?: string;
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
    this.identity = new IdentityPolicies(this.catalog, options);
    this.org = new OrgPolicies(this.catalog, options);
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
    if (request.sessionPolicy && principal.kind !== 'role') {
      throw new Error(`AccessModel: sessionPolicy applies to role sessions, but the principal is ${principal.description}.`);
    }
    const resource = resolveResource(this.catalog, request, principal);
    const { identityPolicies, boundary } = this.principalPolicies(principal);
    const resourcePolicy = resource.entry ? resourcePolicyOf(this.catalog, resource.entry, request.action) : undefined;
    // SCPs bind the principal's account; service principals and identity providers have none.
    const scps = principal.kind === 'service' || principal.kind === 'federated' ? [] : this.org.scpsFor(principal.account);
    const rcps = this.org.rcpsFor(resource.account);
    const endpoint = request.vpcEndpoint ? resolveEndpoint(this.catalog, request.vpcEndpoint) : undefined;

    const defaults = defaultContext(this.catalog, principal, resource, this.options);
    const { claims, context } = splitClaims(mergeContext({ ...defaults, ...endpoint?.context }, request.context), request.action);
    const prepare = <T extends PolicyDocument | undefined>(policy: T): T => canonicalPolicy(withClaims(policy, claims));
    const orgLevel = (levels: SimulationOrgPolicies[]) => levels.map((l) => ({ ...l, policies: l.policies.map((p) => ({ ...p, policy: prepare(p.policy as PolicyDocument) })) }));
    const simulation: Simulation = {
      request: {
        principal: principal.requestArn,
        action: request.action,
        resource: { resource: resource.arn, accountId: resource.account },
        contextVariables: context,
      },
      identityPolicies: identityPolicies.map((p) => ({ name: p.name, policy: prepare(p.policy) })),
      serviceControlPolicies: orgLevel(scps),
      resourceControlPolicies: orgLevel(rcps),
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
    verifyGivenKeys(request, resource.arn, ignored, singleValuedArrays);
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
      ramSharing: resource.entry?.resource.Type === 'AWS::EC2::Subnet' ? describeSubnetSharing(this.catalog, resource.entry) : undefined,
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

  /** The principal's identity policies and permissions boundary. */
  private principalPolicies(principal: PrincipalInfo): { identityPolicies: NamedPolicy[]; boundary?: NamedPolicy } {
    if (principal.entry) {
      return { identityPolicies: this.identity.forPrincipal(principal.entry), boundary: this.identity.boundaryOf(principal.entry) };
    }
    if (principal.kind === 'service' || principal.kind === 'federated') return { identityPolicies: [] };
    return {
      identityPolicies: (this.options.externalPrincipalPolicies ?? [BUILT_IN_MANAGED_POLICIES.AdministratorAccess])
        .map((policy, i) => ({ name: `external principal policy ${i + 1}`, policy })),
    };
  }
}

/** Context keys the caller gave must reach the evaluation as given: fail loudly where iam-simulate would drop or cut them. */
function verifyGivenKeys(request: CheckRequest, resourceArn: string, ignored: string[], singleValuedArrays: string[]): void {
  const given = Object.keys(request.context ?? {}).filter((k) => request.context![k] != null && !isWebIdentityClaim(k, request.action));
  const among = (keys: string[]) => given.filter((k) => keys.some((i) => i.toLowerCase() === canonicalKey(k).toLowerCase()));
  const dropped = among(ignored);
  if (dropped.length) {
    throw new Error(`AccessModel: context key(s) ${dropped.join(', ')} do not apply to ${request.action} on ${resourceArn}, so iam-simulate ignores them; remove them (AWS would not send them with this request either).`);
  }
  const cut = among(singleValuedArrays);
  if (cut.length) {
    throw new Error(`AccessModel: context key(s) ${cut.join(', ')} take a single value, got an array; pass one value.`);
  }
}
