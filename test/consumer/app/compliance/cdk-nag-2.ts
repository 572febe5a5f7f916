import * as cdk from 'aws-cdk-lib/core';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagReportFormat, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

/**
 * cdk-nag 2: the rule packs are Aspects, added as its README shows. Findings are error annotations
 * (they fail `cdk synth`); each pack writes cdk.out/<pack>-<stack>-NagReport.json.
 * (The consumer test copies this file to lib/compliance.ts when it installs cdk-nag 2.)
 */
export function addCompliancePacks(app: cdk.App): void {
  const props = { reportFormats: [NagReportFormat.JSON] };
  // the app and each Stage in it: Aspects of the app do not reach into a Stage
  for (const scope of app.node.findAll().filter((c) => cdk.Stage.isStage(c))) {
    cdk.Aspects.of(scope).add(new AwsSolutionsChecks(props));
    cdk.Aspects.of(scope).add(new NIST80053R5Checks(props));
    cdk.Aspects.of(scope).add(new HIPAASecurityChecks(props));
    cdk.Aspects.of(scope).add(new PCIDSS321Checks(props));
  }
}
