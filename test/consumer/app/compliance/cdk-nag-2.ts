import * as cdk from 'aws-cdk-lib/core';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagReportFormat, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

/**
 * cdk-nag 2: the rule packs are Aspects, added as its README shows. Findings are error annotations
 * (they fail `cdk synth`); each pack writes cdk.out/<pack>-<stack>-NagReport.json.
 * (The consumer test copies this file to lib/compliance.ts when it installs cdk-nag 2.)
 */
export function addCompliancePacks(app: cdk.App): void {
  const props = { reportFormats: [NagReportFormat.JSON] };
  cdk.Aspects.of(app).add(new AwsSolutionsChecks(props));
  cdk.Aspects.of(app).add(new NIST80053R5Checks(props));
  cdk.Aspects.of(app).add(new HIPAASecurityChecks(props));
  cdk.Aspects.of(app).add(new PCIDSS321Checks(props));
}
