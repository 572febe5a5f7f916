/**
 * Section 3: synth time and peak memory of 10, 100 and 500 rotating PostgreSQL secrets in one stack,
 * each in a fresh process (ours and aws-cdk-lib's hosted rotation taking turns), the cost per secret,
 * and where CloudFormation's limits (500 resources, 1,000,000 bytes of template) stop a stack.
 * aws-cdk-lib's own 500-resource check is lifted (BENCH_RESOURCE_LIMIT=0) so the times cover a full synth;
 * section 2 says which stacks it refuses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { added } from './rotation-scale';
import { fmtBytes, fmtMs, interleave, ratio, round, Row, runNode, stats, TSX } from '../support';

export const GROWTH_NS = [10, 100, 500] as const;
const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 1_000_000;

interface Sample { totalMs: number; buildSynthMs: number; maxRssMb: number; resources?: number; bytes?: number; error?: string }

export function runSynthGrowth(opts: { quick: boolean }): { rows: Row[]; results: object } {
  const reps = opts.quick ? 1 : 3;
  const samples: Record<string, Sample[]> = {};
  const outdir = mkdtempSync(join(tmpdir(), 'bench-growth-'));
  try {
    const variants = GROWTH_NS.flatMap((n) => [`ours:${n}`, `hosted:${n}`]);
    interleave(reps, variants, (v) => {
      const r = runNode([TSX, 'bench/child.ts', `rotation:${v}`, join(outdir, v.replace(':', '-'))], { BENCH_RESOURCE_LIMIT: '0' });
      if (r.status !== 0 || !r.report) throw new Error(`synth growth: ${v} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
      const rep = r.report;
      const stack = rep.stacks?.[0];
      (samples[v] ??= []).push({ totalMs: r.wallMs, buildSynthMs: rep.buildMs + rep.synthMs, maxRssMb: rep.maxRssMb, resources: stack?.resources, bytes: stack?.bytes, error: rep.error });
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  const summary = (v: string) => {
    const s = samples[v];
    return {
      wallMs: stats(s.map((x) => x.totalMs)),
      buildSynthMs: stats(s.map((x) => x.buildSynthMs)),
      maxRssMb: stats(s.map((x) => x.maxRssMb)),
      resources: s[0].resources,
      bytes: s[0].bytes,
      error: s[0].error,
    };
  };
  const results: Record<string, any> = { reps, byN: {} as Record<string, unknown> };
  const rows: Row[] = [];
  for (const n of GROWTH_NS) {
    const ours = summary(`ours:${n}`);
    const hosted = summary(`hosted:${n}`);
    results.byN[n] = { ours, hosted };
    const text = (x: typeof ours, label = '') => x.error
      ? `${label}refused after ${fmtMs(x.buildSynthMs.median)}, ${x.maxRssMb.median} MB`
      : `${label}${fmtMs(x.buildSynthMs.median)}, ${x.maxRssMb.median} MB, ${x.resources} res, ${fmtBytes(x.bytes)}`;
    const limited = [ours, hosted].some((x) => x.resources !== undefined && x.resources > MAX_RESOURCES);
    rows.push({
      section: '3 synth growth',
      measure: `N=${n}: build+synth median, peak RSS`,
      ours: text(ours),
      other: text(hosted, 'HostedRotation '),
      ratio: ours.error || hosted.error ? undefined : ratio(ours.buildSynthMs.median, hosted.buildSynthMs.median),
      note: [
        `fresh process each, median of ${reps}; whole process ${fmtMs(ours.wallMs.median)} vs ${fmtMs(hosted.wallMs.median)}`,
        ...(ours.error ? [`ours: ${ours.error.replace(/^Validation failed with the following errors: /, '')}`] : []),
        ...(limited && !hosted.error ? ['past 500 resources aws-cdk-lib refuses the stack by default; timed with its check lifted'] : []),
      ].join('; '),
    });
  }
  // per secret: the slope between 10 and 100 (500 may be refused)
  const per = (kind: 'ours' | 'hosted', f: (x: ReturnType<typeof summary>) => number) =>
    (f(results.byN[100][kind]) - f(results.byN[10][kind])) / 90;
  const perSecret = {
    ours: { ms: per('ours', (x) => x.buildSynthMs.median), rssMb: per('ours', (x) => x.maxRssMb.median) },
    hosted: { ms: per('hosted', (x) => x.buildSynthMs.median), rssMb: per('hosted', (x) => x.maxRssMb.median) },
  };
  results.perSecret = perSecret;
  rows.push({
    section: '3 synth growth',
    measure: 'per secret (slope 10 -> 100)',
    ours: `${round(perSecret.ours.ms, 2)} ms, ${round(perSecret.ours.rssMb * 1024, 0)} KB RSS`,
    other: `HostedRotation ${round(perSecret.hosted.ms, 2)} ms, ${round(perSecret.hosted.rssMb * 1024, 0)} KB RSS`,
    ratio: ratio(perSecret.ours.ms, perSecret.hosted.ms),
  });
  // limits, from the parent template after the transforms (section 2's counts at 10 and 100)
  const limits: Record<string, unknown> = {};
  for (const kind of ['ours', 'hosted', 'sar'] as const) {
    const a = added(kind, 10).d;
    const b = added(kind, 100).d;
    const resPer = (b.parentResources - a.parentResources) / 90;
    const resFixed = a.parentResources - 10 * resPer;
    const bytesPer = (b.template.bytes - a.template.bytes) / 90;
    const bytesFixed = a.template.bytes - 10 * bytesPer;
    limits[kind] = {
      resourcesPerSecret: round(resPer, 2), fixedResources: round(resFixed, 1),
      bytesPerSecret: Math.round(bytesPer), fixedBytes: Math.round(bytesFixed),
      maxSecretsByResources: Math.floor((MAX_RESOURCES - resFixed) / resPer),
      maxSecretsByBytes: Math.floor((MAX_TEMPLATE_BYTES - bytesFixed) / bytesPer),
    };
  }
  // the fit estimates; the exact number comes from synthesizing around it (policies packed per 6,144
  // characters make the growth a little faster than linear)
  for (const kind of ['ours', 'hosted', 'sar'] as const) {
    const l = limits[kind] as Record<string, number>;
    l.maxSecretsExact = exactMax(kind, Math.min(l.maxSecretsByResources, l.maxSecretsByBytes));
  }
  results.limits = limits;
  const l = limits as Record<string, any>;
  const fits = (k: string) => `${l[k].maxSecretsExact} (${l[k].resourcesPerSecret} res and ${fmtBytes(l[k].bytesPerSecret)}/secret: `
    + `500 res at ~${l[k].maxSecretsByResources}, 1 MB at ~${l[k].maxSecretsByBytes})`;
  for (const kind of ['hosted', 'sar'] as const) {
    rows.push({
      section: '3 synth growth',
      measure: `secrets per stack before a limit (vs ${kind === 'hosted' ? 'HostedRotation' : 'SecretRotation'})`,
      ours: fits('ours'),
      other: fits(kind),
      ratio: ratio(l.ours.maxSecretsExact, l[kind].maxSecretsExact),
      note: 'synthesized at the limit; parent template after the transforms; VPC and database in the same stack',
    });
  }
  return { rows, results };
}

/** The most secrets of `kind` whose stack stays within 500 resources and 1,000,000 bytes, searched from `estimate`. */
function exactMax(kind: 'ours' | 'hosted' | 'sar', estimate: number): number {
  const fits = (n: number) => {
    try {
      const d = added(kind, n).d;
      return d.parentResources <= MAX_RESOURCES && d.template.bytes <= MAX_TEMPLATE_BYTES;
    } catch {
      // refused by the library's own check
      return false;
    }
  };
  let n = Math.max(1, estimate);
  if (fits(n)) {
    while (fits(n + 1)) n++;
    return n;
  }
  while (n > 1 && !fits(n - 1)) n--;
  return n - 1;
}
