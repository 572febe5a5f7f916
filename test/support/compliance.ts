import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Aspects, CfnResource, IAspect, Stack, Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

/** One compliance finding that no acknowledgement covers. */
export interface ComplianceFinding {
  /** `AwsSolutions`, `NIST.800.53.R5`, `HIPAA.Security`, `PCI.DSS.321` or `ControlTower` (cfn-guard). */
  readonly pack: string;
  /** The rule id (cdk-nag) or rule name (cfn-guard). */
  readonly rule: string;
  /** Construct path (cdk-nag) or logical id (cfn-guard) of the resource. */
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
 * Runs cdk-nag's AwsSolutions, NIST 800-53 rev 5, HIPAA Security and PCI DSS 3.2.1 packs and the
 * cfn-guard AWS Control Tower rules over `stack`, and returns every finding that no acknowledgement
 * covers (cdk-nag honours its `cdk_nag` metadata itself; cfn-guard findings are filtered here
 * through `guard.SuppressedRules`). Re-synthesizes the stack's app with the packs added.
 */
export function complianceFindings(stack: Stack): ComplianceFinding[] {
  const packs: IAspect[] = [
    new AwsSolutionsChecks({ verbose: true }),
    new NIST80053R5Checks({ verbose: true }),
    new HIPAASecurityChecks({ verbose: true }),
    new PCIDSS321Checks({ verbose: true }),
  ];
  for (const pack of packs) Aspects.of(stack).add(pack);
  const artifact = synthesize(stack, { force: true });

  const findings: ComplianceFinding[] = [];
  for (const message of artifact.messages) {
    if (message.level !== 'error' && message.level !== 'warning') continue;
    const text = String(message.entry.data);
    const rule = /^([\w.-]+?):\s/.exec(text)?.[1] ?? 'unknown';
    const pack = NAG_PACKS.find((p) => rule.startsWith(`${p}-`)) ?? (rule === 'CdkNagValidationFailure' ? 'cdk-nag' : undefined);
    if (!pack) continue; // a warning of the CDK itself, not a finding
    findings.push({ pack, rule, path: message.id, message: text.split('\n')[0] });
  }
  findings.push(...guardFindings(artifact.templateFullPath, artifact.template, logicalIdPaths(stack)));
  return findings;
}

function synthesize(stack: Stack, options: { force?: boolean } = {}) {
  const stage = Stage.of(stack);
  if (!stage) throw new Error(`compliance: ${stack.node.path} is not in an App or Stage`);
  return stage.synth(options).getStackArtifact(stack.artifactId);
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
