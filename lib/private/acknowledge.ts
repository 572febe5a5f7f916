import { CfnResource, Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { flattenReference, policyFindings } from './nag-findings';
import type { FindingAcknowledgement } from '../common/acknowledgements';

/**
 * A compliance finding accepted on purpose (the public `FindingAcknowledgement`). The part of an
 * `appliesTo` entry after `Resource::`/`Policy::` may hold tokens: it is resolved and named as
 * cdk-nag names it (`<Bucket.Arn>/*`, `arn:<AWS::Partition>:...` or `arn:aws:...` depending on the
 * app's feature flags), so no caller spells that out by hand.
 */
export type Acknowledgement = FindingAcknowledgement;

/** The cdk-nag packs besides AwsSolutions, which name the same rule alike (`<pack>-<rule>`). */
const RULE_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** The same finding of the NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs, for one reason. */
export function inComplianceFrameworks(rule: string, reason: string): Acknowledgement[] {
  return RULE_PACKS.map((pack) => ({ id: `${pack}-${rule}`, reason }));
}

/** cdk-nag 2 reads this template metadata. */
const NAG_KEY = 'cdk_nag';
/** The cfn-guard rules registry's convention, honoured by the compliance harness. */
const GUARD_KEY = 'guard';
/** The name `@cdklabs/cdk-validator-cfnguard` reports its findings under as a CDK policy-validation plugin. */
const GUARD_PLUGIN_NAMESPACE = 'cdk-validator-cfnguard';
/** cdk-nag rules whose findings are acknowledged one by one (`AwsSolutions-IAM5[Resource::*]`). */
const PER_FINDING_RULES = new Set(['AwsSolutions-IAM4', 'AwsSolutions-IAM5']);

/**
 * Records acknowledgements on the CloudFormation resource behind `scope` (itself or its default
 * child) in every form the current tools read, so the published library depends on none of them:
 * - cdk-nag 3 and CDK's policy validation: `Validations.of(resource).acknowledge()`, one id per finding
 *   (`AwsSolutions-IAM5[Resource::*]`);
 * - cdk-nag 2: `cdk_nag.rules_to_suppress` template metadata (with `applies_to`);
 * - cfn-guard rules: `guard.SuppressedRules` template metadata, and the acknowledgement under the
 *   `cdk-validator-cfnguard::` prefix for the CfnGuardValidator plugin.
 */
export function acknowledge(scope: IConstruct, acknowledgements: Acknowledgement[]): void {
  const resource = findCfnResource(scope);
  for (const ack of acknowledgements) {
    if (ack.reason.trim().length < 20) {
      throw new Error(`acknowledge: the reason for ${ack.id} on ${scope.node.path} must say why in at least 20 characters, got "${ack.reason}"`);
    }
  }
  const stack = Stack.of(resource);
  const nag = acknowledgements.filter((a) => !isGuardRule(a.id))
    .map((a) => (a.appliesTo ? { ...a, appliesTo: a.appliesTo.map((finding) => nameFinding(stack, finding)) } : a));
  const guard = acknowledgements.filter((a) => isGuardRule(a.id));
  if (nag.length > 0) {
    const existing = (resource.getMetadata(NAG_KEY) as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
    resource.addMetadata(NAG_KEY, {
      rules_to_suppress: [
        ...existing,
        ...nag.map((a) => ({ id: a.id, reason: a.reason, ...(a.appliesTo ? { applies_to: a.appliesTo } : {}) })),
      ],
    });
    // cdk-nag 3 names each finding of the synthesized template, where a reference to another stack's
    // resource has become an import: name them when the app is validated, after references are resolved
    const perFinding = nag.filter((a) => a.appliesTo || PER_FINDING_RULES.has(a.id));
    for (const ack of nag.filter((a) => !perFinding.includes(a))) recordValidation(resource, ack.id, ack.reason);
    if (perFinding.length > 0) {
      const raw = acknowledgements.filter((a) => !isGuardRule(a.id) && (a.appliesTo || PER_FINDING_RULES.has(a.id)));
      let recorded = false;
      resource.node.addValidation({
        validate: () => {
          if (recorded) return [];
          recorded = true;
          for (const ack of raw) {
            const findings = ack.appliesTo
              ? ack.appliesTo.map((finding) => nameFinding(stack, finding))
              : policyFindings(stack, resource, ack.id === 'AwsSolutions-IAM4' ? 'managed-policies' : 'wildcards');
            for (const finding of findings) recordValidation(resource, `${ack.id}[${finding}]`, ack.reason);
          }
          return [];
        },
      });
    }
  }
  if (guard.length > 0) {
    const existing = (resource.getMetadata(GUARD_KEY) as { SuppressedRules?: string[] } | undefined)?.SuppressedRules ?? [];
    const reasons = (resource.getMetadata('guard_reasons') as Record<string, string> | undefined) ?? {};
    resource.addMetadata(GUARD_KEY, { SuppressedRules: [...existing, ...guard.map((a) => a.id)] });
    resource.addMetadata('guard_reasons', { ...reasons, ...Object.fromEntries(guard.map((a) => [a.id, a.reason])) });
    for (const ack of guard) recordValidation(resource, `${GUARD_PLUGIN_NAMESPACE}::${ack.id}`, ack.reason);
  }
}

/**
 * `Validations.acknowledge`, or the metadata record it writes where this aws-cdk-lib's id parser is
 * older than the finding's id: before 2.262 it rejects a `::` inside brackets, which every IAM finding
 * of an ARN has (`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::bucket/*]`).
 */
function recordValidation(resource: CfnResource, id: string, reason: string): void {
  try {
    Validations.of(resource).acknowledge({ id, reason });
  } catch (error) {
    if (!/Invalid validation rule ID/.test(String((error as Error).message))) throw error;
    resource.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
  }
}

/**
 * `Resource::${token}` -> `Resource::arn:<AWS::Partition>:s3:::bucket/*`, as cdk-nag reports it; policy
 * variables too (`${aws:username}` -> `<aws:username>`), resolved or not.
 */
function nameFinding(stack: Stack, finding: string): string {
  const match = /^(\w+)::([\s\S]*)$/.exec(finding);
  if (!match) return finding;
  return `${match[1]}::${flattenReference(Token.isUnresolved(match[2]) ? stack.resolve(match[2]) : match[2])}`;
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
