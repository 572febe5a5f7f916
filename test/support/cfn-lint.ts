/**
 * cfn-lint's own data, read from the installed cfn-lint Python package: the Lambda runtime
 * lifecycle table its deprecation rules (W2531, E2531, E2533) check templates against.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/** One runtime's row: dates as `YYYY-MM-DD`. */
export interface RuntimeLifecycle {
  readonly deprecated: string;
  readonly 'create-block': string;
  readonly 'update-block': string;
  readonly successor: string | null;
}

const FIND_PACKAGE = 'import cfnlint, os; print(os.path.dirname(cfnlint.__file__))';

/** The Python interpreters that may have cfn-lint: python3, then the one the `cfn-lint` script names. */
function interpreters(): string[] {
  const found = ['python3'];
  const which = spawnSync('sh', ['-c', 'command -v cfn-lint'], { encoding: 'utf8' });
  const script = which.status === 0 ? which.stdout.trim() : '';
  if (script) {
    const shebang = /^#!\s*(\S+)/.exec(readFileSync(realpathSync(script), 'utf8').split('\n')[0]);
    if (shebang && /python/.test(shebang[1])) found.push(shebang[1]);
  }
  return found;
}

/** The folder of the installed cfn-lint package; fails plainly when there is none. */
export function cfnLintPackageDir(): string {
  const tried: string[] = [];
  for (const python of interpreters()) {
    const out = spawnSync(python, ['-c', FIND_PACKAGE], { encoding: 'utf8' });
    if (out.status === 0 && out.stdout.trim()) return out.stdout.trim();
    tried.push(`${python}: ${(out.stderr || String(out.error ?? '')).trim().split('\n').pop()}`);
  }
  throw new Error('cfn-lint is not installed: no Python here can import its package (' + tried.join('; ') + '). '
    + 'This test reads the Lambda runtime deprecation dates from cfn-lint\'s data; install cfn-lint (pip install cfn-lint) and run it again.');
}

/** cfn-lint's Lambda runtime lifecycle table, by runtime name (`nodejs24.x`). */
export function lambdaRuntimeLifecycle(): Record<string, RuntimeLifecycle> {
  const dir = cfnLintPackageDir();
  const file = join(dir, 'data', 'AdditionalSpecs', 'LmbdRuntimeLifecycle.json');
  if (!existsSync(file)) {
    throw new Error(`cfn-lint at ${dir} has no Lambda runtime lifecycle table (${file}); this test knows cfn-lint 1.x's layout, so update the path here`);
  }
  return JSON.parse(readFileSync(file, 'utf8'));
}
