import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { PolicyTarget } from './policy-target';
import { OrganizationPolicyCore, SCP } from './private/organization-policy';

/** Properties of a `ServiceControlPolicy` or `ResourceControlPolicy`. */
export interface OrganizationPolicyProps {
  /**
   * The policy's statements. `addStatements` adds more.
   *
   * @default - none; add some with `addStatements` before synthesis
   */
  readonly statements?: iam.PolicyStatement[];

  /**
   * The policy's name in Organizations, 1 to 128 printable ASCII characters.
   *
   * @default - a name made from the construct's path
   */
  readonly policyName?: string;

  /**
   * What the policy is for, at most 512 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Where to attach the policy. `attachTo` adds more.
   *
   * @default - not attached
   */
  readonly targets?: PolicyTarget[];
}

/**
 * A service control policy (SCP): the most that principals of the member accounts below its targets
 * may do, whatever their own policies allow. Built from `iam.PolicyStatement`s (no principals) and
 * checked against Organizations' quotas: at most 5,120 characters once whitespace is removed (when
 * constructed and on every `addStatements`), and at most 5 SCPs on one target, counting the
 * `FullAWSAccess` policy that stays attached (when the app is synthesized).
 *
 * An SCP never restricts the organization's management account.
 */
export class ServiceControlPolicy extends Construct {
  /** The `AWS::Organizations::Policy`. */
  public readonly resource: organizations.CfnPolicy;
  /** The policy's document. */
  public readonly document: iam.PolicyDocument;
  /** The policy's id (`p-...`), known at deploy time. */
  public readonly policyId: string;

  private readonly core: OrganizationPolicyCore;

  constructor(scope: Construct, id: string, props: OrganizationPolicyProps = {}) {
    super(scope, id);
    this.core = new OrganizationPolicyCore(this, SCP, props);
    this.resource = this.core.resource;
    this.document = this.core.document;
    this.policyId = this.resource.attrId;
  }

  /** Add statements; fails if the document outgrows 5,120 characters. */
  public addStatements(...statements: iam.PolicyStatement[]): void {
    this.core.addStatements(...statements);
  }

  /** Attach the policy to a root, OU or account as well. */
  public attachTo(target: PolicyTarget): void {
    this.core.attachTo(target);
  }

  /** The document's size in characters without whitespace, as Organizations counts it. */
  public get size(): number {
    return this.core.size();
  }
}
