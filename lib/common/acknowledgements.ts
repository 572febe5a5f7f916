import { IConstruct } from 'constructs';
import { acknowledge, inComplianceFrameworks } from '../private/acknowledge';

/** A compliance finding accepted on purpose, with the reason a reviewer reads. */
export interface FindingAcknowledgement {
  /**
   * A cdk-nag rule id (`AwsSolutions-IAM5`, `NIST.800.53.R5-IAMNoInlinePolicy`, ...) or the
   * snake_case name of a cfn-guard AWS Control Tower rule (`s3_bucket_level_public_access_prohibited_check`).
   */
  readonly id: string;
  /** Why the finding is accepted: at least 20 characters. */
  readonly reason: string;
  /**
   * The findings of a per-finding cdk-nag rule, e.g. `Action::s3:*` or `Resource::${bucket.arnForObjects('*')}`;
   * tokens are resolved and named as cdk-nag names them.
   *
   * @default - every finding of the rule on the resource (AwsSolutions-IAM4/IAM5 are counted when the app synthesizes)
   */
  readonly appliesTo?: string[];
}

/**
 * Accepts compliance findings on one CloudFormation resource (or a construct whose default child is
 * one) in every form today's tools read: CDK's `Validations` acknowledgements (cdk-nag 3 and the
 * policy-validation report, one id per finding), `cdk_nag` template metadata (cdk-nag 2) and
 * `guard.SuppressedRules` metadata (cfn-guard rules), so the same call works whichever the team runs.
 */
export class Acknowledgements {
  /** The acknowledgements of `scope`. */
  public static of(scope: IConstruct): Acknowledgements {
    return new Acknowledgements(scope);
  }

  /** The same rule of the NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs (`<pack>-<rule>`), for one reason. */
  public static inComplianceFrameworks(rule: string, reason: string): FindingAcknowledgement[] {
    return inComplianceFrameworks(rule, reason);
  }

  private constructor(private readonly scope: IConstruct) {}

  /** Accepts the findings. Fails when a reason is shorter than 20 characters. */
  public add(...acknowledgements: FindingAcknowledgement[]): void {
    acknowledge(this.scope, acknowledgements);
  }
}
