/**
 * The two real database servers behind one small interface, so the same rotation scenarios run
 * against PostgreSQL and MariaDB.
 */
import { createConnection, type Connection } from 'mysql2/promise';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { startMariaDb, type MariaDbServer } from '../support/databases/mariadb';
import { startPostgres, type PostgresServer } from '../support/databases/postgres';

export interface DatabaseUnderTest {
  /** The secret's `engine` value. */
  readonly engine: string;
  readonly label: string;
  readonly host: string;
  readonly port: number;
  /** dbname for user secrets (undefined: none). */
  readonly dbname?: string;
  readonly master: { username: string; password: string };
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A login user that may read the probe table. */
  createUser(name: string, password: string): Promise<void>;
  /** A login user with no grants at all. */
  createBareUser(name: string, password: string): Promise<void>;
  /**
   * An administrator that is not a superuser, like the master user of Amazon RDS (PostgreSQL:
   * CREATEROLE; MariaDB: RDS's master privileges WITH GRANT OPTION, no SUPER), and an application
   * user created by it that may read the probe table.
   */
  createRdsLikeMasterAndUser(master: string, masterPassword: string, user: string, userPassword: string): Promise<void>;
  /** As the administrator, e.g. to simulate a database restored from a backup. */
  setPassword(name: string, password: string): Promise<void>;
  /** Logs in (directly, not through any proxy); false when the password is rejected. */
  canLogin(username: string, password: string): Promise<boolean>;
  /** Logs in and reads the probe table. */
  canReadProbe(username: string, password: string): Promise<boolean>;
  userExists(name: string): Promise<boolean>;
  /** Runs SQL as the administrator. */
  admin(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Logs in as `username` and runs `sql`; false when the login or the statement fails. */
  runs(username: string, password: string, sql: string): Promise<boolean>;
  /** A statement that needs INSERT on the probe table (and inserts nothing). */
  readonly insertProbeSql: string;
  grantInsert(name: string): Promise<void>;
  revokeInsert(name: string): Promise<void>;
  /**
   * A user an administrator made by hand with power the application must never get (PostgreSQL:
   * CREATEROLE and pg_read_all_data; MariaDB: reading mysql.* and CREATE USER WITH GRANT OPTION).
   */
  createPrivilegedUser(name: string, password: string): Promise<void>;
  /** A statement only that power allows (reading the user table of the server). */
  readonly privilegedSql: string;
  /** A role that may read the probe table. */
  createReaderRole(name: string): Promise<void>;
  /** The DATABASE_USERS grant that lets a user read the probe table. */
  readonly probeGrant: Record<string, unknown>;
}

/** A session as one user, the same shape for both engines. */
interface Session {
  /** Rows of a single statement's result. */
  query(sql: string, params?: unknown[]): Promise<any[]>;
  end(): Promise<void>;
}

/** Logs in directly (through no proxy and none of the handler's code); undefined when the password is rejected. */
type Login = (user: string, password: string) => Promise<Session | undefined>;

/** Runs `work` as `user`, who must be able to log in. */
async function asUser<T>(login: Login, user: string, password: string, work: (session: Session) => Promise<T>): Promise<T> {
  const session = await login(user, password);
  if (!session) throw new Error(`${user} cannot log in`);
  try {
    return await work(session);
  } finally {
    await session.end();
  }
}

async function runs(login: Login, username: string, password: string, sql: string): Promise<boolean> {
  const session = await login(username, password);
  if (!session) return false;
  try {
    await session.query(sql);
    return true;
  } catch {
    return false;
  } finally {
    await session.end();
  }
}

/** canLogin and canReadProbe over an engine's login; `probeSql` counts the probe table's rows as `n`. */
function loginChecks(login: Login, probeSql: string): Pick<DatabaseUnderTest, 'canLogin' | 'canReadProbe'> {
  return {
    async canLogin(username, password) {
      const session = await login(username, password);
      await session?.end();
      return session !== undefined;
    },
    async canReadProbe(username, password) {
      const session = await login(username, password);
      if (!session) return false;
      try {
        return Number((await session.query(probeSql))[0].n) === 1;
      } catch {
        return false;
      } finally {
        await session.end();
      }
    },
  };
}

export function postgresUnderTest(): DatabaseUnderTest {
  let server: PostgresServer;
  const login: Login = async (user, password) => {
    const client = new Client({ host: '127.0.0.1', port: server.port, user, password, database: 'postgres' });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      if ((err as { code?: string }).code === '28P01') return undefined;
      throw err;
    }
    return { query: async (sql, params) => (await client.query(sql, params)).rows, end: () => client.end() };
  };
  return {
    engine: 'postgres',
    label: 'PostgreSQL',
    host: '127.0.0.1',
    get port() { return server.port; },
    dbname: 'postgres',
    get master() { return { username: server.superuser, password: server.superuserPassword }; },
    async start() {
      server = await startPostgres();
      // probe_private: readable by the superuser, and by pg_read_all_data members only.
      await server.query('CREATE TABLE probe (id int); INSERT INTO probe VALUES (1); CREATE TABLE probe_private (id int)');
    },
    async stop() { await server?.stop(); },
    async createUser(name, password) {
      await server.query(`CREATE ROLE ${escapeIdentifier(name)} LOGIN PASSWORD ${escapeLiteral(password)}; GRANT SELECT ON probe TO ${escapeIdentifier(name)}`);
    },
    async createBareUser(name, password) {
      await server.query(`CREATE ROLE ${escapeIdentifier(name)} LOGIN PASSWORD ${escapeLiteral(password)}`);
    },
    async setPassword(name, password) {
      await server.query(`ALTER ROLE ${escapeIdentifier(name)} PASSWORD ${escapeLiteral(password)}`);
    },
    async createRdsLikeMasterAndUser(master, masterPassword, user, userPassword) {
      await server.query(`CREATE ROLE ${escapeIdentifier(master)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(masterPassword)}; GRANT SELECT ON probe TO ${escapeIdentifier(master)} WITH GRANT OPTION`);
      await asUser(login, master, masterPassword, (session) =>
        session.query(`CREATE ROLE ${escapeIdentifier(user)} LOGIN PASSWORD ${escapeLiteral(userPassword)}; GRANT SELECT ON probe TO ${escapeIdentifier(user)}`));
    },
    ...loginChecks(login, 'SELECT count(*)::int AS n FROM probe'),
    async userExists(name) {
      return (await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length === 1;
    },
    admin: (sql, params) => server.query(sql, params),
    runs: (username, password, sql) => runs(login, username, password, sql),
    // Inserts no row (the probe table stays as it is) but needs the INSERT privilege.
    insertProbeSql: 'INSERT INTO probe SELECT 2 WHERE false',
    async grantInsert(name) { await server.query(`GRANT INSERT ON probe TO ${escapeIdentifier(name)}`); },
    async revokeInsert(name) { await server.query(`REVOKE INSERT ON probe FROM ${escapeIdentifier(name)}`); },
    async createPrivilegedUser(name, password) {
      await server.query(`CREATE ROLE ${escapeIdentifier(name)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(password)}; GRANT pg_read_all_data TO ${escapeIdentifier(name)}`);
    },
    privilegedSql: 'SELECT count(*) FROM probe_private',
    async createReaderRole(name) {
      await server.query(`CREATE ROLE ${escapeIdentifier(name)} NOLOGIN; GRANT SELECT ON probe TO ${escapeIdentifier(name)}`);
    },
    probeGrant: { privileges: ['SELECT'], table: 'probe' },
  };
}

export function mariaDbUnderTest(): DatabaseUnderTest {
  let server: MariaDbServer;
  const login: Login = async (user, password) => {
    let conn: Connection;
    try {
      conn = await createConnection({ host: '127.0.0.1', port: server.port, user, password });
    } catch (err) {
      if ((err as { errno?: number }).errno === 1045) return undefined;
      throw err;
    }
    return { query: async (sql, params) => (await conn.query<any[]>(sql, params))[0], end: () => conn.end() };
  };
  return {
    engine: 'mariadb',
    label: 'MariaDB',
    host: '127.0.0.1',
    get port() { return server.port; },
    dbname: undefined,
    get master() { return { username: server.adminUser, password: server.adminPassword }; },
    async start() {
      server = await startMariaDb();
      await server.query('CREATE DATABASE probe');
      await server.query('CREATE TABLE probe.t (id int)');
      await server.query('INSERT INTO probe.t VALUES (1)');
    },
    async stop() { await server?.stop(); },
    async createUser(name, password) {
      await server.query("CREATE USER ?@'%' IDENTIFIED BY ?", [name, password]);
      await server.query("GRANT SELECT ON probe.* TO ?@'%'", [name]);
    },
    async createBareUser(name, password) {
      await server.query("CREATE USER ?@'%' IDENTIFIED BY ?", [name, password]);
    },
    async setPassword(name, password) {
      await server.query("ALTER USER ?@'%' IDENTIFIED BY ?", [name, password]);
    },
    async createRdsLikeMasterAndUser(master, masterPassword, user, userPassword) {
      // The privileges RDS gives its MariaDB master user (no SUPER).
      await server.query("CREATE USER ?@'%' IDENTIFIED BY ?", [master, masterPassword]);
      await server.query("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, PROCESS, REFERENCES, INDEX, ALTER, SHOW DATABASES, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, REPLICATION SLAVE, BINLOG MONITOR, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER ON *.* TO ?@'%' WITH GRANT OPTION", [master]);
      await asUser(login, master, masterPassword, async (session) => {
        await session.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, userPassword]);
        await session.query("GRANT SELECT ON probe.* TO ?@'%'", [user]);
      });
    },
    ...loginChecks(login, 'SELECT COUNT(*) AS n FROM probe.t'),
    async userExists(name) {
      return (await server.query("SELECT 1 FROM mysql.user WHERE User = ? AND Host = '%'", [name])).length === 1;
    },
    admin: (sql, params) => server.query(sql, params),
    runs: (username, password, sql) => runs(login, username, password, sql),
    insertProbeSql: 'INSERT INTO probe.t SELECT 2 FROM DUAL WHERE FALSE',
    async grantInsert(name) { await server.query("GRANT INSERT ON probe.t TO ?@'%'", [name]); },
    async revokeInsert(name) { await server.query("REVOKE INSERT ON probe.t FROM ?@'%'", [name]); },
    async createPrivilegedUser(name, password) {
      await server.query("CREATE USER ?@'%' IDENTIFIED BY ?", [name, password]);
      await server.query("GRANT SELECT ON mysql.* TO ?@'%'", [name]);
      await server.query("GRANT CREATE USER ON *.* TO ?@'%' WITH GRANT OPTION", [name]);
    },
    privilegedSql: 'SELECT COUNT(*) FROM mysql.user',
    async createReaderRole(name) {
      await server.query('CREATE ROLE ?', [name]);
      await server.query('GRANT SELECT ON probe.* TO ?', [name]);
    },
    probeGrant: { privileges: ['SELECT'], database: 'probe', table: 't' },
  };
}
