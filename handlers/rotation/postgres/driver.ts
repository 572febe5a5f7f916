import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connectFailure, runSecretStatement, type ConnectTarget, type DatabaseDriver } from '../database/driver';

const AUTH_FAILED = new Set(['28P01', '28000']);

/** Always-quoted identifier: exact name, embedded quotes doubled (what quote_ident does, unconditionally). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal that is safe whatever standard_conforming_strings says. */
export function quoteLiteral(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/**
 * The SCRAM-SHA-256 verifier of a password, as PostgreSQL stores it. Sending the verifier
 * instead of the password means the plain text never reaches the server, so it cannot end up in
 * its statement log. SASLprep is the identity for printable ASCII; other passwords go as text.
 */
export async function scramVerifier(password: string): Promise<string | undefined> {
  if (!/^[\x20-\x7e]*$/.test(password)) return undefined;
  const iterations = 4096;
  const salt = randomBytes(16);
  const salted = await new Promise<Buffer>((resolve, reject) => pbkdf2(password, salt, iterations, 32, 'sha256', (err, key) => (err ? reject(err) : resolve(key))));
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Verifiers being computed, by password; at most one entry, as one rotation sets one password. */
let pendingVerifier: { password: string; verifier: Promise<string | undefined> } | undefined;

function verifierOf(password: string): Promise<string | undefined> {
  if (pendingVerifier?.password !== password) pendingVerifier = { password, verifier: scramVerifier(password) };
  return pendingVerifier.verifier;
}

async function passwordClause(password: string): Promise<string> {
  const verifier = await verifierOf(password);
  pendingVerifier = undefined;
  return `PASSWORD ${quoteLiteral(verifier ?? password)}`;
}

export const postgresDriver: DatabaseDriver<Client> = {
  label: 'PostgreSQL',
  engines: ['postgres', 'aurora-postgresql'],
  defaultPort: 5432,
  defaultDatabase: 'postgres',
  maxUsernameLength: () => 63,

  async connect(target: ConnectTarget) {
    const client = new Client({
      host: target.host,
      port: target.port,
      user: target.username,
      password: target.password,
      database: target.database,
      ssl: target.tls ? { rejectUnauthorized: true } : false,
      connectionTimeoutMillis: 5000,
      application_name: 'secrets-manager-rotation',
    });
    // Do not let a dropped connection crash the function between queries.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      const code = (err as { code?: string }).code;
      if (code && AUTH_FAILED.has(code)) return undefined;
      throw connectFailure(err, target.password);
    }
  },

  async close(client) {
    await client.end();
  },

  async check(client) {
    await client.query('SELECT 1');
  },

  prepare(password) {
    verifierOf(password).catch(() => undefined);
  },

  async changeOwnPassword(client, password) {
    // ALTER ROLE takes no bind parameters; the user's own name comes from the session.
    const sql = `ALTER USER CURRENT_USER WITH ${await passwordClause(password)}`;
    await runSecretStatement(() => client.query(sql), 'ALTER USER', password);
  },

  async provisionAlternate(master, _currentConn, currentUsername, pendingUsername, password) {
    const [exists, clause] = await Promise.all([
      master.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [pendingUsername]),
      passwordClause(password),
    ]);
    const created = exists.rowCount === 0;
    // Membership in the original role gives the clone its grants, now and as they change. It is
    // (re)granted whenever the clone is the one being set, so a clone made some other way is
    // brought in step too; never the other way round, which would make the roles circular.
    const grant = pendingUsername === `${currentUsername}_clone`
      ? `; GRANT ${quoteIdent(currentUsername)} TO ${quoteIdent(pendingUsername)}`
      : '';
    // One simple query with several statements runs as one transaction: a crash leaves the
    // role as it was or complete.
    const sql = `${created ? 'CREATE' : 'ALTER'} ROLE ${quoteIdent(pendingUsername)} WITH LOGIN ${clause}${grant}`;
    await runSecretStatement(() => master.query(sql), created ? 'CREATE ROLE' : 'ALTER ROLE', password);
    return created ? 'created' : 'updated';
  },
};
