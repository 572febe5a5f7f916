/**
 * Section 6: synth overhead in a user's app. The team stack (bench/fixtures/team-stack.ts) built with
 * the library and in plain aws-cdk-lib, in one process, taking turns after a warm-up: median of the
 * time to construct and synthesize each (a new App each time), and the ratio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { teamStackLibrary, teamStackPlain } from '../fixtures/team-stack';
import { fmtMs, interleave, ratio, Row, stats } from '../support';

export function runUserApp(opts: { quick: boolean }): { rows: Row[]; results: object } {
  const rounds = opts.quick ? 5 : 20;
  const warmup = 2;
  const outdir = mkdtempSync(join(tmpdir(), 'bench-user-app-'));
  const samples: Record<string, number[]> = { library: [], plain: [] };
  try {
    interleave(warmup + rounds, ['library', 'plain'] as const, (v, i) => {
      const started = process.hrtime.bigint();
      const app = new App({ outdir: join(outdir, `${v}-${i}`) });
      (v === 'library' ? teamStackLibrary : teamStackPlain)(app);
      app.synth();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (i >= warmup) samples[v].push(ms);
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  const lib = stats(samples.library);
  const plain = stats(samples.plain);
  return {
    rows: [{
      section: '6 user app synth', measure: 'team stack, one process (build+synth)',
      ours: `${fmtMs(lib.median)} (p95 ${fmtMs(lib.p95)})`, other: `plain aws-cdk-lib ${fmtMs(plain.median)} (p95 ${fmtMs(plain.p95)})`,
      ratio: ratio(lib.median, plain.median), note: `median of ${rounds} after ${warmup} warm-up, taking turns`,
    }],
    results: { rounds, warmup, libraryMs: lib, plainMs: plain },
  };
}
