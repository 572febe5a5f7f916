/**
 * The contract between the rotation constructs (lib/secrets) and the rotation engine
 * (handlers/rotation): the environment variables the construct sets and the engine reads, their
 * formats, the strategy names and the password limits. Both sides import this one file (esbuild
 * bundles it into the engine), so it must not import aws-cdk-lib, constructs or Node modules.
 * handlers/rotation/README.md documents every variable for people.
 */

/** Names of the rotation function's environment variables. */
export const ROTATION_ENV = {
  /** Which strategy the function runs: one of ROTATION_STRATEGY_NAMES. */
  STRATEGY: 'ROTATION_STRATEGY',
  /** Length of generated passwords and keys, MIN_PASSWORD_LENGTH to MAX_PASSWORD_LENGTH. */
  PASSWORD_LENGTH: 'PASSWORD_LENGTH',
  /** Characters never used in generated passwords. */
  EXCLUDE_CHARACTERS: 'EXCLUDE_CHARACTERS',
  /** `true`: letters and digits only. */
  EXCLUDE_PUNCTUATION: 'EXCLUDE_PUNCTUATION',
  /**
   * `true` (the default when unset): verified TLS (CA and host name) for every database login, and
   * a secret that says `"ssl": false` is refused. `false`: a secret may opt out with `"ssl": false`.
   */
  REQUIRE_TLS: 'REQUIRE_TLS',
  /** The only database endpoints the function may log in to: see formatAllowedEndpoints. */
  ALLOWED_DATABASE_ENDPOINTS: 'ALLOWED_DATABASE_ENDPOINTS',
  /** Users the alternating-users strategies create on a first rotation: JSON, see DatabaseUserDeclaration. */
  DATABASE_USERS: 'DATABASE_USERS',
  /** Node.js's own variable: extra CA certificates (on Lambda, the runtime's bundle with the RDS CAs). */
  NODE_EXTRA_CA_CERTS: 'NODE_EXTRA_CA_CERTS',
} as const;

/** The strategies, as the engine reads them from ROTATION_STRATEGY. */
export const ROTATION_STRATEGY_NAMES = [
  'postgres-single-user',
  'postgres-alternating-users',
  'mysql-single-user',
  'mysql-alternating-users',
  'random-key',
] as const;

/** Default length of generated passwords and keys. */
export const DEFAULT_PASSWORD_LENGTH = 32;
/** Shortest generated password or key either side accepts: shorter ones are too easy to guess. */
export const MIN_PASSWORD_LENGTH = 12;
/** GetRandomPassword's ceiling. */
export const MAX_PASSWORD_LENGTH = 4096;

/**
 * Characters left out of generated passwords by default: those that break URLs and connection
 * strings (`:/@?#[]%&;=`), quoting in SQL, shells, JSON and key=value strings (`"'\` and backtick),
 * and template or shell syntax (`{}<>|^`). What remains (letters, digits and `!$()*+,-._~`) gives
 * about 198 bits in 32 characters.
 */
export const DEFAULT_EXCLUDE_CHARACTERS = '"\'\\`/@:?#[]%&;={}<>|^';

/** The CA bundle of Lambda's Node.js runtimes, which holds the Amazon RDS certificate authorities. */
export const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/** Suffix of the second user of the alternating-users strategies. */
export const CLONE_SUFFIX = '_clone';

/** A database endpoint the rotation function may log in to. */
export interface DatabaseEndpoint {
  /** Host name or IP address, as the secrets name it. */
  readonly host: string;
  readonly port: number;
}

/**
 * The ALLOWED_DATABASE_ENDPOINTS value for these endpoints: `host:port` entries separated by
 * commas, an IPv6 address in brackets (`[fd00::1]:5432`). The construct builds the same string
 * with Fn::Join when host or port are tokens.
 */
