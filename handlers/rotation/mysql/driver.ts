import { randomBytes } from 'node:crypto';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import type { DatabaseUserDeclaration } from '../../../lib/secrets/private/rotation-contract';
import { connectFailure, runSecretStatement, type ConnectTarget, type DatabaseDriver } from '../database/driver';
import { RotationError } from '../engine/errors';
import { planGrantSync, type Account } from './grants';

const AUTH_FAILED = new Set([1045, 1698]);

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : value == null ? '' : String(value);
}

/**
 * mysql2 escapes quotes with a backslash; under NO_BACKSLASH_ESCAPES that would change the
 * password, so the session drops that mode before any statement that carries one.
 */
async function backslashEscapes(conn: Connection): Promise<void> {
  await conn.query("SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
}

/** Splits CURRENT_USER() ('name@host'; the name may itself hold '@'). */
function splitAccount(account: string): { user: string; host: string } {
  const at = account.lastIndexOf('@');
  return { user: account.slice(0, at), host: account.slice(at + 1) };
}

/** `REQUIRE ...` for an account's ssl_type and x509 columns (as mysql.user holds them). */
function requireClause(row: Record<string, unknown>): { clause: string; values: string[] } {
  const sslType = text(row.ssl_type).toUpperCase();
  if (sslType === 'ANY') return { clause: 'SSL', values: [] };
  if (sslType === 'X509') return { clause: 'X509', values: [] };
  if (sslType !== 'SPECIFIED') return { clause: 'NONE', values: [] };
  const parts: string[] = [];
  const values: string[] = [];
  for (const [clause, column] of [['CIPHER', 'ssl_cipher'], ['ISSUER', 'x509_issuer'], ['SUBJECT', 'x509_subject']] as const) {
    const value = text(row[column]);
    if (value) { parts.push(`${clause} ?`); values.push(value); }
  }
  return { clause: parts.length > 0 ? parts.join(' AND ') : 'SSL', values };
}

/** MySQL 8: the clone's default roles become the base user's. */
async function syncDefaultRoles(master: Connection, base: Account, clone: Account, cloneSql: string): Promise<void> {
  const [rows] = await master.query<RowDataPacket[]>(
    'SELECT USER AS user, DEFAULT_ROLE_USER AS role, DEFAULT_ROLE_HOST AS host FROM mysql.default_roles WHERE HOST = ? AND USER IN (?, ?) ORDER BY role, host',
    [base.host, base.user, clone.user]);
  const of = (user: string) => rows.filter((r) => text(r.user) === user).map((r) => `${master.escape(text(r.role))}@${master.escape(text(r.host))}`);
  const want = of(base.user);
  if (want.join(',') === of(clone.user).join(',')) return;
  await master.query(`SET DEFAULT ROLE ${want.length > 0 ? want.join(', ') : 'NONE'} TO ${cloneSql}`);
}

/**
 * GRANT statements for a declared user (`userSql` escaped); names quoted, privileges from the
 * contract's fixed lists. Declared roles become default roles too, as a MySQL role grants nothing
 * until it is active; MariaDB activates one default role.
 */
export function declaredGrants(declaration: DatabaseUserDeclaration, userSql: string, mariadb: boolean): string[] {
  const id = (name: string) => `\`${name.replace(/`/g, '``')}\``;
  const statements = declaration.roles.map((role) => `GRANT ${id(role)} TO ${userSql}`);
  if (declaration.roles.length > 1 && mariadb) {
    throw new RotationError(`DATABASE_USERS gives ${declaration.username} ${declaration.roles.length} roles, but MariaDB activates one default role at login; `
      + 'declare one role (and grant it the others)');
  }
  if (declaration.roles.length > 0) statements.push(mariadb ? `SET DEFAULT ROLE ${id(declaration.roles[0])} FOR ${userSql}` : `SET DEFAULT ROLE ALL TO ${userSql}`);
  for (const grant of declaration.grants) {
    const on = grant.database === undefined ? '*.*' : `${id(grant.database)}.${grant.table === undefined || grant.table === '*' ? '*' : id(grant.table)}`;
    statements.push(`GRANT ${grant.privileges.join(', ')} ON ${on} TO ${userSql}`);
  }
  return statements;
}

/**
 * The TCP socket mysql2 upgrades to TLS. For a host name mysql2 passes it to TLS as the name to
 * check; for an IP address it passes none, and Node then checks the certificate against the
 * socket's `_host`, which net.connect leaves unset for addresses (so 'localhost' is checked, and
 * every certificate for the real address is refused). Setting it makes Node check the address.
 */
function socketTo(host: string, port: number): Socket {
  const socket = netConnect(port, host);
  socket.setNoDelay(true);
  if (isIP(host) !== 0) (socket as Socket & { _host?: string })._host = host;
  return socket;
}

