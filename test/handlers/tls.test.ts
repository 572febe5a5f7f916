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
import { makeTestCertificates, type TlsFiles } from '../support/databases/tls';
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
    expect(logins.every((r) => /over TLS/.test(r.message))).toBe(true);
  });

  test('REQUIRE_TLS=true: alternating users over verified TLS', async () => {
    use('postgres', { ROTATION_STRATEGY: 'postgres-alternating-users', REQUIRE_TLS: 'true', NODE_EXTRA_CA_CERTS: tls.caFile });
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

  test('without REQUIRE_TLS or "ssl", an unverifiable certificate falls back to plain TCP with a warning', async () => {
    const child = use('postgres', { ROTATION_STRATEGY: 'postgres-single-user' });
    const user = await pgUser();
    await rig.rotate(user.arn);
    const secret = await rig.json(user.arn);
    expect(await pgLogin(secret.username, secret.password, false)).toBe(true);
    expect(records(child)).toContainEqual(expect.objectContaining({ level: 'warn', outcome: 'tls-fallback', secretArn: user.arn }));
  });

  test('"ssl": false in the secret uses plain TCP without trying TLS', async () => {
    const child = use('postgres', { ROTATION_STRATEGY: 'postgres-single-user', NODE_EXTRA_CA_CERTS: tls.caFile });
    const user = await pgUser({ ssl: false });
    await rig.rotate(user.arn);
    const logins = records(child).filter((r) => r.outcome === 'login' && r.secretArn === user.arn);
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((r) => /plain TCP/.test(r.message))).toBe(true);
  });
});

describe('MariaDB over TLS', () => {
  const tlsLogin = async (username: string, password: string, ssl: boolean) => {
    try {
      const conn = await createConnection({ host: '127.0.0.1', port: maria.port, user: username, password, ssl: ssl ? { ca } : undefined });
      await conn.end();
      return true;
    } catch {
      return false;
    }
  };
  async function mariaUser(requireSsl: boolean, extra: Record<string, unknown> = {}) {
    const username = uniqueName('tls');
    const password = randomBytes(18).toString('base64url');
    await maria.query(`CREATE USER ?@'%' IDENTIFIED BY ? ${requireSsl ? 'REQUIRE SSL' : ''}`, [username, password]);
    await maria.query("GRANT SELECT ON mysql.* TO ?@'%'", [username]);
    const arn = await rig.createSecret(uniqueName('secret'), { engine: 'mariadb', host: '127.0.0.1', port: maria.port, username, password, ...extra });
    return { arn, username, password };
  }

  test('alternating users: the clone keeps the REQUIRE SSL of the current user', async () => {
    use('mysql', { ROTATION_STRATEGY: 'mysql-alternating-users', REQUIRE_TLS: 'true', NODE_EXTRA_CA_CERTS: tls.caFile });
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
    expect(records(child).filter((r) => r.outcome === 'login' && r.secretArn === user.arn).every((r) => /over TLS/.test(r.message))).toBe(true);
  });
});

test('the bundles\' logs and errors of this run contain no password', () => {
  const secrets = [...rig.allSecretValues(), ...rig.standIn.allSecretStrings().flatMap(secretValuesIn)];
  const lines = [...rig.logs.lines, ...children.flatMap((c) => c.output)];
  expect(lines.length).toBeGreaterThan(30);
  expect(linesWithSecrets(lines, secrets)).toEqual([]);
});
