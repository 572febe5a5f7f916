/**
 * One synth in a fresh process, for the benchmark: `tsx bench/child.ts <fixture> <outdir>` prints one
 * JSON line: the times of loading the modules, building the constructs and synthesizing (ms, from the
 * process's start), peak memory, and each stack's template counts (`-` as outdir: CDK_OUTDIR, for cdk synth). Fixtures: floor (aws-cdk-lib and an
 * empty stack), examples (what bin/app.ts builds), team-library, team-plain, rotation:<kind>:<n>.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const [fixture, outdir] = process.argv.slice(2);
  if (!fixture || !outdir) throw new Error('usage: tsx bench/child.ts <fixture> <outdir>');
  const started = performance.now();
  const cdk = await import('aws-cdk-lib');
  let build: (app: InstanceType<typeof cdk.App>) => void;
  if (fixture === 'floor') {
    build = (app) => { new cdk.Stack(app, 'Empty'); };
  } else if (fixture === 'examples') {
    const { EXAMPLES } = await import('../examples');
    build = (app) => { for (const e of EXAMPLES) e.build(app); };
  } else if (fixture === 'team-library' || fixture === 'team-plain') {
    const m = await import('./fixtures/team-stack');
    build = (app) => { (fixture === 'team-library' ? m.teamStackLibrary : m.teamStackPlain)(app); };
  } else if (fixture.startsWith('rotation:')) {
    const [, kind, n] = fixture.split(':');
    const m = await import('./fixtures/rotation-stack');
    build = (app) => { m.rotationStack(app, kind as any, Number(n)); };
  } else {
    throw new Error(`bench/child.ts: unknown fixture '${fixture}'; use floor, examples, team-library, team-plain or rotation:<kind>:<n>`);
  }
  // the library's modules load with the others, not inside the build: only where the fixture uses it
  if (fixture === 'team-library' || fixture.startsWith('rotation:ours:')) (await import('./fixtures/library')).library();
  const loaded = performance.now();
  // BENCH_RESOURCE_LIMIT=0 lifts aws-cdk-lib's 500-resource check, to time stacks past it; '-' takes CDK_OUTDIR (cdk synth)
  const limit = process.env.BENCH_RESOURCE_LIMIT;
  const app = new cdk.App({
    outdir: outdir === '-' ? undefined : outdir,
    context: limit === undefined ? {} : { '@aws-cdk/core:stackResourceLimit': Number(limit) },
  });
  let built = loaded;
  let synthesized = loaded;
  let error: string | undefined;
  try {
    build(app);
    built = performance.now();
    const assembly = app.synth();
    synthesized = performance.now();
    const stacks = assembly.stacks.map((s) => {
      const text = readFileSync(join(assembly.directory, s.templateFile), 'utf8');
      const t = JSON.parse(text);
      return { name: s.stackName, resources: Object.keys(t.Resources ?? {}).length, bytes: Buffer.byteLength(text) };
    });
    report({ stacks });
  } catch (e) {
    // the time to the refusal, and the refusal itself (aws-cdk-lib's validation lists the messages on the next lines)
    const now = performance.now();
    if (built === loaded) built = now;
    synthesized = now;
    error = (e as Error).message.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join(' ').slice(0, 600);
    report({ error });
  }
  function report(extra: object) {
    const usage = process.resourceUsage();
    console.log(JSON.stringify({
      fixture,
      startupMs: started,
      loadMs: loaded - started,
      buildMs: built - loaded,
      synthMs: synthesized - built,
      totalMs: performance.now(),
      maxRssMb: Math.round(usage.maxRSS / 1024),
      heapUsedMb: Math.round(process.memoryUsage().heapUsed / (1 << 20)),
      ...extra,
    }));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
