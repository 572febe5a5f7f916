/**
 * Real MariaDB for tests, from Debian's mariadb-server (scripts/ensure-mariadb.sh installs it):
 * mariadbd on 127.0.0.1 and a free port with its own data folder and no config files
 * (--no-defaults). As root it runs as the `mysql` user. Start one per test file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { freePort } from './ports';
import { keyFor, type TlsFiles } from './tls';

export interface MariaDbServer {
  readonly host: string;
  readonly port: number;
  /** An administrator with every privilege and GRANT OPTION, reachable over TCP. */
  readonly adminUser: string;
  readonly adminPassword: string;
  /** Runs SQL as the administrator (a fresh session each time). */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

function which(binary: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${binary} || ls /usr/sbin/${binary} 2>/dev/null`], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  return found || undefined;
}

async function connectWhenReady(options: Parameters<typeof createConnection>[0], child: ChildProcess, log: () => string): Promise<Connection> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await createConnection(options);
    } catch (err) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}: ${log()}`);
      if (Date.now() > deadline) throw new Error(`mariadbd not ready within 30 s (${(err as Error).message}): ${log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export interface MariaDbOptions {
  /** Serve TLS with this certificate; plain connections stay allowed unless an account requires SSL. */
  readonly tls?: TlsFiles;
}

export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDbServer> {
  const mariadbd = which('mariadbd');
  const installDb = which('mariadb-install-db');
  if (!mariadbd || !installDb) {
    throw new Error('mariadbd is not installed: run scripts/ensure-mariadb.sh (apt-get install mariadb-server)');
  }
  const isRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'rotation-mariadb-'));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'mariadb.sock');
  const userArgs = isRoot ? ['--user=mysql'] : [];
  const install = spawnSync(installDb, ['--no-defaults', ...userArgs, `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], { encoding: 'utf8' });
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);
  }

  const port = await freePort();
  const child = spawn(mariadbd, [
    '--no-defaults', ...userArgs, `--datadir=${dataDir}`, `--socket=${socket}`, `--port=${port}`,
    '--bind-address=127.0.0.1', '--skip-name-resolve', `--pid-file=${join(dir, 'mariadbd.pid')}`,
    '--innodb-flush-log-at-trx-commit=0', '--skip-log-bin', '--innodb-buffer-pool-size=32M',
    ...(options.tls ? [`--ssl-ca=${options.tls.caFile}`, `--ssl-cert=${options.tls.certFile}`, `--ssl-key=${keyFor(options.tls, dir, 'mysql')}`] : []),
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr = (stderr + String(chunk)).slice(-4000); });

  // root@localhost has no password on a fresh data folder: reach it over the socket and make a TCP admin.
  const adminPassword = randomBytes(18).toString('base64url');
  try {
    const root = await connectWhenReady({ socketPath: socket, user: 'root' }, child, () => stderr);
    await root.query("CREATE USER 'admin'@'%' IDENTIFIED BY ?", [adminPassword]);
    await root.query("GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION");
    await root.end();
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    host: '127.0.0.1',
    port,
    adminUser: 'admin',
    adminPassword,
    async query(sql, params) {
      const conn = await createConnection({ host: '127.0.0.1', port, user: 'admin', password: adminPassword });
      try {
        const [rows] = await conn.query(sql, params);
        return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
      } finally {
        await conn.end();
      }
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
