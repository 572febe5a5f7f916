import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { checkRoleNames, Guardrail, ROLE_CHANGE_ACTIONS, roleArnPattern } from './guardrail';
import { PolicyTarget } from './policy-target';
import { count, MAX_POLICIES_PER_TARGET, MAX_POLICY_SIZE } from './private/organization-policy';
import { ServiceControlPolicy } from './service-control-policy';

/** Properties of `Guardrails`. */
export interface GuardrailsProps {
  /** The guardrails, e.g. `[Guardrail.denyLeavingOrganization(), Guardrail.allowOnlyRegions(['eu-central-1'])]`. */
  readonly guardrails: Guardrail[];

  /**
   * Roles that no guardrail applies to — the break-glass role and the deployment pipeline's role — by
   * name (optionally with path and `*` wildcards), in every account below the targets. Added to each
   * guardrail's own `exemptRoles`.
   *
   * Because the exemption goes by name, an account admin could otherwise create a role of that name
   * and walk past every guardrail: a `ProtectExemptRoles` statement therefore denies creating,
   * changing or deleting the exempt roles (trust policy included) to everyone but the exempt roles
   * themselves. Create them before the SCPs are attached, or through an exempt role (a StackSet's
   * `stacksets-exec-*` execution role, for instance), and let their trust policies name only
   * principals you control.
   *
   * @default - no role is exempt beyond each guardrail's own `exemptRoles`
   */
  readonly exemptRoles?: string[];

  /**
   * Where to attach every SCP. `attachTo` adds more.
   *
   * @default - not attached
   */
  readonly targets?: PolicyTarget[];

  /**
   * Prefix of the SCPs' names: `<prefix>-1`, `<prefix>-2`, ...
   *
   * @default - the construct's path-derived name
   */
  readonly policyNamePrefix?: string;

  /**
   * The most SCPs the guardrails may take. Organizations allows 5 SCPs on one target, one of them
   * the `FullAWSAccess` policy that stays attached; lower it to leave room for other SCPs on the
   * same targets.
   *
   * @default 4
   */
  readonly maxPolicies?: number;
}

/** `{"Version":"2012-10-17","Statement":[]}` */
const ENVELOPE = JSON.stringify({ Version: '2012-10-17', Statement: [] }).length;

interface Sized {
  /** The guardrail's name (the statement's origin). */
  readonly name: string;
  readonly statement: iam.PolicyStatement;
  readonly size: number;
}

/** A policy being filled: its statements and their total size with commas. */
class Bin {
  public readonly items: Sized[] = [];
  public size = ENVELOPE;

  public fits(items: Sized[]): boolean {
    return this.size + items.reduce((sum, i) => sum + i.size + 1, 0) - (this.items.length === 0 ? 1 : 0) <= MAX_POLICY_SIZE;
  }

  public add(items: Sized[]): void {
    for (const item of items) {
      this.size += item.size + (this.items.length === 0 ? 0 : 1);
      this.items.push(item);
    }
  }
}

/**
 * A set of guardrails as service control policies: their statements packed into as few SCPs as fit
 * Organizations' quota of 5,120 characters each (a guardrail's statements stay together where they
 * fit, and are spread over policies where one guardrail alone is too big), each exempting the named
 * break-glass/pipeline roles, which are themselves protected from being created or changed by
 * anyone else. Fails at construction, naming the sizes and the limit, when the guardrails need more
 * than `maxPolicies` SCPs.
 *
 * SCPs bind every IAM user and role and the root user of the member accounts below their targets;
 * they never bind the organization's management account (nor service-linked roles), so keep
 * workloads out of it.
 */
export class Guardrails extends Construct {
  /** The SCPs, in order (`Policy1`, `Policy2`, ...). */
  public readonly policies: ServiceControlPolicy[];
  /** Every exempt role name (`exemptRoles` of the construct and of each guardrail). */
  public readonly exemptRoles: string[];

