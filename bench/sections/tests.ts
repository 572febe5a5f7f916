/**
 * Section 7: wall time of the test suite, cold (a new Jest cache) and warm (the same cache again), and
 * of CI. Opt-in (`--only=tests` or `--with-tests`): it runs the whole `jest` suite twice, which a
 * machine shared with other work should not do unasked. CI's wall time is read from a log of `.ci/run`
 * (its last line, `CI passed in Ns`) given as BENCH_CI_LOG.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtMs, ratio, ROOT, Row } from '../support';

export function runTests(opts: { enabled: boolean }): { rows: Row[]; results: object } {
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  if (opts.enabled) {
    const cache = mkdtempSync(join(tmpdir(), 'bench-jest-cache-'));
    try {
      const run = () => {
        const started = process.hrtime.bigint();
        const out = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', `--cacheDirectory=${cache}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const summary = /jest: (\d+) passed, (\d+) failed/.exec(out.stderr);
        return { ms, status: out.status, passed: Number(summary?.[1]), failed: Number(summary?.[2]) };
      };
      const cold = run();
      const warm = run();
      Object.assign(results, { coldMs: cold.ms, warmMs: warm.ms, cold, warm });
      rows.push({
        section: '7 test suite', measure: 'jest, cold cache -> warm cache', ours: fmtMs(warm.ms), other: `cold ${fmtMs(cold.ms)}`,
        ratio: ratio(warm.ms, cold.ms), note: `${warm.passed} passed, ${warm.failed} failed (exit ${warm.status})`,
      });
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  } else {
    results.skipped = 'not run: the whole suite twice; pass --with-tests (or --only=tests) on a machine free for it';
    rows.push({ section: '7 test suite', measure: 'jest, cold and warm', ours: 'not run', note: results.skipped as string });
  }
  const log = process.env.BENCH_CI_LOG;
  const ci = log && existsSync(log) ? /CI passed in (\d+)s/.exec(readFileSync(log, 'utf8')) : null;
  results.ciSeconds = ci ? Number(ci[1]) : undefined;
  rows.push({
    section: '7 test suite', measure: 'CI (.ci/run) wall time',
    ours: ci ? fmtMs(Number(ci[1]) * 1000) : 'not measured',
    note: ci ? `from ${log}` : 'run `bash .ci/run 2>&1 | tee ci.log` on a CI runner, then BENCH_CI_LOG=ci.log npm run bench -- --only=tests',
  });
  return { rows, results };
}
