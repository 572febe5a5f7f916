/** Helpers shared by the benchmark's sections: statistics, fresh-process runs, template counts. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
/** The tsx CLI, so fresh processes load TypeScript the way `cdk synth` runs bin/app.ts (`npx tsx`). */
export const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface Stats { median: number; p95: number; min: number; max: number; n: number }

/** Median, p95 (nearest rank), min and max, rounded to 0.01. */
export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new Error('stats: no samples');
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: round(mid), p95: round(at(0.95)), min: round(s[0]), max: round(s[s.length - 1]), n: s.length };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** `a / b` rounded to 0.01, or undefined when b is 0 or either is missing. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : round(a / b);
}

/** Runs `fn` over the variants in turns (the order flipping each round), so a busy machine slows all alike. */
export function interleave<T>(rounds: number, variants: readonly T[], fn: (variant: T, round: number) => void): void {
  for (let i = 0; i < rounds; i++) {
    for (const v of i % 2 === 0 ? variants : [...variants].reverse()) fn(v, i);
  }
}

export interface ChildResult {
  /** Wall time of the whole process, as its parent saw it (ms). */
  wallMs: number;
  /** What the child printed as its last line (JSON), if anything. */
  report?: any;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` in a fresh process from the repository root; the last stdout line is parsed as JSON when it is. */
export function runNode(args: string[], env: Record<string, string> = {}): ChildResult {
  const started = process.hrtime.bigint();
  const out = spawnSync(process.execPath, args, {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const last = out.stdout.trim().split('\n').pop() ?? '';
  let report: unknown;
  try { report = last.startsWith('{') ? JSON.parse(last) : undefined; } catch { report = undefined; }
  return { wallMs, report, status: out.status, stdout: out.stdout, stderr: out.stderr };
}

export interface TemplateCounts {
  resources: number;
  bytes: number;
  byType: Record<string, number>;
  transforms: string[];
}

/** Resource counts of a synthesized template, and its size as the CDK wrote it. */
export function countTemplate(template: any, bytes: number): TemplateCounts {
  const byType: Record<string, number> = {};
  for (const r of Object.values<any>(template.Resources ?? {})) byType[r.Type] = (byType[r.Type] ?? 0) + 1;
  const t = template.Transform;
  return { resources: Object.keys(template.Resources ?? {}).length, bytes, byType, transforms: t === undefined ? [] : [t].flat() };
}

/** One row of the benchmark's table. */
export interface Row {
  section: string;
  measure: string;
  ours: string;
  /** The figure it is compared with (aws-cdk-lib's, the floor's ...). */
  other?: string;
  /** ours / other, for times and sizes. */
  ratio?: number;
  note?: string;
}

export function fmtMs(ms: number | undefined): string {
  return ms === undefined ? '-' : ms >= 1000 ? `${round(ms / 1000, 2)} s` : `${round(ms, 1)} ms`;
}

export function fmtBytes(b: number | undefined): string {
  if (b === undefined) return '-';
  return b >= 1 << 20 ? `${round(b / (1 << 20), 2)} MB` : b >= 1024 ? `${round(b / 1024, 1)} KB` : `${b} B`;
}

export function fmtUsd(x: number): string {
  return `$${x.toFixed(x < 1 ? 3 : 2)}`;
}

/** Renders the rows as one plain-text table, grouped by section. */
export function renderTable(rows: readonly Row[]): string {
  const header: Row = { section: 'section', measure: 'measure', ours: 'ours', other: 'compared with', note: 'note' };
  const cells = (r: Row) => [r.section, r.measure, r.ours, r.other ?? '', r === header ? 'ratio' : r.ratio === undefined ? '' : `${r.ratio}x`, r.note ?? ''];
  const all = [header, ...rows].map(cells);
  const widths = all[0].map((_, i) => Math.max(...all.map((c) => c[i].length)));
  // the note column is left unpadded: it is the last one
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]))).join(' | ').trimEnd();
  const out = [line(all[0]), widths.map((w) => '-'.repeat(w)).join('-|-')];
  let last = '';
  for (const c of all.slice(1)) {
    out.push(line(c[0] === last ? ['', ...c.slice(1)] : c));
    last = c[0];
  }
  return out.join('\n');
}

function newest(dir: string, suffix: string): number {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? newest(p, suffix) : e.name.endsWith(suffix) ? statSync(p).mtimeMs : 0;
  }));
}

/** Compiles the library (`npm run compile`, jsii) when build/ is missing or older than lib/: the fixtures load build/. */
export function ensureBuild(): void {
  const index = join(ROOT, 'build', 'index.js');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built >= newest(join(ROOT, 'lib'), '.ts')) return;
  process.stderr.write('bench: build/ is missing or older than lib/: npm run compile\n');
  const out = spawnSync('npm', ['run', '--silent', 'compile'], { cwd: ROOT, stdio: 'inherit' });
  if (out.status !== 0) throw new Error(`bench: npm run compile failed (exit ${out.status})`);
}

/** The rows as a Markdown table (for BENCHMARKS.md). */
export function renderMarkdown(rows: readonly Row[]): string {
  const esc = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|');
  const out = ['| section | measure | ours | compared with | ratio | note |', '| --- | --- | --- | --- | --- | --- |'];
  let last = '';
  for (const r of rows) {
    out.push(`| ${r.section === last ? '' : esc(r.section)} | ${esc(r.measure)} | ${esc(r.ours)} | ${esc(r.other)} | ${r.ratio === undefined ? '' : `${r.ratio}x`} | ${esc(r.note)} |`);
    last = r.section;
  }
  return out.join('\n');
}

/** Replaces what stands between `<!-- name:start -->` and `<!-- name:end -->` in `text`; undefined when the markers are missing. */
export function replaceBetween(text: string, name: string, content: string): string | undefined {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return undefined;
  return `${text.slice(0, i + start.length)}\n${content}\n${text.slice(j)}`;
}
