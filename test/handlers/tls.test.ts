// TLS to the database, with the deployable bundles run in their own process (NODE_EXTRA_CA_CERTS
// is read at start-up, as on Lambda): servers with a certificate from a throw-away CA.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { startMariaDb, type MariaDbServer } from '../support/databases/mariadb';
import { startPostgres, type PostgresServer } from '../support/databases/postgres';
import { CredentialTrap } from '../support/databases/credential-trap';
import { TcpProxy } from '../support/databases/tcp-proxy';
import { issueCertificate, makeTestCertificates, type TlsFiles } from '../support/databases/tls';
import { bundleRotationHandler, startBundledHandler, type BundledHandler } from './bundled-handler';
import { RotationRig, jsonRecords, linesWithSecrets, secretValuesIn, standInEnvironment, startAll, uniqueName, type Handler } from './harness';

let current: Handler = async () => { throw new Error('no bundled handler selected'); };
const rig = new RotationRig((event) => current(event), 'set-per-child');
let certDir: string;
let tls: TlsFiles;
let ca: string;
let pg: PostgresServer;
let maria: MariaDbServer;
const bundles: Record<string, string> = {};
const cleanups: (() => void)[] = [];
const children: BundledHandler[] = [];

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'rotation-tls-'));
  tls = makeTestCertificates(certDir);
  ca = readFileSync(tls.caFile, 'utf8');
  // Each resource is recorded as soon as it exists, so afterAll stops what did start.
  const bundle = (name: 'postgres' | 'mysql') => bundleRotationHandler(name).then((b) => {
    cleanups.push(b.cleanup);
    bundles[name] = b.file;
  });
  await startAll([
    startPostgres({ tls }).then((s) => { pg = s; }),
    startMariaDb({ tls }).then((s) => { maria = s; }),
    bundle('postgres'), bundle('mysql'), rig.start(),
  ]);
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await rig.stop();
  await Promise.all([pg?.stop(), maria?.stop()]);
  for (const cleanup of cleanups) cleanup();
  rmSync(certDir, { recursive: true, force: true });
});

/** Starts the bundle in a child with the stand-in's endpoint and `env`, and makes it the rig's handler. */
function use(bundle: 'postgres' | 'mysql', env: Record<string, string>): BundledHandler {
  const child = startBundledHandler(bundles[bundle], { ...standInEnvironment(rig.standIn.endpoint), ...env });
  children.push(child);
  current = child.handler;
  return child;
}

const records = (child: BundledHandler) => jsonRecords(child.output);

async function pgLogin(username: string, password: string, ssl: boolean): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port: pg.port, user: username, password, database: 'postgres', ssl: ssl ? { ca } : false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function pgUser(extra: Record<string, unknown> = {}, masterarn?: string) {
  const username = uniqueName('tls');
  const password = randomBytes(18).toString('base64url');
  await pg.query(`CREATE ROLE ${username} LOGIN PASSWORD '${password}'`);
  const arn = await rig.createSecret(uniqueName('secret'), { engine: 'postgres', host: '127.0.0.1', port: pg.port, username, password, dbname: 'postgres', ...(masterarn ? { masterarn } : {}), ...extra });
  return { arn, username, password };
}

