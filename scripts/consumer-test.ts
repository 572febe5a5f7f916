// The consumer test: the library as a user gets it. `npm run test:consumer [-- --lowest | --all]`.
//
// Builds and packs the library, then for each mode makes a throw-away app in a temp dir, laid out as
// `cdk init app --language typescript` lays it out, from the template in test/consumer/app/:
// - newest (default): the newest aws-cdk-lib, constructs and cdk-nag 3 from the registry;
// - lowest (--lowest): the minimum aws-cdk-lib and constructs of the library's peerDependencies, and
//   cdk-nag 2 (2.38.2);
// - --all: both, at the same time (one pack).
// Its cdk.json holds every recommended feature flag of the installed aws-cdk-lib. The app imports only
// 'cdk-security-patterns' and uses every exported construct. Passes when `cdk synth` succeeds with
// the cdk-nag packs AwsSolutions, NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 added the way the
// user adds them, those packs report zero findings on resources the library created (construct paths
// outside the app's own `AppOwned` scope) and acknowledged findings on the app's own resources (so
// each pack ran), every exported construct class has an instance in the app, synthesis prints no
// deprecation warning, and the app's Jest snapshot test passes twice in a row.
// --keep leaves the temp dirs; --no-build packs what `npm run build` made before.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const TEMPLATE = join(ROOT, 'test', 'consumer', 'app');
const HARNESS = join(ROOT, 'test', 'consumer', 'harness');
const PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
/** The construct id of the app's own resources (test/consumer/app/lib/app-owned.ts). */
const APP_OWNED = '/AppOwned/';
/** cdk-nag 2's last release, for the lowest mode. */
const CDK_NAG_2 = '2.38.2';

type Mode = 'newest' | 'lowest';

interface Finding { readonly pack: string; readonly rule: string; readonly path: string; readonly acknowledged: boolean }

interface ModeResult {
  readonly mode: Mode;
  readonly ok: boolean;
  readonly seconds: number;
  readonly lines: string[];
}

const args = process.argv.slice(2);
for (const arg of args) {
  if (!['--lowest', '--all', '--keep', '--no-build'].includes(arg)) {
    console.error(`consumer-test: unknown option ${arg}; use --lowest, --all, --keep or --no-build`);
    process.exit(2);
  }
}
const modes: Mode[] = args.includes('--all') ? ['newest', 'lowest'] : args.includes('--lowest') ? ['lowest'] : ['newest'];

