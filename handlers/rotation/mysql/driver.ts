import { randomBytes } from 'node:crypto';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { connectFailure, runSecretStatement, type ConnectTarget, type DatabaseDriver } from '../database/driver';

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

/**
 * Rewrites one SHOW GRANTS row of `from` so it grants the same to `toSql` (an escaped account).
 * The part after the grantee (IDENTIFIED BY PASSWORD '<hash>', REQUIRE ...) is dropped; only a
 * WITH GRANT/ADMIN OPTION is kept. Rows not about `from` are skipped (undefined).
 */
export function rewriteGrant(row: string, from: { user: string; host: string }, toSql: string): string | undefined {
  const forms = [
    `\`${from.user.replace(/`/g, '``')}\`@\`${from.host.replace(/`/g, '``')}\``,
    `'${from.user.replace(/'/g, "\\'")}'@'${from.host.replace(/'/g, "\\'")}'`,
  ];
  for (const form of forms) {
    for (const keyword of [' TO ', ' FOR ']) {
      const at = row.lastIndexOf(keyword + form);
      if (at < 0) continue;
      const rest = row.slice(at + keyword.length + form.length);
      const option = /\bWITH (GRANT|ADMIN) OPTION\b/i.exec(rest)?.[0];
      return `${row.slice(0, at)}${keyword}${toSql}${option ? ` ${option}` : ''}`;
    }
  }
  return undefined;
}

export const mysqlDriver: DatabaseDriver<Connection> = {
  label: 'MySQL/MariaDB',
  engines: ['mysql', 'mariadb', 'aurora-mysql', 'aurora'],
  defaultPort: 3306,
  defaultDatabase: undefined,
  // MySQL allows 32 characters in a user name, MariaDB 80.
  maxUsernameLength: (engine) => (engine === 'mariadb' ? 80 : 32),

  async connect(target: ConnectTarget) {
    try {
      return await createConnection({
        host: target.host,
        port: target.port,
        user: target.username,
        password: target.password,
        database: target.database,
        ssl: target.tls ? { rejectUnauthorized: true } : undefined,
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

  async provisionAlternate(master, currentConn, _currentUsername, pendingUsername, password) {
    // The account (user@host) the AWSCURRENT user really logged in as.
    const [who] = await currentConn.query<RowDataPacket[]>('SELECT CURRENT_USER() AS account');
    const current = splitAccount(text(who[0].account));
    const host = current.host;
    const pendingSql = `${master.escape(pendingUsername)}@${master.escape(host)}`;
    await backslashEscapes(master);

    const [rows] = await master.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM mysql.user WHERE User = ? AND Host = ?', [pendingUsername, host]);
    const created = Number(rows[0].n) === 0;
    if (created) {
      // A throw-away password first: AWSPENDING's only once grants and TLS are in place, so a
      // retry that finds AWSPENDING logging in knows the user is complete.
      const placeholder = randomBytes(24).toString('base64');
      await runSecretStatement(() => master.query(`CREATE USER ${pendingSql} IDENTIFIED BY ?`, [placeholder]), 'CREATE USER', placeholder);
    }

    // Grants of the current user, added to the alternate (never revoked: it may still be in use as AWSPREVIOUS).
    const [grants] = await master.query<RowDataPacket[]>('SHOW GRANTS FOR ?@?', [current.user, host]);
    for (const row of grants) {
      const grant = rewriteGrant(text(Object.values(row)[0]), current, pendingSql);
      if (grant) await master.query(grant);
    }

    // The TLS requirement of the current user.
    const [tls] = await master.query<RowDataPacket[]>('SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject FROM mysql.user WHERE User = ? AND Host = ?', [current.user, host]);
    const sslType = text(tls[0]?.ssl_type).toUpperCase();
    let require = 'NONE';
    const values: string[] = [];
    if (sslType === 'ANY') require = 'SSL';
    else if (sslType === 'X509') require = 'X509';
    else if (sslType === 'SPECIFIED') {
      const parts: string[] = [];
      for (const [clause, column] of [['CIPHER', 'ssl_cipher'], ['ISSUER', 'x509_issuer'], ['SUBJECT', 'x509_subject']] as const) {
        const value = text(tls[0][column]);
        if (value) { parts.push(`${clause} ?`); values.push(value); }
      }
      require = parts.length > 0 ? parts.join(' AND ') : 'SSL';
    }
    await master.query(`ALTER USER ${pendingSql} REQUIRE ${require}`, values);

    await runSecretStatement(() => master.query(`ALTER USER ${pendingSql} IDENTIFIED BY ?`, [password]), 'ALTER USER', password);
    return created ? 'created' : 'updated';
  },
};
