/**
 * Section 1: `cdk synth` of the whole example app against the floor (a process that loads aws-cdk-lib
 * and synthesizes an empty stack), and a team stack built with the library against the same job in
 * plain aws-cdk-lib, each a fresh process, all taking turns; medians and ratios. Twice: the app process
 * alone (`tsx`, what cdk.json runs) and through the CDK CLI (`cdk synth --quiet`, what users type).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtMs, interleave, ratio, Row, runNode, stats, TSX, ROOT } from '../support';

const CDK = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const FIXTURES = ['floor', 'examples', 'team-library', 'team-plain'] as const;

export function runSynthOverhead(opts: { quick: boolean }): { rows: Row[]; results: object } {
  const rounds = opts.quick ? 3 : 7;
  const outdir = mkdtempSync(join(tmpdir(), 'bench-overhead-'));
  const wall: Record<string, number[]> = {};
  const phases: Record<string, { loadMs: number[]; buildMs: number[]; synthMs: number[]; maxRssMb: number[] }> = {};
  const facts: Record<string, { stacks: number; resources: number }> = {};
  try {
    // bin:* run bin/app.ts itself: through the tsx CLI (a second Node process, as `npx tsx` in cdk.json) and
    // with tsx's hooks in the one process (`node --import tsx`), to see what the loader costs
    const variants = [...FIXTURES.map((f) => `app:${f}`), 'cli:floor', 'cli:examples', 'bin:tsx', 'bin:import'];
    interleave(rounds, variants, (v) => {
      const [how, fixture] = v.split(':');
      const r = how === 'bin'
        ? runNode([...(fixture === 'tsx' ? [TSX] : ['--import', 'tsx']), 'bin/app.ts'], { CDK_OUTDIR: join(outdir, v.replace(':', '-')) })
        : how === 'app'
        ? runNode([TSX, 'bench/child.ts', fixture, join(outdir, fixture)])
        // the examples through cdk.json's own app command (npx tsx bin/app.ts); the floor through the same npx tsx
        : runNode([CDK, 'synth', '--quiet', '-o', join(outdir, `cli-${fixture}`),
          ...(fixture === 'floor' ? ['--app', 'npx tsx bench/child.ts floor -'] : [])]);
      if (r.status !== 0) throw new Error(`synth overhead: ${v} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
      (wall[v] ??= []).push(r.wallMs);
      if (how === 'app') {
        const p = (phases[fixture] ??= { loadMs: [], buildMs: [], synthMs: [], maxRssMb: [] });
        p.loadMs.push(r.report.loadMs); p.buildMs.push(r.report.buildMs); p.synthMs.push(r.report.synthMs); p.maxRssMb.push(r.report.maxRssMb);
        facts[fixture] = { stacks: r.report.stacks.length, resources: r.report.stacks.reduce((a: number, s: any) => a + s.resources, 0) };
      }
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  const med = (v: string) => stats(wall[v]).median;
  const phase = (f: string) => Object.fromEntries(Object.entries(phases[f]).map(([k, xs]) => [k, stats(xs)]));
  const results = {
    rounds,
    wallMs: Object.fromEntries(Object.keys(wall).map((k) => [k, stats(wall[k])])),
    phasesMs: Object.fromEntries(FIXTURES.map((f) => [f, phase(f)])),
    templates: facts,
  };
  const brk = (f: string) => {
    const p = results.phasesMs[f] as Record<string, { median: number }>;
    return `load ${fmtMs(p.loadMs.median)}, build ${fmtMs(p.buildMs.median)}, synth ${fmtMs(p.synthMs.median)}, ${p.maxRssMb.median} MB`;
  };
  const rows: Row[] = [
    {
      section: '1 synth overhead', measure: 'cdk synth --quiet, example app',
      ours: fmtMs(med('cli:examples')), other: `floor ${fmtMs(med('cli:floor'))}`, ratio: ratio(med('cli:examples'), med('cli:floor')),
      note: `${facts.examples.stacks} stacks, ${facts.examples.resources} resources; median of ${rounds}`,
    },
    {
      section: '1 synth overhead', measure: 'app process (tsx), example app',
      ours: fmtMs(med('app:examples')), other: `floor ${fmtMs(med('app:floor'))}`, ratio: ratio(med('app:examples'), med('app:floor')),
      note: `${brk('examples')} | floor: ${brk('floor')}`,
    },
    {
      section: '1 synth overhead', measure: 'app process, team stack',
      ours: fmtMs(med('app:team-library')), other: `plain aws-cdk-lib ${fmtMs(med('app:team-plain'))}`, ratio: ratio(med('app:team-library'), med('app:team-plain')),
      note: `${facts['team-library'].resources} vs ${facts['team-plain'].resources} resources | ${brk('team-library')} | plain: ${brk('team-plain')}`,
    },
    {
      section: '1 synth overhead', measure: 'bin/app.ts: node --import tsx (one process)',
      ours: fmtMs(med('bin:import')), other: `tsx CLI (two processes) ${fmtMs(med('bin:tsx'))}`, ratio: ratio(med('bin:import'), med('bin:tsx')),
      note: 'the loader of the example app; cdk.json runs npx tsx',
    },
  ];
  return { rows, results };
}