async function tlsLoginTo(port: number, username: string, password: string, ssl = true): Promise<boolean> {
  try {
    const conn = await createConnection({ host: '127.0.0.1', port, user: username, password, ssl: ssl ? { ca } : undefined });
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

async function mariaUser(requireSsl: boolean, extra: Record<string, unknown> = {}) {
  const username = uniqueName('tls');
  const password = randomBytes(18).toString('base64url');
  await maria.query(`CREATE USER ?@'%' IDENTIFIED BY ? ${requireSsl ? 'REQUIRE SSL' : ''}`, [username, password]);
  await maria.query("GRANT SELECT ON mysql.* TO ?@'%'", [username]);
  const arn = await rig.createSecret(uniqueName('secret'), { engine: 'mariadb', host: '127.0.0.1', port: maria.port, username, password, ...extra });
  return { arn, username, password };
}

describe('PostgreSQL over TLS', () => {
  test('REQUIRE_TLS=true: full rotations over verified TLS (single user)', async () => {
    const child = use('postgres', { ROTATION_STRATEGY: 'postgres-single-user', REQUIRE_TLS: 'true', NODE_EXTRA_CA_CERTS: tls.caFile });
    const user = await pgUser();
    await rig.rotate(user.arn);
    await rig.rotate(user.arn);
    const secret = await rig.json(user.arn);
    expect(await pgLogin(secret.username, secret.password, true)).toBe(true);
    expect(await pgLogin(user.username, user.password, true)).toBe(false);
    const logins = records(child).filter((r) => r.outcome === 'login' && r.secretArn === user.arn);
    expect(logins.length).toBeGreaterThanOrEqual(4);
    expect(logins.every((r) => /over verified TLS/.test(r.message))).toBe(true);
  });

  test('REQUIRE_TLS=true: alternating users over verified TLS', async () => {
    use('postgres', { ROTATION_STRATEGY: 'postgres-alternating-users', REQUIRE_TLS: 'true', NODE_EXTRA_CA_CERTS: tls.caFile, ALLOWED_DATABASE_ENDPOINTS: `127.0.0.1:${pg.port}` });
    const master = await rig.createSecret(uniqueName('master'), { username: pg.superuser, password: pg.superuserPassword });
    rig.extraSecrets.push(pg.superuserPassword);
    const user = await pgUser({}, master);
    await rig.rotate(user.arn);
    const secret = await rig.json(user.arn);
    expect(secret.username).toBe(`${user.username}_clone`);
    expect(await pgLogin(secret.username, secret.password, true)).toBe(true);
  });

  test('fails when the certificate does not verify (no CA given) and REQUIRE_TLS=true: setSecret fails, nothing changes', async () => {
    use('postgres', { ROTATION_STRATEGY: 'postgres-single-user', REQUIRE_TLS: 'true' });
    const user = await pgUser();
    const token = await rig.startRotation(user.arn);
    await rig.invoke('createSecret', user.arn, token);
    await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/cannot connect to PostgreSQL .* as AWSCURRENT: .*(certificate|self.signed).*TLS is required/i);
    expect(await pgLogin(user.username, user.password, true)).toBe(true);
  });

  test('REQUIRE_TLS=false and no "ssl": a certificate that does not verify fails the login; there is no fall-back to plain TCP', async () => {
    const child = use('postgres', { ROTATION_STRATEGY: 'postgres-single-user', REQUIRE_TLS: 'false' });
    const user = await pgUser();
    const token = await rig.startRotation(user.arn);
    await rig.invoke('createSecret', user.arn, token);
    await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/cannot connect to PostgreSQL .* as AWSCURRENT: .*(certificate|self.signed)/i);
    expect(records(child).filter((r) => r.secretArn === user.arn && /plain TCP/.test(r.message ?? ''))).toEqual([]);
    expect(await pgLogin(user.username, user.password, true)).toBe(true);
  });

  test('"ssl": false in the secret uses plain TCP without trying TLS, when REQUIRE_TLS=false allows it', async () => {
    const child = use('postgres', { ROTATION_STRATEGY: 'postgres-single-user', NODE_EXTRA_CA_CERTS: tls.caFile, REQUIRE_TLS: 'false' });
    const user = await pgUser({ ssl: false });
    await rig.rotate(user.arn);
    const logins = records(child).filter((r) => r.outcome === 'login' && r.secretArn === user.arn);
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((r) => /plain TCP/.test(r.message))).toBe(true);
  });

  test('no TLS decision outlives one login: after a plain-TCP secret, a secret without "ssl" at the same server still gets (failing) verified TLS', async () => {
    use('postgres', { ROTATION_STRATEGY: 'postgres-single-user', REQUIRE_TLS: 'false' });
    const strict = await pgUser();
    const plain = await pgUser({ ssl: false });
    const attempt = async (arn: string) => {
      const token = await rig.startRotation(arn);
      await rig.invoke('createSecret', arn, token);
      return rig.runSteps(arn, token, ['setSecret', 'testSecret', 'finishSecret']).then(() => undefined, (err: Error) => {
        void rig.cancelRotation(arn, token);
        return err;
      });
    };
    expect((await attempt(strict.arn))?.message).toMatch(/certificate|self.signed/i);
    expect(await attempt(plain.arn)).toBeUndefined();
    expect((await attempt(strict.arn))?.message).toMatch(/certificate|self.signed/i);
    expect(await pgLogin(strict.username, strict.password, true)).toBe(true);
  });

  test('a certificate for another host name is refused (the server reached as 127.0.0.2 shows its certificate for 127.0.0.1)', async () => {
    use('postgres', { ROTATION_STRATEGY: 'postgres-single-user', NODE_EXTRA_CA_CERTS: tls.caFile });
    const proxy = await TcpProxy.start(pg.port, '127.0.0.1', '127.0.0.2');
    try {
      const user = await pgUser({ host: '127.0.0.2', port: proxy.port });
      const token = await rig.startRotation(user.arn);
      await rig.invoke('createSecret', user.arn, token);
      await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/cannot connect to PostgreSQL at 127\.0\.0\.2:\d+ as AWSCURRENT: .*(altname|does not match)/i);
      expect(await pgLogin(user.username, user.password, true)).toBe(true);
    } finally {
      await proxy.down();
    }
  });
});

