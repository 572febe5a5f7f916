// `npm run cfn-lint`: checks every CloudFormation template the repo deploys or commits the way
// CloudFormation will, with cfn-lint (its registry schemas, IAM action lists, runtime dates):
// - the example apps: every stack of the cloud assembly `cdk synth` writes to cdk.out (synthesized
//   here first when cdk.out is missing or older than the sources), each against its own region;
// - the integ tests: every template of the committed snapshots (integ/*.snapshot), in us-east-1 as
//   `npm run integ` runs them.
// Any finding fails, errors, warnings and informational alike. A warning the library accepts is
// turned off in .cfnlintrc with its reason; without cfn-lint on the PATH this fails and says so.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const ASSEMBLY = join(ROOT, 'cdk.out');
const DEFAULT_REGION = 'us-east-1';

interface Finding {
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string };
  Filename: string;
  Location: { Start: { LineNumber: number; ColumnNumber: number } };
  Message: string;
}

function fail(message: string): never {
  console.error(`cfn-lint: ${message}`);
  process.exit(1);
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Synthesizes the example apps unless cdk.out is newer than everything they are made of. */
function ensureAssembly(): void {
  const manifest = join(ASSEMBLY, 'manifest.json');
  const sources = ['lib', 'examples', 'bin', 'assets', 'cdk.json'].map((p) => join(ROOT, p));
  if (existsSync(manifest) && statSync(manifest).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  console.log('cfn-lint: cdk.out is missing or older than the sources; running cdk synth');
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  if (synth.status !== 0) fail(`cdk synth failed (exit ${synth.status}):\n${synth.stderr}`);
}

/** Template file -> region, for every stack of the assembly in `dir` and of the assemblies nested in it (stages). */
function assemblyTemplates(dir: string, into = new Map<string, string>()): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact.environment ?? '')?.[1];
      into.set(join(dir, artifact.properties.templateFile), region && region !== 'unknown-region' ? region : DEFAULT_REGION);
    } else if (artifact.type === 'cdk:cloud-assembly') {
      assemblyTemplates(join(dir, artifact.properties.directoryName), into);
    }
  }
  return into;
}

function snapshotTemplates(): string[] {
  const integ = join(ROOT, 'integ');
  return readdirSync(integ).filter((d) => d.endsWith('.snapshot')).sort()
    .flatMap((d) => readdirSync(join(integ, d)).filter((f) => f.endsWith('.template.json')).sort().map((f) => join(integ, d, f)));
}

function lint(region: string, templates: string[]): Finding[] {
  const run = spawnSync('cfn-lint', ['--config-file', join(ROOT, '.cfnlintrc'), '--format', 'json', '--regions', region, '--', ...templates], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  if (run.error) fail(String(run.error));
  // exit codes: 0 clean, bits 2/4/8 for errors/warnings/informational; anything else is cfn-lint failing
  if (run.status === null || (run.status & ~(2 | 4 | 8)) !== 0) fail(`cfn-lint itself failed (exit ${run.status}): ${run.stderr.trim()}`);
  return JSON.parse(run.stdout || '[]');
}

function main(): void {
  const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    fail('cfn-lint is not installed (no cfn-lint on the PATH). It checks the templates the way CloudFormation will; '
      + 'install it with `pip install cfn-lint` (1.x) and run `npm run cfn-lint` again.');
  }
  if (!existsSync(join(ROOT, '.cfnlintrc'))) fail(`${join(ROOT, '.cfnlintrc')} is missing`);
  ensureAssembly();
  const byRegion = new Map<string, string[]>();
  const add = (template: string, region: string) => byRegion.set(region, [...(byRegion.get(region) ?? []), template]);
  const examples = assemblyTemplates(ASSEMBLY);
  for (const [template, region] of examples) add(template, region);
  const snapshots = snapshotTemplates();
  for (const template of snapshots) add(template, DEFAULT_REGION);

  const findings = [...byRegion].flatMap(([region, templates]) => lint(region, templates).map((f) => ({ ...f, region })));
  for (const f of findings) {
    // some messages list every valid value (W3037 lists all of a service's actions)
    const message = f.Message.length > 300 ? `${f.Message.slice(0, 300)}...` : f.Message;
    console.log(`${f.Rule.Id} ${relative(ROOT, resolve(ROOT, f.Filename))}:${f.Location.Start.LineNumber}:${f.Location.Start.ColumnNumber} (${f.region}) ${message}`);
  }
  const count = (level: Finding['Level']) => findings.filter((f) => f.Level === level).length;
  console.log(`cfn-lint ${version.stdout.trim().replace(/^cfn-lint /, '')}: ${examples.size} example templates and ${snapshots.length} integ snapshot templates `
    + `(${[...byRegion.keys()].join(', ')}): ${count('Error')} errors, ${count('Warning')} warnings, ${count('Informational')} informational`
    + ' (rules turned off, with reasons: .cfnlintrc)');
  if (findings.length > 0) fail('fix each finding in the library, or turn the rule off in .cfnlintrc with the reason it does not apply');
}

main();
