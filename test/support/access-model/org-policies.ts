import type { SimulationOrgPolicies } from '@cloud-copilot/iam-simulate';
import { Catalog, entryName } from './catalog';
import type { AccessModelOptions, OrgPolicyInput, PolicyDocument } from './types';

interface OrgPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
  /** Accounts it applies to; undefined = every account. */
  readonly accounts?: readonly string[];
}

const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function normalise(input: OrgPolicyInput | PolicyDocument, name: string): OrgPolicy {
  if ('document' in input && input.document) {
    const i = input as OrgPolicyInput;
    return { name: i.name ?? name, document: i.document, accounts: i.accounts };
  }
  if (!('Statement' in input)) {
    throw new Error(`AccessModel: ${name} is neither a policy document ({ Statement }) nor { document, name?, accounts? }: ${JSON.stringify(input).slice(0, 200)}.`);
  }
  return { name, document: input as PolicyDocument };
}

/** The accounts an SCP target stands for; undefined = every account. */
function accountsOfTarget(catalog: Catalog, target: string, units: Readonly<Record<string, readonly string[]>>): string[] | undefined {
  if (/^\d{12}$/.test(target)) return [target];
  const ous = catalog.ofType('AWS::Organizations::OrganizationalUnit');
  const ou = ous.find((e) => catalog.physical(e).ref() === target);
  const listed = units[target] ?? (ou ? units[String(catalog.prop(ou, 'Name'))] : undefined);
  if (listed === undefined) return undefined;
  // child OUs inherit the policies of their parents
  const children = ous.filter((e) => catalog.prop(e, 'ParentId') === target).map((e) => accountsOfTarget(catalog, catalog.physical(e).ref(), units));
  if (children.some((c) => c === undefined)) return undefined;
  return [...listed, ...(children.flat() as string[])];
}

/**
 * Service and resource control policies: those passed as options plus AWS::Organizations::Policy
 * resources of type SERVICE_CONTROL_POLICY / RESOURCE_CONTROL_POLICY in the stacks. A policy from the
 * stacks applies to the 12-digit account ids among its TargetIds, and to the accounts of an OU target
 * as `organizationUnits` lists them (keyed by the OU's Name or id; an OU's child OUs count too); any
 * other target (the root, an OU not listed) applies it to every account.
 * They never apply to `managementAccount`.
 */
export class OrgPolicies {
  private readonly scps: OrgPolicy[];
  private readonly rcps: OrgPolicy[];
  private readonly managementAccount?: string;

  constructor(catalog: Catalog, options: AccessModelOptions) {
    this.managementAccount = options.managementAccount;
    this.scps = (options.serviceControlPolicies ?? []).map((p, i) => normalise(p, `scp-${i + 1}`));
    this.rcps = (options.resourceControlPolicies ?? []).map((p, i) => normalise(p, `rcp-${i + 1}`));
    for (const e of catalog.ofType('AWS::Organizations::Policy')) {
      const policyType = catalog.prop(e, 'Type');
      const list = policyType === 'SERVICE_CONTROL_POLICY' ? this.scps : policyType === 'RESOURCE_CONTROL_POLICY' ? this.rcps : undefined;
      if (!list) continue;
      let document = catalog.prop(e, 'Content');
      if (typeof document === 'string') {
        const text = document;
        try {
          document = JSON.parse(text);
        } catch {
          throw new Error(`AccessModel: Content of ${entryName(e)} is not valid JSON: ${text.slice(0, 200)}`);
        }
      }
      const targetIds = catalog.prop(e, 'TargetIds');
      const targets = (Array.isArray(targetIds) ? targetIds : []).map(String);
      const accounts = targets.map((t) => accountsOfTarget(catalog, t, options.organizationUnits ?? {}));
      const toEveryAccount = accounts.some((a) => a === undefined);
      list.push({ name: `${entryName(e)} (${String(catalog.prop(e, 'Name'))})`, document: document as PolicyDocument, accounts: toEveryAccount ? undefined : [...new Set(accounts.flat() as string[])] });
    }
  }

  private applicable(list: OrgPolicy[], account: string): OrgPolicy[] {
    if (account === this.managementAccount) return [];
    return list.filter((p) => p.accounts === undefined || p.accounts.includes(account));
  }

  /** SCPs of the principal's account, next to FullAWSAccess (deny-list SCPs); [] when none apply. */
  public scpsFor(account: string | undefined): SimulationOrgPolicies[] {
    if (account === undefined) return [];
    const policies = this.applicable(this.scps, account);
    if (!policies.length) return [];
    return [{ orgIdentifier: account, policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...policies.map((p) => ({ name: p.name, policy: p.document }))] }];
  }

  /** RCPs of the resource's account (iam-simulate adds RCPFullAWSAccess itself). */
  public rcpsFor(account: string): SimulationOrgPolicies[] {
    const policies = this.applicable(this.rcps, account);
    if (!policies.length) return [];
    return [{ orgIdentifier: account, policies: policies.map((p) => ({ name: p.name, policy: p.document })) }];
  }
}