  constructor(scope: Construct, id: string, props: GuardrailsProps) {
    super(scope, id);
    const where = `Guardrails ${this.node.path}`;
    if (props.guardrails.length === 0) {
      throw new Error(`${where}: guardrails must name at least one guardrail, got an empty list; e.g. [Guardrail.denyLeavingOrganization()]`);
    }
    const maxPolicies = props.maxPolicies ?? MAX_POLICIES_PER_TARGET - 1;
    if (!Token.isUnresolved(maxPolicies) && (!Number.isInteger(maxPolicies) || maxPolicies < 1 || maxPolicies > MAX_POLICIES_PER_TARGET - 1)) {
      throw new Error(`${where}: maxPolicies must be a whole number from 1 to ${MAX_POLICIES_PER_TARGET - 1} (Organizations allows ${MAX_POLICIES_PER_TARGET} SCPs on a target, FullAWSAccess included), got ${maxPolicies}`);
    }
    const names = new Set<string>();
    for (const guardrail of props.guardrails) {
      if (names.has(guardrail.name)) {
        throw new Error(`${where}: guardrail ${guardrail.name} is listed twice; list it once (statement ids must be unique)`);
      }
      names.add(guardrail.name);
    }
    const shared = checkRoleNames(where, [...new Set(props.exemptRoles ?? [])]);
    this.exemptRoles = [...new Set([...shared, ...props.guardrails.flatMap((g) => g.exemptRoles)])];

    const stack = Stack.of(this);
    const sizeOf = (s: iam.PolicyStatement) => JSON.stringify(stack.resolve(s.toStatementJson())).length;
    const groups: Sized[][] = props.guardrails.map((guardrail) =>
      guardrail._statements(shared).map((statement) => ({ name: guardrail.name, statement, size: sizeOf(statement) })));
    if (this.exemptRoles.length > 0) {
      // the exemption goes by name: nobody else may create or change a role of an exempt name
      const protect = new iam.PolicyStatement({
        sid: 'ProtectExemptRoles',
        effect: iam.Effect.DENY,
        actions: ROLE_CHANGE_ACTIONS,
        resources: this.exemptRoles.map(roleArnPattern),
        conditions: { ArnNotLike: { 'aws:PrincipalArn': this.exemptRoles.length === 1 ? roleArnPattern(this.exemptRoles[0]) : this.exemptRoles.map(roleArnPattern) } },
      });
      groups.push([{ name: 'ProtectExemptRoles', statement: protect, size: sizeOf(protect) }]);
    }

    const bins: Bin[] = [];
    const place = (items: Sized[]) => {
      const bin = bins.find((b) => b.fits(items)) ?? (bins.push(new Bin()), bins[bins.length - 1]);
      bin.add(items);
    };
    for (const group of groups) {
      for (const item of group) {
        if (ENVELOPE + item.size > MAX_POLICY_SIZE) {
          throw new Error(`${where}: statement ${item.name} is ${count(item.size)} characters, and with the policy around it more than the ${count(MAX_POLICY_SIZE)} an SCP may have; shorten its lists (regions, actions, role names) or exempt fewer roles`);
        }
      }
      const alone = new Bin();
      if (alone.fits(group)) place(group);
      else for (const item of group) place([item]);
    }
    if (bins.length > maxPolicies) {
      throw new Error(`${where}: the guardrails need ${bins.length} SCPs (${bins.map((b) => `${count(b.size)} characters`).join(', ')}; each at most ${count(MAX_POLICY_SIZE)}), more than maxPolicies ${maxPolicies} (Organizations allows ${MAX_POLICIES_PER_TARGET} SCPs on one target, FullAWSAccess included); attach some guardrails to a parent OU with another Guardrails, or shorten their lists`);
    }

    const prefix = props.policyNamePrefix;
    if (prefix !== undefined && !Token.isUnresolved(prefix) && !/^[\x20-\x7e]{1,120}$/.test(prefix)) {
      throw new Error(`${where}: policyNamePrefix must be 1 to 120 printable ASCII characters, got "${prefix}"`);
    }
    this.policies = bins.map((bin, i) => {
      const included = [...new Set(bin.items.map((item) => item.name))];
      return new ServiceControlPolicy(this, `Policy${i + 1}`, {
        policyName: prefix === undefined ? undefined : `${prefix}-${i + 1}`,
        description: `Guardrails ${i + 1}/${bins.length}: ${included.join(', ')}`.slice(0, 512),
        statements: bin.items.map((item) => item.statement),
      });
    });
    for (const target of props.targets ?? []) this.attachTo(target);
  }

  /** Attach every SCP of the guardrails to a root, OU or account as well. */
  public attachTo(target: PolicyTarget): void {
    for (const policy of this.policies) policy.attachTo(target);
  }
}
