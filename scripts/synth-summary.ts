/**
 * Prints a short summary of `cdk synth`'s cloud assembly (cdk.out): every example stack with its
 * environment, resource count and estimated monthly cost (scripts/cost-estimate.ts), and the unacknowledged compliance findings of each (cdk-nag packs
 * and cfn-guard Control Tower rules, run in-process over the same examples). Exits 1 on any finding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EXAMPLES } from '../examples';
import { estimateMonthlyCost, formatCost, PRICE_TABLE } from './cost-estimate';
import { complianceFindings } from '../test/support/compliance';
import { testApp } from '../test/support/app';

const outdir = process.argv[2] ?? 'cdk.out';
/** Every stack artifact of the assembly in `dir` and of the assemblies nested in it (Stages), with its template's path. */
function stackArtifacts(dir: string): [string, any, string][] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  return Object.entries<any>(manifest.artifacts).flatMap(([id, a]): [string, any, string][] => {
    if (a.type === 'aws:cloudformation:stack') return [[id, a, join(dir, a.properties.templateFile)]];
    if (a.type === 'cdk:cloud-assembly') return stackArtifacts(join(dir, a.properties.directoryName));
    return [];
  });
}
const stacks = stackArtifacts(outdir);

const rows: string[][] = [];
let totalFindings = 0;
let totalResources = 0;
let totalCost = 0;
for (const example of EXAMPLES) {
  for (const stack of example.build(testApp())) {
    const artifact = stacks.find(([id]) => id === stack.artifactId);
    if (!artifact) throw new Error(`synth-summary: stack ${stack.stackName} of example ${example.name} is missing from ${outdir}; run cdk synth first`);
    const template = JSON.parse(readFileSync(artifact[2], 'utf8'));
    const resources = Object.keys(template.Resources ?? {}).length;
    const findings = complianceFindings(stack);
    totalFindings += findings.length;
    totalResources += resources;
    const region = artifact[1].environment.replace('aws://', '').split('/')[1];
    const cost = estimateMonthlyCost(template, region);
    totalCost += cost.monthly;
    rows.push([example.name, stack.stackName, artifact[1].environment.replace('aws://', ''), String(resources), formatCost(cost, region), String(findings.length)]);
    for (const f of findings) console.error(`  finding: ${stack.stackName} ${f.pack} ${f.rule} at ${f.path}: ${f.message}`);
  }
}

const header = ['example', 'stack', 'environment', 'resources', 'est. cost', 'findings'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
console.log(`\nest. cost: what is billed by the month or hour (secrets and replicas, KMS keys, interface endpoints per AZ, alarms), prices of ${PRICE_TABLE.recorded} (scripts/prices.json); usage-based charges left out`);
console.log(`\n${EXAMPLES.length} example apps, ${rows.length} stacks, ${totalResources} resources, about $${totalCost.toFixed(2)} a month, ${totalFindings} unacknowledged compliance findings (cdk-nag AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1; cfn-guard Control Tower)`);
process.exit(totalFindings === 0 ? 0 : 1);