describe('MariaDB over TLS', () => {
  const tlsLogin = (username: string, password: string, ssl: boolean) => tlsLoginTo(maria.port, username, password, ssl);

  test('alternating users: the clone keeps the REQUIRE SSL of the current user', async () => {
    use('mysql', { ROTATION_STRATEGY: 'mysql-alternating-users', REQUIRE_TLS: 'true', NODE_EXTRA_CA_CERTS: tls.caFile, ALLOWED_DATABASE_ENDPOINTS: `127.0.0.1:${maria.port}` });
    const master = await rig.createSecret(uniqueName('master'), { username: maria.adminUser, password: maria.adminPassword });
    rig.extraSecrets.push(maria.adminPassword);
    const user = await mariaUser(true, { masterarn: master });
    await rig.rotate(user.arn);
    const secret = await rig.json(user.arn);
    expect(secret.username).toBe(`${user.username}_clone`);
    const [row] = await maria.query('SELECT ssl_type FROM mysql.user WHERE User = ?', [secret.username]);
    expect(String(row.ssl_type)).toBe('ANY');
    expect(await tlsLogin(secret.username, secret.password, true)).toBe(true);
    // The requirement is enforced: the same password over plain TCP is refused.
    expect(await tlsLogin(secret.username, secret.password, false)).toBe(false);
  });

  test('single user: a secret with "ssl": true rotates over verified TLS', async () => {
    const child = use('mysql', { ROTATION_STRATEGY: 'mysql-single-user', NODE_EXTRA_CA_CERTS: tls.caFile });
    const user = await mariaUser(true, { ssl: true });
    await rig.rotate(user.arn);
    const secret = await rig.json(user.arn);
    expect(await tlsLogin(secret.username, secret.password, true)).toBe(true);
    expect(await tlsLogin(user.username, user.password, true)).toBe(false);
    expect(records(child).filter((r) => r.outcome === 'login' && r.secretArn === user.arn).every((r) => /over verified TLS/.test(r.message))).toBe(true);
  });

  test('a certificate for another host name is refused (the server reached as 127.0.0.2 shows its certificate for 127.0.0.1)', async () => {
    use('mysql', { ROTATION_STRATEGY: 'mysql-single-user', NODE_EXTRA_CA_CERTS: tls.caFile });
    const proxy = await TcpProxy.start(maria.port, '127.0.0.1', '127.0.0.2');
    try {
      const user = await mariaUser(false, { host: '127.0.0.2', port: proxy.port });
      const token = await rig.startRotation(user.arn);
      await rig.invoke('createSecret', user.arn, token);
      await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/cannot connect to MySQL\/MariaDB at 127\.0\.0\.2:\d+ as AWSCURRENT: .*(altname|does not match)/i);
      // The same server, CA and account at the name on its certificate: TLS is fine (control).
      const control = await mariaUser(false);
      await rig.rotate(control.arn);
      expect(await tlsLogin(control.username, (await rig.json(control.arn)).password, true)).toBe(true);
      expect(await tlsLogin(user.username, user.password, true)).toBe(true);
    } finally {
      await proxy.down();
    }
  });
});

describe('an attacker with a valid certificate for their own server (127.0.0.2) who writes AWSCURRENT', () => {
  test.each(['postgres', 'mysql'] as const)('%s single user: verified TLS to their server, and no password that logs into the real database', async (engine) => {
    const own = issueCertificate(certDir, `attacker-${engine}`, 'IP:127.0.0.2');
    const trap = await (engine === 'postgres' ? CredentialTrap.postgres({ tls: own }) : CredentialTrap.mysql({ tls: own }));
    try {
      const child = use(engine, { ROTATION_STRATEGY: `${engine}-single-user`, REQUIRE_TLS: 'true', NODE_EXTRA_CA_CERTS: tls.caFile });
      const user = engine === 'postgres' ? await pgUser() : await mariaUser(false, {});
      await rig.rotate(user.arn);
      const real = await rig.json(user.arn);
      const { password: _unknownToThem, ...shape } = real;
      await rig.putValue(user.arn, { ...shape, host: trap.host, port: trap.port, password: 'Attacker-own-password-3' });

      const token = await rig.startRotation(user.arn);
      await rig.invoke('createSecret', user.arn, token);
      await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/AWSPREVIOUS is for 127\.0\.0\.1:\d+, not 127\.0\.0\.2:\d+ where AWSPENDING goes; refusing/);
      // TLS verified the attacker's certificate and the trap saw the passwords it was sent: the attacker's own and AWSPENDING's.
      expect(trap.logins.map((l) => l.tls)).toEqual([true, true]);
      expect(trap.passwords[0]).toBe('Attacker-own-password-3');
      expect(records(child).filter((r) => r.token === token && r.outcome === 'login-rejected').map((r) => r.credential)).toEqual(['AWSCURRENT', 'AWSPENDING']);
      for (const password of trap.passwords) {
        const logsIn = engine === 'postgres' ? await pgLogin(real.username, password, true) : await tlsLoginTo(maria.port, real.username, password);
        expect(logsIn).toBe(false);
      }
      const realStillWorks = engine === 'postgres' ? await pgLogin(real.username, real.password, true) : await tlsLoginTo(maria.port, real.username, real.password);
      expect(realStillWorks).toBe(true);
    } finally {
      await trap.stop();
    }
  });
});

test('the bundles\' logs and errors of this run contain no password', () => {
  const secrets = [...rig.allSecretValues(), ...rig.standIn.allSecretStrings().flatMap(secretValuesIn)];
  const lines = [...rig.logs.lines, ...children.flatMap((c) => c.output)];
  expect(lines.length).toBeGreaterThan(30);
  expect(linesWithSecrets(lines, secrets)).toEqual([]);
});
