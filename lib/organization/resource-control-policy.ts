import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { PolicyTarget } from './policy-target';
import { OrganizationPolicyCore, RCP } from './private/organization-policy';
import type { OrganizationPolicyProps } from './service-control-policy';

/**
 * A resource control policy (RCP): the most that anyone may do to the resources of the member
 * accounts below its targets (for the services RCPs support, such as S3, STS, KMS, SQS and Secrets
 * Manager), whatever the resources' own policies allow. Its statements deny, with `Principal: "*"`
 * (`new iam.StarPrincipal()`), narrowed by conditions such as `aws:PrincipalOrgID`. Checked like a
 * `ServiceControlPolicy`: at most 5,120 characters without whitespace, at most 5 RCPs on one target
 * counting `RCPFullAWSAccess`.
 */
export class ResourceControlPolicy extends Construct {
  /** The `AWS::Organizations::Policy`. */
  public readonly resource: organizations.CfnPolicy;
  /** The policy's document. */
  public readonly document: iam.PolicyDocument;
  /** The policy's id (`p-...`), known at deploy time. */
  public readonly policyId: string;

  private readonly core: OrganizationPolicyCore;

  constructor(scope: Construct, id: string, props: OrganizationPolicyProps = {}) {
    super(scope, id);
    this.core = new OrganizationPolicyCore(this, RCP, props);
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
