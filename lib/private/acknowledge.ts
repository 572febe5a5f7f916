import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A compliance finding that a construct accepts on purpose, with the reason a reviewer reads.
 *
 * `id` is a cdk-nag rule id (`AwsSolutions-IAM5`, `NIST.800.53.R5-IAMNoInlinePolicy`, ...) or the
 * snake_case name of a cfn-guard AWS Control Tower rule (`s3_bucket_level_public_access_prohibited_check`),
 * which goes to the `guard.SuppressedRules` metadata the compliance harness honours.
 */
export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  /** For cdk-nag rules that name a finding's detail, e.g. `Action::s3:*` or `Resource::*`. */
  readonly appliesTo?: string[];
}

/** The cdk-nag packs besides AwsSolutions, which name the same rule alike (`<pack>-<rule>`). */
const RULE_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** The same finding of the NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs, for one reason. */
export function inComplianceFrameworks(rule: string, reason: string): Acknowledgement[] {
  return RULE_PACKS.map((pack) => ({ id: `${pack}-${rule}`, reason }));
}

const NAG_KEY = 'cdk_nag';
const GUARD_KEY = 'guard';

/**
 * Records acknowledgements as template metadata on the CloudFormation resource behind `scope`
 * (itself or its default child). Written as plain metadata, the format cdk-nag and cfn-guard read,
 * so the published library does not depend on either tool.
 */
export function acknowledge(scope: IConstruct, acknowledgements: Acknowledgement[]): void {
  const resource = findCfnResource(scope);
  for (const ack of acknowledgements) {
    if (ack.reason.trim().length < 20) {
      throw new Error(`acknowledge: the reason for ${ack.id} on ${scope.node.path} must say why in at least 20 characters, got "${ack.reason}"`);
    }
  }
  const nag = acknowledgements.filter((a) => !isGuardRule(a.id));
  const guard = acknowledgements.filter((a) => isGuardRule(a.id));
  if (nag.length > 0) {
    const existing = (resource.getMetadata(NAG_KEY) as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
    resource.addMetadata(NAG_KEY, {
      rules_to_suppress: [
        ...existing,
        ...nag.map((a) => ({ id: a.id, reason: a.reason, ...(a.appliesTo ? { applies_to: a.appliesTo } : {}) })),
      ],
    });
  }
  if (guard.length > 0) {
    const existing = (resource.getMetadata(GUARD_KEY) as { SuppressedRules?: string[] } | undefined)?.SuppressedRules ?? [];
    const reasons = (resource.getMetadata('guard_reasons') as Record<string, string> | undefined) ?? {};
    resource.addMetadata(GUARD_KEY, { SuppressedRules: [...existing, ...guard.map((a) => a.id)] });
    resource.addMetadata('guard_reasons', { ...reasons, ...Object.fromEntries(guard.map((a) => [a.id, a.reason])) });
  }
}

function isGuardRule(id: string): boolean {
  return /^[a-z0-9_]+$/.test(id);
}

function findCfnResource(scope: IConstruct): CfnResource {
  if (CfnResource.isCfnResource(scope)) return scope;
  const child = scope.node.defaultChild;
  if (child && CfnResource.isCfnResource(child)) return child;
  throw new Error(`acknowledge: ${scope.node.path} is not a CloudFormation resource and has no default child that is one`);
}