export const mysqlDriver: DatabaseDriver<Connection, Account> = {
  label: 'MySQL/MariaDB',
  engines: ['mysql', 'mariadb', 'aurora-mysql', 'aurora'],
  defaultPort: 3306,
  defaultDatabase: undefined,
  // MySQL allows 32 characters in a user name, MariaDB 80.
  maxUsernameLength: (engine) => (engine === 'mariadb' ? 80 : 32),

  async connect(target: ConnectTarget) {
    // mysql2 sends a token derived from the password in its first reply to the server, so a
    // gated login does not even connect before the gate opens.
    await target.credentialsAfter;
    try {
      return await createConnection({
        host: target.host,
        port: target.port,
        user: target.username,
        password: target.password,
        database: target.database,
        // A new options object per login: mysql2 keys its TLS session cache by it, so nothing is reused across logins.
        ssl: target.tls ? { rejectUnauthorized: true, verifyIdentity: true } : undefined,
        stream: () => socketTo(target.host, target.port),
        connectTimeout: 5000,
      });
    } catch (err) {
      const errno = (err as { errno?: number }).errno;
      if (errno !== undefined && AUTH_FAILED.has(errno)) return undefined;
      throw connectFailure(err, target.password);
    }
  },

  async close(conn) {
    await conn.end();
  },

  async check(conn) {
    await conn.query('SELECT 1');
  },

  async changeOwnPassword(conn, password) {
    await backslashEscapes(conn);
    // SET PASSWORD needs no privilege for one's own account (ALTER USER needs CREATE USER on
    // MariaDB). MariaDB wants PASSWORD(), which MySQL 8 removed.
    const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS version');
    const mariadb = /mariadb/i.test(text(rows[0].version));
    await runSecretStatement(() => conn.query(mariadb ? 'SET PASSWORD = PASSWORD(?)' : 'SET PASSWORD = ?', [password]), 'SET PASSWORD', password);
  },

  async userExists(master, username, accountHost) {
    const [rows] = await master.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM mysql.user WHERE User = ? AND Host = ?', [username, accountHost ?? '%']);
    return Number(rows[0].n) > 0;
  },

  async survey(current) {
    // The account AWSCURRENT really logged in as.
    const [who] = await current.query<RowDataPacket[]>('SELECT CURRENT_USER() AS account');
    return splitAccount(text(who[0].account));
  },

  async provisionAlternate(master, current, users, survey) {
    // The host part of the accounts: the one AWSCURRENT logged in as, or the declared one on a
    // first rotation.
    const host = (survey ?? (current ? await mysqlDriver.survey!(current, users) : undefined))?.host ?? users.declaration?.accountHost ?? '%';
    const base: Account = { user: users.base, host };
    const clone: Account = { user: users.clone, host };
    const sql = (a: Account) => `${master.escape(a.user)}@${master.escape(a.host)}`;
    const run = async (statement: string, values?: unknown[]) => { await master.query(statement, values); };
    await backslashEscapes(master);

    // One round trip: the server's version (one row even when neither account exists) and both accounts.
    const [accounts] = await master.query<RowDataPacket[]>(
      'SELECT VERSION() AS version, u.User AS user, u.ssl_type, u.ssl_cipher, u.x509_issuer, u.x509_subject '
      + 'FROM (SELECT 1 AS one) AS v LEFT JOIN mysql.user AS u ON u.Host = ? AND u.User IN (?, ?)',
      [host, users.base, users.clone]);
    const version = text(accounts[0].version);
    const mariadb = /mariadb/i.test(version);
    const baseRow = accounts.find((r) => r.user !== null && text(r.user) === users.base);
    const cloneRow = accounts.find((r) => r.user !== null && text(r.user) === users.clone);
    let created = false;

    if (!baseRow) {
      if (!users.declaration) throw new RotationError(`the account ${sql(base)} does not exist; alternating-users rotation needs the user of the secret`);
      // With AWSPENDING's password: a retry finds it logging in and knows the engine made it.
      await runSecretStatement(() => master.query(`CREATE USER ${sql(base)} IDENTIFIED BY ?`, [users.password]), 'CREATE USER', users.password);
      created = true;
    }
    if (users.declaration) {
      for (const statement of declaredGrants(users.declaration, sql(base), mariadb)) await run(statement);
    }
    if (!cloneRow) {
      // A throw-away password first: AWSPENDING's only once privileges and TLS are in place, so
      // a login with it proves the clone complete.
      const placeholder = randomBytes(24).toString('base64');
      await runSecretStatement(() => master.query(`CREATE USER ${sql(clone)} IDENTIFIED BY ?`, [placeholder]), 'CREATE USER', placeholder);
      created = true;
    }

    // The clone holds exactly what the base user holds; the base user is never changed to match
    // the clone, so a privilege revoked from it stays revoked.
    const grantsOf = async (a: Account) => {
      const [rows] = await master.query<RowDataPacket[]>('SHOW GRANTS FOR ?@?', [a.user, a.host]);
      return rows.map((row) => text(Object.values(row)[0]));
    };
    const [baseGrants, cloneGrants] = await Promise.all([grantsOf(base), cloneRow ? grantsOf(clone) : Promise.resolve([])]);
    for (const statement of planGrantSync(baseGrants, cloneGrants, base, clone, sql(clone))) await run(statement);

    // MySQL 8 keeps default roles outside SHOW GRANTS (MariaDB lists them there).
    if (!mariadb && /^[89]\./.test(version)) await syncDefaultRoles(master, base, clone, sql(clone));

    // The TLS requirement of the base user.
    const wanted = baseRow ?? { ssl_type: '', ssl_cipher: '', x509_issuer: '', x509_subject: '' };
    const columns = ['ssl_type', 'ssl_cipher', 'x509_issuer', 'x509_subject'] as const;
    if (!cloneRow || columns.some((c) => text(wanted[c]) !== text(cloneRow[c]))) {
      const { clause, values } = requireClause(wanted);
      await run(`ALTER USER ${sql(clone)} REQUIRE ${clause}`, values);
    }

    const pending = users.pending === users.base ? base : clone;
    if (!(pending === base && !baseRow)) {
      await runSecretStatement(() => master.query(`ALTER USER ${sql(pending)} IDENTIFIED BY ?`, [users.password]), 'ALTER USER', users.password);
    }
    return created ? 'created' : 'updated';
  },
};
