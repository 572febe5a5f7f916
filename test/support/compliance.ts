import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Aspects, CfnResource, IAspect, Stack, Stage } from 'aws-cdk-lib';
import * as nag2 from 'cdk-nag';
import * as nag3 from 'cdk-nag-v3';

/** One compliance finding that no acknowledgement covers. */
export interface ComplianceFinding {
  /** Which tool reported it: `cdk-nag 2`, `cdk-nag 3` or `cfn-guard`. */
  readonly tool: 'cdk-nag 2' | 'cdk-nag 3' | 'cfn-guard';
  /** `AwsSolutions`, `NIST.800.53.R5`, `HIPAA.Security`, `PCI.DSS.321` or `ControlTower` (cfn-guard). */
  readonly pack: string;
  /** The rule id (cdk-nag) or rule name (cfn-guard). */
  readonly rule: string;
  /** The finding of a per-finding cdk-nag rule, e.g. `Resource::*` of AwsSolutions-IAM5. */
  readonly finding?: string;
  /** Construct path of the resource, e.g. `Stack/Bucket/Resource`. */
  readonly path: string;
  readonly message: string;
}

/** An acknowledged finding as written in the template by `acknowledge()` (lib/private/acknowledge.ts). */
export interface ComplianceAcknowledgement {
  readonly stack: string;
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
  readonly appliesTo?: string[];
}

const NAG_PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** The cfn-guard validator is expensive to construct (it scans its rule folder): share one. */
let guard: CfnGuardValidator | undefined;

/**
 * Runs the cdk-nag packs AwsSolutions, NIST 800-53 rev 5, HIPAA Security and PCI DSS 3.2.1 of both
 * cdk-nag majors, and the cfn-guard AWS Control Tower rules, over `stack`, and returns every finding
 * that no acknowledgement covers:
 * - cdk-nag 2 as Aspects (it honours the `cdk_nag` template metadata),
 * - cdk-nag 3 through `validateScope` after synthesis (it honours `Validations` acknowledgements; the
 *   policy-validation plugin route needs aws-cdk-lib 2.262 or later, see the consumer test),
 * - cfn-guard over the synthesized template, honouring `guard.SuppressedRules` metadata.
 * Re-synthesizes the stack's app with the cdk-nag 2 packs added.
 */
