import * as cdk from 'aws-cdk-lib/core';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

/**
 * cdk-nag 3: the rule packs are CDK policy-validation plugins, added as its README shows. Findings
 * fail `cdk synth` and are written to cdk.out/validation-report.json.
 * (The consumer test copies this file to lib/compliance.ts when it installs cdk-nag 3.)
 */
export function addCompliancePacks(app: cdk.App): void {
  cdk.Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
  );
}