export function formatAllowedEndpoints(endpoints: readonly DatabaseEndpoint[]): string {
  return endpoints.map((e) => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`).join(',');
}

/** The same host whatever its spelling: host names are case-insensitive, and a trailing dot changes nothing. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/** Reads ALLOWED_DATABASE_ENDPOINTS; throws an Error naming the entry and the expected form. */
export function parseAllowedEndpoints(value: string): DatabaseEndpoint[] {
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) {
    throw new Error(`${ROTATION_ENV.ALLOWED_DATABASE_ENDPOINTS} names no endpoint; set it to host:port entries separated by commas, or unset it`);
  }
  return entries.map((entry) => {
    const match = /^(\[[^\]]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new Error(`${ROTATION_ENV.ALLOWED_DATABASE_ENDPOINTS} entry '${entry}' is not host:port (an IPv6 address in brackets, port 1 to 65535)`);
    }
    return { host: normalizeHost(match[1]), port };
  });
}

/** The database engine family whose rules a declaration follows. */
export type DatabaseFamily = 'postgres' | 'mysql';

/**
 * One privilege grant of a declared user. Which fields apply depends on the engine:
 * - PostgreSQL: `table` (a name, or `*` for every table in the schema) with `schema` (default
 *   `public`) grants on tables of the database the secret names (`database` may repeat it);
 *   `schema` alone grants on the schema; `database` alone on the database.
 * - MySQL/MariaDB: `database` and `table` (`*` or absent for every table) grant on
 *   `database`.`table`; neither grants globally (`*.*`); `schema` does not apply.
 */
export interface DatabaseGrantDeclaration {
  /** Privilege keywords, e.g. `["SELECT", "INSERT"]`; checked against each engine's list. */
  readonly privileges: string[];
  readonly database?: string;
  readonly schema?: string;
  readonly table?: string;
}

/**
 * A user the alternating-users strategies create, with the master credentials, when the secret's
 * first rotation finds no such user. One entry of the JSON array in DATABASE_USERS.
 */
export interface DatabaseUserDeclaration {
  /** The base user's name (the secret's `username`), not its `_clone`. */
  readonly username: string;
  /** Roles the user becomes a member of (PostgreSQL roles, MySQL 8 / MariaDB roles). */
  readonly roles: string[];
  readonly grants: DatabaseGrantDeclaration[];
  /** MySQL/MariaDB only: the host part of the account (`'user'@'host'`). Default `%`. */
  readonly accountHost?: string;
}

const POSTGRES_PRIVILEGES: Record<'database' | 'schema' | 'table', readonly string[]> = {
  database: ['CONNECT', 'CREATE', 'TEMPORARY', 'TEMP', 'ALL', 'ALL PRIVILEGES'],
  schema: ['USAGE', 'CREATE', 'ALL', 'ALL PRIVILEGES'],
  table: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN', 'ALL', 'ALL PRIVILEGES'],
};

/** MySQL's and MariaDB's static privileges; MySQL 8's dynamic ones (`XA_RECOVER_ADMIN`, ...) match DYNAMIC_PRIVILEGE. */
const MYSQL_PRIVILEGES: readonly string[] = [
  'ALL', 'ALL PRIVILEGES', 'ALTER', 'ALTER ROUTINE', 'CREATE', 'CREATE ROLE', 'CREATE ROUTINE', 'CREATE TABLESPACE',
  'CREATE TEMPORARY TABLES', 'CREATE USER', 'CREATE VIEW', 'DELETE', 'DELETE HISTORY', 'DROP', 'DROP ROLE', 'EVENT', 'EXECUTE',
  'FILE', 'INDEX', 'INSERT', 'LOCK TABLES', 'PROCESS', 'REFERENCES', 'RELOAD', 'REPLICATION CLIENT', 'REPLICATION SLAVE',
  'SELECT', 'SHOW DATABASES', 'SHOW VIEW', 'SHUTDOWN', 'SUPER', 'TRIGGER', 'UPDATE', 'BINLOG MONITOR', 'SLAVE MONITOR',
];
const DYNAMIC_PRIVILEGE = /^[A-Z]+(_[A-Z]+)+$/;

/** Longest identifier either engine allows (PostgreSQL 63 bytes, MySQL 64 characters). */
const MAX_IDENTIFIER = 64;

/**
 * Reads DATABASE_USERS for an engine family. Everything is checked here, so the engine only ever
 * puts quoted identifiers and privilege keywords from fixed lists into SQL. Throws an Error naming
 * the entry, the field, what it got and what is allowed (no secret can be in this variable).
 */
export function parseDatabaseUsers(value: string, family: DatabaseFamily): DatabaseUserDeclaration[] {
  const name = ROTATION_ENV.DATABASE_USERS;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error(`${name} is not valid JSON; set it to an array such as [{"username":"app","roles":["app_read"],"grants":[]}]`);
  }
  if (!Array.isArray(json)) throw new Error(`${name} must be a JSON array of users, got ${describe(json)}`);
  const seen = new Set<string>();
  return json.map((entry, i) => {
    const where = `${name}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where} must be an object, got ${describe(entry)}`);
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !['username', 'roles', 'grants', 'accountHost'].includes(k));
    if (unknown.length > 0) throw new Error(`${where} has unknown field(s) ${unknown.join(', ')}; allowed: username, roles, grants, accountHost`);
    const username = identifier(e.username, `${where}.username`);
    if (username.endsWith(CLONE_SUFFIX)) {
      throw new Error(`${where}.username '${username}' ends with '${CLONE_SUFFIX}'; declare the base user, the engine makes its clone`);
    }
    if (seen.has(username)) throw new Error(`${where}.username '${username}' is declared twice; declare each user once`);
    seen.add(username);
    const roles = list(e.roles, `${where}.roles`).map((r, j) => identifier(r, `${where}.roles[${j}]`));
    const grants = list(e.grants, `${where}.grants`).map((g, j) => grant(g, `${where}.grants[${j}]`, family));
    let accountHost: string | undefined;
    if (e.accountHost !== undefined) {
      if (family !== 'mysql') throw new Error(`${where}.accountHost applies to MySQL/MariaDB only; remove it`);
      accountHost = identifier(e.accountHost, `${where}.accountHost`);
    }
    return { username, roles, grants, ...(accountHost !== undefined ? { accountHost } : {}) };
  });
}

function grant(value: unknown, where: string, family: DatabaseFamily): DatabaseGrantDeclaration {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} must be an object, got ${describe(value)}`);
  const g = value as Record<string, unknown>;
  const unknown = Object.keys(g).filter((k) => !['privileges', 'database', 'schema', 'table'].includes(k));
  if (unknown.length > 0) throw new Error(`${where} has unknown field(s) ${unknown.join(', ')}; allowed: privileges, database, schema, table`);
  const database = g.database === undefined ? undefined : identifier(g.database, `${where}.database`);
  const schema = g.schema === undefined ? undefined : identifier(g.schema, `${where}.schema`);
  const table = g.table === undefined ? undefined : identifier(g.table, `${where}.table`, true);
  if (family === 'mysql' && schema !== undefined) {
    throw new Error(`${where}.schema does not apply to MySQL/MariaDB (a MySQL schema is a database); use database`);
  }
  if (family === 'mysql' && table !== undefined && database === undefined) {
    throw new Error(`${where}.table needs database on MySQL/MariaDB, got table '${table}' alone`);
  }
  if (family === 'postgres' && database === undefined && schema === undefined && table === undefined) {
    throw new Error(`${where} names no database, schema or table; PostgreSQL has no global privileges, use roles instead`);
  }
  const level = family === 'postgres' ? (table !== undefined ? 'table' : schema !== undefined ? 'schema' : 'database') : undefined;
  const allowed = level ? POSTGRES_PRIVILEGES[level] : MYSQL_PRIVILEGES;
  const privileges = list(g.privileges, `${where}.privileges`).map((p, j) => {
    const keyword = typeof p === 'string' ? p.trim().toUpperCase().replace(/\s+/g, ' ') : '';
    const dynamic = family === 'mysql' && database === undefined && DYNAMIC_PRIVILEGE.test(keyword);
    if (!allowed.includes(keyword) && !dynamic) {
      throw new Error(`${where}.privileges[${j}] ${JSON.stringify(p)} is not a ${family === 'postgres' ? `PostgreSQL ${level}` : 'MySQL/MariaDB'} privilege; allowed: ${allowed.join(', ')}`
        + (family === 'mysql' ? ' (and MySQL 8 dynamic privileges such as XA_RECOVER_ADMIN on *.*)' : ''));
    }
    return keyword;
  });
  if (privileges.length === 0) throw new Error(`${where}.privileges is empty; name at least one privilege`);
  return { privileges, ...(database !== undefined ? { database } : {}), ...(schema !== undefined ? { schema } : {}), ...(table !== undefined ? { table } : {}) };
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${where} must be an array, got ${describe(value)}`);
  return value;
}

function identifier(value: unknown, where: string, star = false): string {
  // Control characters have no place in a name and would make log lines misleading.
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value === '' || value.length > MAX_IDENTIFIER || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new Error(`${where} must be a name of 1 to ${MAX_IDENTIFIER} printable characters, got ${describe(value)}`);
  }
  if (value === '*' && !star) throw new Error(`${where} must be a name, got '*'`);
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `a ${typeof value}`;
}
