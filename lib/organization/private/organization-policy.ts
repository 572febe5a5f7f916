import { Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct, IConstruct } from 'constructs';
import type { PolicyTarget } from '../policy-target';
import { scopedState } from '../../private/scoped-state';

/** Organizations' quota on an SCP's or RCP's document, counted without the whitespace it removes. */
export const MAX_POLICY_SIZE = 5120;
/** Organizations' quota on SCPs (RCPs) directly attached to one root, OU or account. */
export const MAX_POLICIES_PER_TARGET = 5;

export interface PolicyKind {
  /** `ServiceControlPolicy` or `ResourceControlPolicy`, for messages. */
  readonly construct: string;
  /** `SCP` or `RCP`, for messages. */
  readonly short: string;
  /** The CloudFormation `Type`. */
  readonly type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
  /** The AWS managed policy that stays attached to every target and counts against the quota. */
  readonly fullAccess: string;
}

export const SCP: PolicyKind = { construct: 'ServiceControlPolicy', short: 'SCP', type: 'SERVICE_CONTROL_POLICY', fullAccess: 'FullAWSAccess' };
export const RCP: PolicyKind = { construct: 'ResourceControlPolicy', short: 'RCP', type: 'RESOURCE_CONTROL_POLICY', fullAccess: 'RCPFullAWSAccess' };

export interface PolicyCoreProps {
  readonly statements?: iam.PolicyStatement[];
  readonly policyName?: string;
  readonly description?: string;
  readonly targets?: PolicyTarget[];
}

/** The policies of an app per target (kept on the App), to count them against the per-target quota. */
function attachments(root: IConstruct): Map<string, { description: string; policies: string[] }> {
  return scopedState(root, 'organization.policy-attachments', () => new Map<string, { description: string; policies: string[] }>());
}

/** The document's size as Organizations counts it: JSON without whitespace outside strings. */
export function documentSize(stack: Stack, document: iam.PolicyDocument): number {
  return JSON.stringify(stack.resolve(document) ?? { Version: '2012-10-17', Statement: [] }).length;
}

/** `5120` -> `5,120`. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * What `ServiceControlPolicy` and `ResourceControlPolicy` share: the document, its size and shape
 * checks, the `AWS::Organizations::Policy` (id `Resource`) and the per-target count.
 */
export class OrganizationPolicyCore {
  public readonly resource: organizations.CfnPolicy;
  public readonly document: iam.PolicyDocument;
  public readonly where: string;
  private readonly targets: PolicyTarget[] = [];
  private readonly stack: Stack;

  constructor(private readonly scope: Construct, private readonly kind: PolicyKind, props: PolicyCoreProps) {
    this.where = `${kind.construct} ${scope.node.path}`;
    this.stack = Stack.of(scope);
    if (props.policyName !== undefined && !Token.isUnresolved(props.policyName) && !/^[\x20-\x7e]{1,128}$/.test(props.policyName)) {
      throw new Error(`${this.where}: policyName must be 1 to 128 printable ASCII characters, got "${props.policyName}"`);
    }
    if (props.description !== undefined && !Token.isUnresolved(props.description) && props.description.length > 512) {
      throw new Error(`${this.where}: description must be at most 512 characters, got ${props.description.length}`);
    }
    this.document = new iam.PolicyDocument();
    this.resource = new organizations.CfnPolicy(scope, 'Resource', {
      name: props.policyName ?? Names.uniqueResourceName(scope, { maxLength: 128 }),
      description: props.description,
      type: kind.type,
      content: this.document,
      targetIds: Lazy.list({ produce: () => this.targets.map((t) => t.targetId) }, { omitEmpty: true }),
    });
    this.addStatements(...(props.statements ?? []));
    for (const target of props.targets ?? []) this.attachTo(target);
    scope.node.addValidation({ validate: () => this.validate() });
  }

  public addStatements(...statements: iam.PolicyStatement[]): void {
    for (const statement of statements) this.checkShape(statement);
    this.document.addStatements(...statements);
    this.checkSize();
  }

  public attachTo(target: PolicyTarget): void {
    if (this.targets.some((t) => t._key === target._key)) {
      throw new Error(`${this.where}: it is already attached to ${target.description}`);
    }
    this.targets.push(target);
    const root = this.scope.node.root;
    const perTarget = attachments(root);
    const key = `${this.kind.type} ${target._key}`;
    const entry = perTarget.get(key) ?? { description: target.description, policies: [] };
    entry.policies.push(this.scope.node.path);
    perTarget.set(key, entry);
  }

  /** The document's size without whitespace, as Organizations counts it. */
  public size(): number {
    return documentSize(this.stack, this.document);
  }

  private checkShape(statement: iam.PolicyStatement): void {
    const json = this.stack.resolve(statement.toStatementJson());
    const sid = json.Sid === undefined ? '' : ` ${json.Sid}`;
    if (this.kind === SCP && (json.Principal !== undefined || json.NotPrincipal !== undefined)) {
      throw new Error(`${this.where}: statement${sid} names a principal, but an SCP applies to every principal of the accounts it is attached to and may not name one; remove the principal (narrow with an aws:PrincipalArn condition instead)`);
    }
    if (this.kind === RCP) {
      if (json.Effect !== 'Deny') {
        throw new Error(`${this.where}: statement${sid} has Effect ${json.Effect}, but an RCP may only deny (RCPFullAWSAccess allows); write a Deny statement`);
      }
      if (json.Principal !== '*' || json.NotPrincipal !== undefined) {
        throw new Error(`${this.where}: statement${sid} has Principal ${JSON.stringify(json.Principal ?? json.NotPrincipal ?? null)}, but an RCP statement must have Principal "*"; add new iam.StarPrincipal() and narrow with conditions such as aws:PrincipalOrgID`);
      }
    }
  }

  private checkSize(): void {
    const size = this.size();
    if (size > MAX_POLICY_SIZE) {
      throw new Error(`${this.where}: the policy document is ${count(size)} characters (whitespace removed, as Organizations counts them), more than the ${count(MAX_POLICY_SIZE)} an ${this.kind.short} may have; split its statements into more policies (Guardrails does that itself)`);
    }
  }

  private validate(): string[] {
    const errors: string[] = [];
    if (this.document.isEmpty) {
      errors.push(`${this.where}: the policy has no statements, and Organizations rejects an empty policy; pass statements or call addStatements`);
    }
    const perTarget = attachments(this.scope.node.root);
    for (const target of this.targets) {
      const entry = perTarget.get(`${this.kind.type} ${target._key}`)!;
      if (entry.policies.length + 1 > MAX_POLICIES_PER_TARGET) {
        errors.push(`${this.where}: ${entry.description} would hold ${entry.policies.length + 1} ${this.kind.short}s (${this.kind.fullAccess}, ${entry.policies.join(', ')}), `
          + `more than the ${MAX_POLICIES_PER_TARGET} Organizations allows on one target; combine statements into fewer policies or attach some to a parent OU`);
      }
    }
    return errors;
  }
}
