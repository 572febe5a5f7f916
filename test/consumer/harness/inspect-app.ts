// The consumer test's instrument, copied next to the consumer app (not part of it) and run there with
// tsx after `cdk synth`: builds the app once more in-process and prints, as JSON on the last line,
// - how many stacks the app has (Stages included), which construct classes cdk-security-patterns exports and how many instances of each the app has;
// - with cdk-nag 3 installed: each pack's findings and acknowledged findings with their construct
//   paths (cdk-nag 3 reports no acknowledged finding, so each pack's acknowledgement check is observed).
// Usage: tsx inspect-app.ts
import * as cdk from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { addConsumerStacks } from './lib/consumer-app';

interface Finding { readonly pack: string; readonly rule: string; readonly path: string; readonly acknowledged: boolean }

const patterns: Record<string, unknown> = require('cdk-security-patterns');
const nagVersion: string = require('cdk-nag/package.json').version;

const app = new cdk.App({ context: require('./cdk.json').context, outdir: 'cdk.out.inspect' });
addConsumerStacks(app);
app.synth();

const all = app.node.findAll();
const constructs: Record<string, number> = {};
for (const [name, value] of Object.entries(patterns)) {
  if (typeof value === 'function' && value.prototype instanceof Construct) {
    constructs[name] = all.filter((c) => c instanceof (value as new (...args: never[]) => Construct)).length;
  }
}

const findings: Finding[] = [];
if (nagVersion.startsWith('3.')) {
  const nag = require('cdk-nag');
  for (const Pack of [nag.AwsSolutionsChecks, nag.NIST80053R5Checks, nag.HIPAASecurityChecks, nag.PCIDSS321Checks]) {
    const pack = new Pack();
    const isAcknowledged = pack.isAcknowledged.bind(pack);
    pack.isAcknowledged = (node: Construct, ruleId: string): boolean => {
      const acknowledged: boolean = isAcknowledged(node, ruleId);
      if (acknowledged) findings.push({ pack: pack.readPackName, rule: ruleId, path: node.node.path, acknowledged });
      return acknowledged;
    };
    for (const violation of pack.validateScope(app).violations) {
      for (const resource of violation.violatingResources) {
        findings.push({ pack: pack.readPackName, rule: violation.ruleName, path: resource.constructPath, acknowledged: false });
      }
    }
  }
}

const stacks = all.filter((c) => cdk.Stack.isStack(c) && !c.nested).length;
console.log(JSON.stringify({ aws_cdk_lib: require('aws-cdk-lib/package.json').version, cdk_nag: nagVersion, stacks, constructs, findings }));
