/**
 * Section 4: the rotation engine (bench/rotation.bench.ts): bundle sizes raw and gzip, cold import of
 * each handler module in a fresh Node process, and full four-step rotations against embedded
 * PostgreSQL (and Debian MariaDB in a full run) with the Secrets Manager stand-in: median and p95.
 * AWS's Python reference functions are timed side by side when AWS_REFERENCE_DIR is set (see
 * bench/rotation.bench.ts); otherwise the issue's figures from another machine are quoted, without a ratio.
 */
import { runRotationBench } from '../rotation.bench';
import { fmtBytes, fmtMs, ratio, Row } from '../support';

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
  return { rows, results };
}
