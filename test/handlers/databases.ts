/**
 * The two real database servers behind one small interface, so the same rotation scenarios run
 * against PostgreSQL and MariaDB.
 */
import { createConnection } from 'mysql2/promise';
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
  /** MySQL only: the account's ssl_type. */
  sslTypeOf?(name: string): Promise<string>;
}

export function postgresUnderTest(): DatabaseUnderTest {
  let server: PostgresServer;
  const connect = async (user: string, password: string): Promise<Client | undefined> => {
    const client = new Client({ host: '127.0.0.1', port: server.port, user, password, database: 'postgres' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      if ((err as { code?: string }).code === '28P01') return undefined;
      throw err;
    }
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
      await server.query('CREATE TABLE probe (id int); INSERT INTO probe VALUES (1)');
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
      const client = (await connect(master, masterPassword))!;
      try {
        await client.query(`CREATE ROLE ${escapeIdentifier(user)} LOGIN PASSWORD ${escapeLiteral(userPassword)}; GRANT SELECT ON probe TO ${escapeIdentifier(user)}`);
      } finally {
        await client.end();
      }
    },
    async canLogin(username, password) {
      const client = await connect(username, password);
      await client?.end();
      return client !== undefined;
    },
    async canReadProbe(username, password) {
      const client = await connect(username, password);
      if (!client) return false;
      try {
        return (await client.query('SELECT count(*)::int AS n FROM probe')).rows[0].n === 1;
      } catch {
        return false;
      } finally {
        await client.end();
      }
    },
    async userExists(name) {
      return (await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length === 1;
    },
  };
}

export function mariaDbUnderTest(): DatabaseUnderTest {
  let server: MariaDbServer;
  const connect = async (user: string, password: string) => {
    try {
      return await createConnection({ host: '127.0.0.1', port: server.port, user, password });
    } catch (err) {
      if ((err as { errno?: number }).errno === 1045) return undefined;
      throw err;
    }
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
      const conn = (await connect(master, masterPassword))!;
      try {
        await conn.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, userPassword]);
        await conn.query("GRANT SELECT ON probe.* TO ?@'%'", [user]);
      } finally {
        await conn.end();
      }
    },
    async canLogin(username, password) {
      const conn = await connect(username, password);
      await conn?.end();
      return conn !== undefined;
    },
    async canReadProbe(username, password) {
      const conn = await connect(username, password);
      if (!conn) return false;
      try {
        const [rows] = await conn.query<any[]>('SELECT COUNT(*) AS n FROM probe.t');
        return Number(rows[0].n) === 1;
      } catch {
        return false;
      } finally {
        await conn.end();
      }
    },
    async userExists(name) {
      return (await server.query("SELECT 1 FROM mysql.user WHERE User = ? AND Host = '%'", [name])).length === 1;
    },
    async sslTypeOf(name) {
      const rows = await server.query("SELECT ssl_type FROM mysql.user WHERE User = ? AND Host = '%'", [name]);
      return String(rows[0]?.ssl_type ?? '');
    },
  };
}
