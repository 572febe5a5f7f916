/**
 * Section 4: the rotation engine (bench/rotation.bench.ts): bundle sizes raw and gzip, cold import of
 * each handler module in a fresh Node process, and full four-step rotations against embedded
 * PostgreSQL (and Debian MariaDB in a full run) with the Secrets Manager stand-in: median and p95.
 * AWS's Python reference functions are timed side by side when AWS_REFERENCE_DIR is set (see
 * bench/rotation.bench.ts); otherwise the issue's figures from another machine are quoted, without a ratio.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRotationBench } from '../rotation.bench';
import { fmtBytes, fmtMs, ratio, ROOT, Row, runNode, TSX } from '../support';

/**
 * The PostgreSQL rotations again on the Node.js of the functions' Lambda runtime (scripts/lambda-node.ts),
 * when that Node.js is at hand (LAMBDA_NODE, or installed by an earlier `npm run bench:lambda-node`):
 * the benchmark installs nothing.
 */
function onLambdaNode(rounds: number): { node: string; fullRotationMs: Record<string, { median: number; p95: number; n: number }> } | string {
  const installed = existsSync(join(ROOT, '.tmp')) && readdirSync(join(ROOT, '.tmp')).some((d) => /^node\d+$/.test(d));
  if (!process.env.LAMBDA_NODE && !installed) return 'not run: no Node.js of the Lambda runtime here (npm run bench:lambda-node installs it)';
  const r = runNode([TSX, 'scripts/lambda-node.ts', TSX, 'bench/rotation.bench.ts'], { BENCH_ROUNDS: String(rounds), BENCH_IMPORT_SAMPLES: '3', BENCH_POSTGRES_ONLY: '1' });
  const file = /results: (\S+\.json)/.exec(r.stdout)?.[1];
  if (r.status !== 0 || !file) return `failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop()}`;
  const results = JSON.parse(readFileSync(file, 'utf8'));
  return { node: results.node, fullRotationMs: results.fullRotationMs };
}

const REFERENCE_ELSEWHERE: Record<string, number> = { 'postgres-single-user': 30, 'postgres-alternating-users': 37 };

export async function runEngine(opts: { quick: boolean }): Promise<{ rows: Row[]; results: Record<string, any> }> {
  const results = await runRotationBench({ rounds: opts.quick ? 20 : 30, importSamples: opts.quick ? 8 : 15, postgresOnly: opts.quick, report: false });
  const rows: Row[] = [];
  for (const [name, s] of Object.entries<{ bytes: number; gzipBytes: number }>(results.bundleSizes)) {
    rows.push({ section: '4 rotation engine', measure: `bundle ${name}`, ours: `${fmtBytes(s.bytes)} raw, ${fmtBytes(s.gzipBytes)} gzip` });
  }
  const imports = results.coldImportMs as Record<string, { median: number; p95: number; n: number }>;
  const sdk = imports['@aws-sdk/client-secrets-manager alone'];
  const here = results.awsReferenceHere as Record<string, { fullRotationMs: { median: number }; coldImportMs: { median: number } }> | undefined;
  const pythonImport = here?.['postgres-single-user']?.coldImportMs.median;
  for (const [name, s] of Object.entries(imports)) {
    if (s === sdk) continue;
    // the postgres bundle against AWS's PostgreSQL function when it was timed here, else against the SDK it carries
    const vsPython = name === 'postgres' && pythonImport !== undefined;
    rows.push({
      section: '4 rotation engine', measure: `cold import ${name}`, ours: `${fmtMs(s.median)} (p95 ${fmtMs(s.p95)})`,
      other: vsPython ? `AWS Python here ${fmtMs(pythonImport)}` : `SDK client alone ${fmtMs(sdk.median)}`,
      ratio: ratio(s.median, vsPython ? pythonImport : sdk.median),
      note: `fresh process, ${s.n} samples${vsPython ? `; the SDK client alone ${fmtMs(sdk.median)}` : ''}`,
    });
  }
  for (const [name, s] of Object.entries<{ median: number; p95: number; n: number }>(results.fullRotationMs)) {
    const ref = here?.[name]?.fullRotationMs.median;
    const steps = results.stepMedianMs?.[name] as Record<string, number> | undefined;
    rows.push({
      section: '4 rotation engine', measure: `full rotation ${name}`, ours: `${fmtMs(s.median)} (p95 ${fmtMs(s.p95)})`,
      other: ref !== undefined ? `AWS Python here ${fmtMs(ref)}` : REFERENCE_ELSEWHERE[name] ? `AWS Python ~${REFERENCE_ELSEWHERE[name]} ms (issue, other machine)` : undefined,
      ratio: ratio(s.median, ref),
      note: `${s.n} rotations${steps ? `; steps ${Object.entries(steps).map(([k, v]) => `${k.replace('Secret', '')} ${v}`).join(', ')} ms` : ''}`,
    });
  }
  const lambda = onLambdaNode(opts.quick ? 20 : 30);
  results.lambdaNode = lambda;
  if (typeof lambda === 'string') {
    rows.push({ section: '4 rotation engine', measure: 'full rotation on the Lambda runtime\'s Node.js', ours: 'not run', note: lambda });
  } else {
    for (const name of ['postgres-single-user', 'postgres-alternating-users']) {
      const s = lambda.fullRotationMs[name];
      const here = (results.fullRotationMs as Record<string, { median: number }>)[name];
      rows.push({
        section: '4 rotation engine', measure: `full rotation ${name}, Node.js ${lambda.node}`,
        ours: `${fmtMs(s.median)} (p95 ${fmtMs(s.p95)})`, other: `Node.js ${process.version} ${fmtMs(here.median)}`,
        ratio: ratio(s.median, here.median), note: `${s.n} rotations, the Lambda runtime's Node.js (scripts/lambda-node.ts), after the rest of this section`,
      });
    }
  }
  return { rows, results };
}