function sh(cmd: string, cmdArgs: string[], cwd: string): string {
  const out = spawnSync(cmd, cmdArgs, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) {
    throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (exit ${out.status}) in ${cwd}:\n${out.stdout}\n${out.stderr}`);
  }
  return out.stdout;
}

/** Runs a command without blocking the other mode; resolves with its exit code and all its output. */
function run(cmd: string, cmdArgs: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, cmdArgs, { cwd, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/** The lowest version a peer range allows: `^2.257.0` -> `2.257.0`. */
function rangeMinimum(range: string, name: string): string {
  const match = /^\s*(?:\^|~|>=)?\s*(\d+\.\d+\.\d+)\s*$/.exec(range) ?? /^\s*>=\s*(\d+\.\d+\.\d+)\s+<\s*\S+\s*$/.exec(range);
  if (!match) throw new Error(`consumer-test: cannot read the minimum of the peer range "${range}" of ${name} in package.json`);
  return match[1];
}

/** The highest version of the registry that `spec` (`name@range`) matches (npm lists them unsorted). */
function newest(spec: string): string {
  const listed = JSON.parse(sh('npm', ['view', spec, 'version', '--json'], ROOT));
  const parts = (v: string) => v.split(/[.+-]/).slice(0, 3).map(Number);
  const byVersion = (a: string, b: string) => parts(a).map((n, i) => n - parts(b)[i]).find((d) => d !== 0) ?? 0;
  return (Array.isArray(listed) ? listed : [listed]).sort(byVersion).pop();
}

/** What each mode installs: the library's peers and cdk-nag (dependencies), the tools (devDependencies). */
function versionsFor(mode: Mode): { dependencies: Record<string, string>; devDependencies: Record<string, string> } {
  const peers: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).peerDependencies;
  const dependencies = mode === 'newest'
    ? { 'aws-cdk-lib': newest('aws-cdk-lib'), 'constructs': newest('constructs@10'), 'cdk-nag': newest('cdk-nag@3') }
    : { 'aws-cdk-lib': rangeMinimum(peers['aws-cdk-lib'], 'aws-cdk-lib'), 'constructs': rangeMinimum(peers.constructs, 'constructs'), 'cdk-nag': CDK_NAG_2 };
  return {
    dependencies,
    // as `cdk init app` writes them, but TypeScript 5.9 and ts-jest: ts-jest needs TypeScript's
    // JavaScript API, which TypeScript 7 does not have
    devDependencies: {
      'aws-cdk': newest('aws-cdk@2'),
      'typescript': newest('typescript@~5.9.0'),
      'ts-jest': newest('ts-jest@29'),
      'jest': newest('jest@30'),
      '@types/jest': newest('@types/jest@30'),
      '@types/node': newest('@types/node@24'),
      'tsx': newest('tsx@4'),
    },
  };
}

function findingsOfNag2Reports(outdir: string): Finding[] {
  const findings: Finding[] = [];
  for (const file of readdirSync(outdir).filter((f) => f.endsWith('-NagReport.json'))) {
    const pack = PACKS.find((p) => file.startsWith(`${p}-`));
    if (!pack) throw new Error(`consumer-test: cdk-nag report ${file} is of no known pack`);
    for (const line of JSON.parse(readFileSync(join(outdir, file), 'utf8')).lines) {
      if (line.compliance === 'Compliant') continue;
      findings.push({ pack, rule: line.ruleId, path: line.resourceId, acknowledged: line.compliance === 'Suppressed' });
    }
  }
  return findings;
}

async function consumerTest(mode: Mode, tarball: string): Promise<ModeResult> {
  const start = Date.now();
  const lines: string[] = [];
  const log = (line: string) => { lines.push(line); console.log(`[${mode}] ${line}`); };
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), `cdk-consumer-${mode}-`));
  const step = async (what: string, cmd: string, cmdArgs: string[], env?: NodeJS.ProcessEnv) => {
    const t = Date.now();
    const result = await run(cmd, cmdArgs, dir, env);
    log(`${what}: exit ${result.code} (${Math.round((Date.now() - t) / 1000)} s)`);
    return result;
  };
  try {
    // the app as `cdk init app --language typescript` lays it out, with one compliance wiring
    cpSync(TEMPLATE, dir, { recursive: true, filter: (src) => !/[/\\](node_modules|cdk\.out|compliance)([/\\]|$)/.test(src.slice(TEMPLATE.length)) });
    const { dependencies, devDependencies } = versionsFor(mode);
    const nagMajor = dependencies['cdk-nag'].split('.')[0];
    copyFileSync(join(TEMPLATE, 'compliance', `cdk-nag-${nagMajor}.ts`), join(dir, 'lib', 'compliance.ts'));
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    pkg.dependencies = { 'cdk-security-patterns': `file:${tarball}`, ...dependencies };
    pkg.devDependencies = devDependencies;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, undefined, 2) + '\n');
    log(`app in ${dir}: ${Object.entries({ ...dependencies, ...devDependencies }).map(([n, v]) => `${n}@${v}`).join(', ')}`);

    const install = await step('npm install', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
    if (install.code !== 0) throw new Error(`npm install failed:\n${install.output}`);

    // every recommended feature flag of the installed aws-cdk-lib, read from its cx-api (as `cdk init` does)
    const flags = JSON.parse(sh('node', ['-p', 'JSON.stringify(require("aws-cdk-lib/cx-api").CURRENTLY_RECOMMENDED_FLAGS)'], dir));
    const cdkJson = JSON.parse(readFileSync(join(dir, 'cdk.json'), 'utf8'));
    cdkJson.context = { ...flags, ...cdkJson.context };
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify(cdkJson, undefined, 2) + '\n');
    log(`cdk.json: ${Object.keys(flags).length} recommended feature flags of aws-cdk-lib ${dependencies['aws-cdk-lib']}`);

    const synth = await step('cdk synth', 'npx', ['cdk', 'synth', '--quiet', '--no-notices']);
    const deprecations = synth.output.split('\n').filter((l) => /deprecated/i.test(l));
    for (const line of deprecations) log(`deprecation warning: ${line.trim()}`);
    if (deprecations.length > 0) problems.push(`cdk synth printed ${deprecations.length} deprecation warning(s)`);
    if (synth.code !== 0) problems.push(`cdk synth failed:\n${synth.output.split('\n').slice(-80).join('\n')}`);

    copyFileSync(join(HARNESS, 'inspect-app.ts'), join(dir, 'inspect-app.ts'));
    const inspect = await step('inspect the app', 'npx', ['tsx', 'inspect-app.ts']);
    if (inspect.code !== 0) throw new Error(`inspect-app.ts failed:\n${inspect.output}`);
    const report = JSON.parse(inspect.output.trim().split('\n').pop()!);

    const unused = Object.entries<number>(report.constructs).filter(([, n]) => n === 0).map(([name]) => name);
    log(`${report.stacks} stacks; ${Object.keys(report.constructs).length} exported construct classes, ${Object.values<number>(report.constructs).reduce((a, b) => a + b, 0)} instances`);
    if (unused.length > 0) problems.push(`no instance in the app of the exported construct(s) ${unused.join(', ')}: add them to test/consumer/app/lib/<area>-stack.ts`);

    const findings: Finding[] = nagMajor === '3' ? report.findings : findingsOfNag2Reports(join(dir, 'cdk.out'));
    if (nagMajor === '2') {
      // cdk-nag 2 writes one report per pack and stack it checked: a stack without one went unchecked
      const reports = readdirSync(join(dir, 'cdk.out')).filter((f) => f.endsWith('-NagReport.json'));
      for (const pack of PACKS) {
        const checked = reports.filter((f) => f.startsWith(`${pack}-`)).length;
        if (checked !== report.stacks) problems.push(`cdk-nag 2 ${pack} checked ${checked} of the app's ${report.stacks} stacks`);
      }
    }
    log(`cdk-nag ${report.cdk_nag} on aws-cdk-lib ${report.aws_cdk_lib} (construct paths outside ${APP_OWNED} are the library's):`);
    log(`  ${'pack'.padEnd(16)} library findings  library acknowledged  app findings  app acknowledged`);
    for (const pack of PACKS) {
      const of = (library: boolean, acknowledged: boolean) => findings.filter((f) => f.pack === pack && f.acknowledged === acknowledged
        && f.path.includes(APP_OWNED) !== library).length;
      log(`  ${pack.padEnd(16)} ${String(of(true, false)).padStart(16)}  ${String(of(true, true)).padStart(20)}  ${String(of(false, false)).padStart(12)}  ${String(of(false, true)).padStart(16)}`);
      if (of(false, true) === 0) problems.push(`${pack}: no acknowledged finding on the app's own resources, so the pack did not run (or ignores acknowledgements)`);
    }
    const open = findings.filter((f) => !f.acknowledged);
    for (const f of open) log(`  finding: ${f.rule} at ${f.path}`);
    if (open.some((f) => !f.path.includes(APP_OWNED))) problems.push(`${open.filter((f) => !f.path.includes(APP_OWNED)).length} finding(s) on resources the library created`);
    if (open.some((f) => f.path.includes(APP_OWNED))) problems.push('findings on the app\'s own resources: acknowledge them in test/consumer/app');

    // the snapshot test: written by the first run, compared by the second (--ci writes none)
    for (const [round, ci] of [[1, '--ci=false'], [2, '--ci']] as const) {
      const jest = await step(`jest, run ${round}`, 'npx', ['jest', ci]);
      const summary = jest.output.split('\n').filter((l) => /^(Tests|Snapshots):/.test(l)).join('; ');
      log(`  ${summary}`);
      if (jest.code !== 0) problems.push(`the app's Jest test failed on run ${round}:\n${jest.output.split('\n').slice(-60).join('\n')}`);
      if (round === 2 && !/Snapshots:\s+\d+ passed, \d+ total/.test(summary)) problems.push(`run 2 did not compare every snapshot: ${summary}`);
    }
  } catch (error) {
    problems.push(String(error instanceof Error ? error.message : error));
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
  for (const problem of problems) log(`FAIL: ${problem}`);
  const seconds = Math.round((Date.now() - start) / 1000);
  log(`${problems.length === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
  return { mode, ok: problems.length === 0, seconds, lines };
}

async function main(): Promise<void> {
  const start = Date.now();
  if (!args.includes('--no-build')) {
    console.log('consumer-test: npm run build');
    sh('npm', ['run', 'build'], ROOT);
  }
  if (!existsSync(join(ROOT, 'build', 'index.js'))) throw new Error('consumer-test: build/index.js is missing; run npm run build');
  const packDir = mkdtempSync(join(tmpdir(), 'cdk-consumer-pack-'));
  try {
    const name = sh('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir], ROOT).trim().split('\n').pop()!;
    const tarball = join(packDir, name);
    console.log(`consumer-test: packed ${tarball}`);
    const results = await Promise.all(modes.map((mode) => consumerTest(mode, tarball)));
    console.log(`\nconsumer-test: ${results.map((r) => `${r.mode} ${r.ok ? 'passed' : 'FAILED'} (${r.seconds} s)`).join(', ')}; ${Math.round((Date.now() - start) / 1000)} s in all`);
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