export function complianceFindings(stack: Stack): ComplianceFinding[] {
  const packs: IAspect[] = [
    new nag2.AwsSolutionsChecks({ verbose: true }),
    new nag2.NIST80053R5Checks({ verbose: true }),
    new nag2.HIPAASecurityChecks({ verbose: true }),
    new nag2.PCIDSS321Checks({ verbose: true }),
  ];
  for (const pack of packs) Aspects.of(stack).add(pack);
  const artifact = synthesize(stack, { force: true });

  const findings: ComplianceFinding[] = [];
  for (const message of artifact.messages) {
    if (message.level !== 'error' && message.level !== 'warning') continue;
    const text = String(message.entry.data);
    const parsed = parseRuleId(/^(\S+?):\s/.exec(text)?.[1] ?? '');
    const pack = NAG_PACKS.find((p) => parsed.rule.startsWith(`${p}-`)) ?? (parsed.rule === 'CdkNagValidationFailure' ? 'cdk-nag' : undefined);
    if (!pack) continue; // a warning of the CDK itself, not a finding
    findings.push({ tool: 'cdk-nag 2', pack, ...parsed, path: message.id.replace(/^\//, ''), message: text.split('\n')[0] });
  }
  findings.push(...nag3Findings(stack));
  findings.push(...guardFindings(artifact.templateFullPath, artifact.template, logicalIdPaths(stack)));
  return findings;
}

/** cdk-nag 3's packs over the (already synthesized) stack's construct tree. */
function nag3Findings(stack: Stack): ComplianceFinding[] {
  const packs = [
    new nag3.AwsSolutionsChecks(undefined, { verbose: true }),
    new nag3.NIST80053R5Checks(undefined, { verbose: true }),
    new nag3.HIPAASecurityChecks(undefined, { verbose: true }),
    new nag3.PCIDSS321Checks(undefined, { verbose: true }),
  ];
  const findings: ComplianceFinding[] = [];
  for (const pack of packs) {
    for (const violation of pack.validateScope(stack).violations) {
      const parsed = parseRuleId(violation.ruleName);
      for (const resource of violation.violatingResources) {
        findings.push({
          tool: 'cdk-nag 3',
          pack: pack.readPackName,
          ...parsed,
          path: resource.constructPath ?? '(unknown)',
          message: violation.description.split('\n')[0],
        });
      }
    }
  }
  return findings;
}

/** `AwsSolutions-IAM5[Resource::*]` -> rule `AwsSolutions-IAM5`, finding `Resource::*`. */
function parseRuleId(id: string): { rule: string; finding?: string } {
  const match = /^([\w.-]+)(?:\[(.*)\])?$/.exec(id);
  if (!match) return { rule: id };
  return match[2] === undefined ? { rule: match[1] } : { rule: match[1], finding: match[2] };
}

function synthesize(stack: Stack, options: { force?: boolean } = {}) {
  const stage = Stage.of(stack);
  if (!stage) throw new Error(`compliance: ${stack.node.path} is not in an App or Stage`);
  // '@aws-cdk/core:annotationsInValidationReport' prints every cdk-nag 2 finding as a report on
  // stderr; the harness reads the findings from the assembly instead
  const error = console.error;
  console.error = () => undefined;
  try {
    return stage.synth(options).getStackArtifact(stack.artifactId);
  } finally {
    console.error = error;
  }
}

/** Logical id -> construct path, since test apps do not write `aws:cdk:path` metadata. */
function logicalIdPaths(stack: Stack): Map<string, string> {
  const paths = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    if (CfnResource.isCfnResource(construct) && Stack.of(construct) === stack) {
      paths.set(stack.resolve(construct.logicalId), construct.node.path);
    }
  }
  return paths;
}

function guardFindings(templatePath: string, template: any, paths: Map<string, string>): ComplianceFinding[] {
  guard ??= new CfnGuardValidator();
  const report = guard.validate({ templatePaths: [templatePath] });
  const findings: ComplianceFinding[] = [];
  for (const violation of report.violations) {
    for (const resource of violation.violatingResources) {
      const metadata = template.Resources?.[resource.resourceLogicalId]?.Metadata ?? {};
      const suppressed: string[] = metadata.guard?.SuppressedRules ?? [];
      if (suppressed.includes(violation.ruleName)) continue;
      findings.push({
        tool: 'cfn-guard',
        pack: 'ControlTower',
        rule: violation.ruleName,
        // rule-level checks name no resource: fall back to the template location they report
        path: paths.get(resource.resourceLogicalId) ?? resource.resourceLogicalId ?? resource.locations?.[0] ?? '(template)',
        message: violation.description.split('\n')[0],
      });
    }
  }
  return findings;
}

/** Every acknowledgement (cdk-nag and cfn-guard) written into the stack's template, for review. */
export function complianceAcknowledgements(stack: Stack): ComplianceAcknowledgement[] {
  const template = synthesize(stack).template;
  const paths = logicalIdPaths(stack);
  const result: ComplianceAcknowledgement[] = [];
  for (const [logicalId, resource] of Object.entries<Record<string, any>>(template.Resources ?? {})) {
    const metadata = resource.Metadata ?? {};
    const path: string = paths.get(logicalId) ?? logicalId;
    for (const rule of metadata.cdk_nag?.rules_to_suppress ?? []) {
      result.push({ stack: stack.stackName, path, rule: rule.id, reason: rule.reason, ...(rule.applies_to ? { appliesTo: rule.applies_to.map(String) } : {}) });
    }
    for (const rule of metadata.guard?.SuppressedRules ?? []) {
      result.push({ stack: stack.stackName, path, rule, reason: metadata.guard_reasons?.[rule] ?? '' });
    }
  }
  return result;
}
