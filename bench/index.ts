/**
 * `npm run bench`: what the library costs its users, side by side with aws-cdk-lib's own way, in one
 * run. Prints one table and writes bench/results.json (BENCHMARKS.md explains the figures).
 *
 *   npm run bench                         every section (7, the test suite, only with --with-tests)
 *   npm run bench -- --quick              fewer repetitions, PostgreSQL only for the engine
 *   npm run bench -- --only=scale,cost    some sections, by name or number; the others keep their
 *                                         last figures in results.json
 *
 * Sections: 1 overhead, 2 scale, 3 growth, 4 engine, 5 cost, 6 user-app, 7 tests. The rotation engine
 * alone, with its own report: `npm run bench:rotation`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { runCost } from './sections/cost';
import { runEngine } from './sections/engine';
import { runRotationScale } from './sections/rotation-scale';
import { runSynthGrowth } from './sections/synth-growth';
import { runSynthOverhead } from './sections/synth-overhead';
import { runTests } from './sections/tests';
import { runUserApp } from './sections/user-app';
import { parseArgs, Section, SECTIONS } from './args';
import { ensureBuild, renderMarkdown, renderTable, replaceBetween, ROOT, Row } from './support';

function machine() {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    os: `${process.platform} ${release()}`,
    memoryGb: Math.round(totalmem() / (1 << 30)),
  };
}

interface SectionResult {
  measuredAt: string; quick: boolean; seconds: number; load1: { start: number; end: number };
  machine?: ReturnType<typeof machine>; rows: Row[]; results: object;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const file = join(ROOT, 'bench', 'results.json');
  const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { sections: {} };
  const sections: Record<string, SectionResult> = previous.sections ?? {};
  const ran: Section[] = [];
  const run = async (name: Section, fn: () => Promise<{ rows: Row[]; results: object }> | { rows: Row[]; results: object }) => {
    if (!args.only.includes(name)) return;
    const startLoad = loadavg()[0];
    const started = Date.now();
    process.stderr.write(`bench: ${name} ...\n`);
    const { rows, results } = await fn();
    sections[name] = {
      measuredAt: new Date().toISOString(), quick: args.quick, seconds: Math.round((Date.now() - started) / 1000),
      load1: { start: startLoad, end: loadavg()[0] }, machine: machine(), rows, results,
    };
    ran.push(name);
  };
  if (args.only.some((s) => s !== 'engine' && s !== 'tests')) ensureBuild();
  const started = new Date();
  const load = [loadavg()[0]];
  // in-process counts first, then fresh processes, then the engine (its servers), then what needs its figures
  await run('scale', () => runRotationScale());
  await run('user-app', () => runUserApp(args));
  await run('overhead', () => runSynthOverhead(args));
  await run('growth', () => runSynthGrowth(args));
  await run('engine', () => runEngine(args));
  await run('cost', () => {
    const engine = sections.engine?.results as { fullRotationMs?: Record<string, { median: number }> } | undefined;
    return runCost({ rotationMs: engine?.fullRotationMs?.['postgres-single-user']?.median });
  });
  await run('tests', () => runTests({ enabled: args.withTests }));
  load.push(loadavg()[0]);

  const ordered = SECTIONS.filter((s) => ran.includes(s));
  const rows = ordered.flatMap((s) => sections[s].rows);
  const m = machine();
  console.log(`\nnpm run bench${args.quick ? ' --quick' : ''} (${ordered.join(', ')}) on ${m.nproc} x ${m.cpu}, Node.js ${m.node}, `
    + `load ${load.map((l) => l.toFixed(2)).join(' -> ')} (1-min average at start and end)\n`);
  console.log(renderTable(rows));
  writeFileSync(file, `${JSON.stringify({
    updated: started.toISOString(),
    machine: m,
    lastRun: { sections: ordered, quick: args.quick, load1: load },
    sections: Object.fromEntries(SECTIONS.filter((s) => sections[s]).map((s) => [s, sections[s]])),
  }, null, 2)}\n`);
  console.log(`\nresults: ${file}`);
  updateBenchmarksMd(sections);
}

/** Writes every section's latest figures, with when and where they were measured, into BENCHMARKS.md. */
function updateBenchmarksMd(sections: Record<string, SectionResult & { machine?: ReturnType<typeof machine> }>): void {
  const md = join(ROOT, 'BENCHMARKS.md');
  if (!existsSync(md)) return;
  const present = SECTIONS.filter((s) => sections[s]);
  const runs = present.map((s) => {
    const r = sections[s];
    const m = r.machine ?? machine();
    return `- ${s}: ${r.measuredAt}${r.quick ? ' (--quick)' : ''}, ${r.seconds} s, ${m.nproc} x ${m.cpu}, ${m.memoryGb} GB, ${m.os}, Node.js ${m.node}, load ${r.load1.start.toFixed(2)} -> ${r.load1.end.toFixed(2)}`;
  });
  const table = `${renderMarkdown(present.flatMap((s) => sections[s].rows))}\n\nMeasured (section: when, how long, machine, 1-minute load average at its start and end):\n\n${runs.join('\n')}`;
  const updated = replaceBetween(readFileSync(md, 'utf8'), 'bench', table);
  if (updated === undefined) throw new Error('bench: BENCHMARKS.md lacks the <!-- bench:start --> and <!-- bench:end --> markers the table goes between');
  writeFileSync(md, updated);
  console.log(`figures: ${md}`);
}

if (require.main === module) {
  main().then(() => process.exit(0), (err) => {
    console.error(err);
    process.exit(1);
  });
}
