import { asList, Catalog, Entry, entryName } from './catalog';
import { awsManagedPolicyName, BUILT_IN_MANAGED_POLICIES } from './managed-policies';
import type { AccessModelOptions, PolicyDocument } from './types';

/** A policy with the name explanations show for it. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

type IamType = 'Role' | 'User' | 'Group';

/** Stands in for an unknown AWS managed policy when the model is told to ignore those: allows nothing. */
const EMPTY_POLICY: PolicyDocument = { Version: '2012-10-17', Statement: [] };

/** Collects identity policies, permissions boundaries and managed policy documents from the catalog. */
export class IdentityPolicies {
  constructor(
    private readonly catalog: Catalog,
    private readonly options: Pick<AccessModelOptions, 'managedPolicies' | 'ignoreUnknownAwsManagedPolicies'>,
  ) {}

  /** The document of a managed policy ARN: one of the stacks', a given one, or a built-in AWS managed one. */
  public managedPolicy(arn: string, usedBy: string): NamedPolicy {
    const given = this.options.managedPolicies?.[arn];
    if (given) return { name: arn, policy: given };
    const awsName = awsManagedPolicyName(arn);
    if (awsName !== undefined) {
      const builtIn = BUILT_IN_MANAGED_POLICIES[awsName];
      if (builtIn) return { name: awsName, policy: builtIn };
      if (this.options.ignoreUnknownAwsManagedPolicies) return { name: `${awsName} (unknown AWS managed policy, left out)`, policy: EMPTY_POLICY };
      throw new Error(`AccessModel: ${usedBy} uses the AWS managed policy '${arn}', whose document the model does not know (built in: ${Object.keys(BUILT_IN_MANAGED_POLICIES).join(', ')}); pass it as options.managedPolicies['${arn}'].`);
    }
    const entry = this.catalog.ofType('AWS::IAM::ManagedPolicy').find((e) => this.catalog.arn(e) === arn);
    if (entry) return { name: entryName(entry), policy: this.catalog.prop(entry, 'PolicyDocument') as PolicyDocument };
    throw new Error(`AccessModel: ${usedBy} uses the managed policy '${arn}', which is not in the model's stacks; pass the stack that defines it, or its document as options.managedPolicies['${arn}'].`);
  }

  /** Identity policies of a role or user of the stacks (inline, AWS::IAM::Policy, managed, and a user's groups'). */
  public forPrincipal(entry: Entry): NamedPolicy[] {
    const type: IamType = entry.resource.Type === 'AWS::IAM::Role' ? 'Role' : 'User';
    const policies = this.attachedTo(entry, type);
    if (type === 'User') {
      for (const group of this.groupsOf(entry)) {
        const groupEntry = this.catalog.iamEntity('AWS::IAM::Group', entry.stack.account, group);
        if (groupEntry) {
          policies.push(...this.attachedTo(groupEntry, 'Group').map((p) => ({ ...p, name: `group ${group}: ${p.name}` })));
        } else {
          // A group the stacks do not define may still have policies attached by AWS::IAM::Policy.
          policies.push(...this.attachedByName(entry.stack.account, group, 'Group'));
        }
      }
    }
    return policies;
  }

  /** The permissions boundary of a role or user, if it has one. */
  public boundaryOf(entry: Entry): NamedPolicy | undefined {
    const arn = this.catalog.prop(entry, 'PermissionsBoundary');
    if (arn === undefined) return undefined;
    if (typeof arn !== 'string') {
      throw new Error(`AccessModel: PermissionsBoundary of ${entryName(entry)} resolves to ${JSON.stringify(arn)}, not an ARN.`);
    }
    return this.managedPolicy(arn, `the permissions boundary of ${entryName(entry)}`);
  }

  private groupsOf(user: Entry): string[] {
    const name = this.catalog.physical(user).name();
    const groups = new Set(asList(this.catalog.prop(user, 'Groups')).map(String));
    for (const e of this.catalog.ofType('AWS::IAM::UserToGroupAddition', user.stack.account)) {
      if (asList(this.catalog.prop(e, 'Users')).includes(name)) groups.add(String(this.catalog.prop(e, 'GroupName')));
    }
    return [...groups];
  }

  private attachedTo(entry: Entry, type: IamType): NamedPolicy[] {
    const out: NamedPolicy[] = [];
    for (const inline of asList(this.catalog.prop(entry, 'Policies')) as { PolicyName: string; PolicyDocument: PolicyDocument }[]) {
      out.push({ name: `${entryName(entry)} inline ${inline.PolicyName}`, policy: inline.PolicyDocument });
    }
    for (const arn of asList(this.catalog.prop(entry, 'ManagedPolicyArns'))) {
      if (typeof arn !== 'string') throw new Error(`AccessModel: a ManagedPolicyArns entry of ${entryName(entry)} resolves to ${JSON.stringify(arn)}, not an ARN.`);
      out.push(this.managedPolicy(arn, entryName(entry)));
    }
    out.push(...this.attachedByName(entry.stack.account, this.catalog.physical(entry).name(), type));
    return out;
  }

  /**
   * Policies of the same account that name the role/user/group: AWS::IAM::Policy and AWS::IAM::ManagedPolicy
   * in their `Roles`/`Users`/`Groups`, AWS::IAM::{Role,User,Group}Policy by `{Role,User,Group}Name`.
   */
  private attachedByName(account: string, name: string, type: IamType): NamedPolicy[] {
    const out: NamedPolicy[] = [];
    for (const policyType of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const e of this.catalog.ofType(policyType, account)) {
        if (asList(this.catalog.prop(e, `${type}s`)).includes(name)) out.push({ name: entryName(e), policy: this.catalog.prop(e, 'PolicyDocument') as PolicyDocument });
      }
    }
    for (const e of this.catalog.ofType(`AWS::IAM::${type}Policy`, account)) {
      if (this.catalog.prop(e, `${type}Name`) === name) out.push({ name: entryName(e), policy: this.catalog.prop(e, 'PolicyDocument') as PolicyDocument });
    }
    return out;
  }
}
