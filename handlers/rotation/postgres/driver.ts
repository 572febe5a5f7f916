import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { Client, type QueryResult } from 'pg';
import type { DatabaseUserDeclaration } from '../../../lib/secrets/private/rotation-contract';
import { connectFailure, runSecretStatement, type ConnectTarget, type DatabaseDriver } from '../database/driver';
import { RotationError } from '../engine/errors';

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

/** The comment that marks a clone as made by this engine for `base`; a role without it is never handed out. */
export function cloneMarker(base: string): string {
  return `alternate of ${JSON.stringify(base)}, managed by the cdk-security-patterns rotation engine`;
}

/** What pg_roles says about a role, with its memberships (from pg_auth_members) and its comment. */
interface RoleRow {
  rolname: string;
  rolsuper: boolean;
  rolinherit: boolean;
  rolcreaterole: boolean;
  rolcreatedb: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolconnlimit: number;
  validuntil: string | null;
  comment: string | null;
  memberof: { role: string; grantor: string | null; admin: boolean }[] | null;
}

type Attributes = Omit<RoleRow, 'rolname' | 'comment' | 'memberof'>;

/** A role made by CREATE ROLE with no options. */
const DEFAULT_ATTRIBUTES: Attributes = {
  rolsuper: false, rolinherit: true, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false, rolconnlimit: -1, validuntil: null,
};

/**
 * Reads both roles. It may run on the application user's session, whose role settings that user
 * controls: search_path is pinned to pg_catalog first, so no object of theirs can stand in for a
 * catalog, function or operator. Names go in as literals (a multi-statement query takes no parameters).
 */
async function readRoles(conn: Client, names: string[]): Promise<RoleRow[]> {
  const sql = `SET search_path TO pg_catalog; SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
  r.rolconnlimit, r.rolvaliduntil::text AS validuntil, pg_catalog.shobj_description(r.oid, 'pg_authid') AS comment,
  (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('role', g.rolname, 'grantor', gr.rolname, 'admin', m.admin_option))
     FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid LEFT JOIN pg_catalog.pg_roles gr ON gr.oid = m.grantor
     WHERE m.member = r.oid) AS memberof
  FROM pg_catalog.pg_roles r WHERE r.rolname IN (${names.map(quoteLiteral).join(', ')})`;
  const results = (await conn.query(sql)) as unknown as QueryResult<RoleRow>[];
  return results[1].rows;
}

const FLAGS: [keyof Attributes, string][] = [
  ['rolsuper', 'SUPERUSER'], ['rolinherit', 'INHERIT'], ['rolcreaterole', 'CREATEROLE'], ['rolcreatedb', 'CREATEDB'],
  ['rolreplication', 'REPLICATION'], ['rolbypassrls', 'BYPASSRLS'],
];

/** The options that give a role (`have`, or a new role when undefined) the attributes `want` has; '' when nothing differs. */
function attributeClause(want: Attributes, have: Attributes | undefined): string {
  const from = have ?? DEFAULT_ATTRIBUTES;
  let clause = '';
  for (const [key, word] of FLAGS) if (want[key] !== from[key]) clause += ` ${want[key] ? '' : 'NO'}${word}`;
  if (want.rolconnlimit !== from.rolconnlimit) clause += ` CONNECTION LIMIT ${Number(want.rolconnlimit)}`;
  if (want.validuntil !== from.validuntil) clause += ` VALID UNTIL ${quoteLiteral(want.validuntil ?? 'infinity')}`;
  return clause;
}

/** Revokes the grant that exists, whoever made it (PostgreSQL 16+ revokes only the caller's own grants otherwise). */
function grantedBy(m: { grantor: string | null }): string {
  return m.grantor ? ` GRANTED BY ${quoteIdent(m.grantor)}` : '';
}

/** GRANT statements for a declared user; names are quoted, privileges come from the contract's fixed lists. */
export function declaredGrants(declaration: DatabaseUserDeclaration, database: string | undefined): string[] {
  const user = quoteIdent(declaration.username);
  const statements = declaration.roles.map((role) => `GRANT ${quoteIdent(role)} TO ${user}`);
  for (const grant of declaration.grants) {
    const privileges = grant.privileges.join(', ');
    if (grant.table !== undefined || grant.schema !== undefined) {
      if (grant.database !== undefined && grant.database !== database) {
        throw new RotationError(`DATABASE_USERS grants on tables or schemas of database '${grant.database}', but the secret's database is '${database}' `
          + '(a PostgreSQL session reaches one database); use a secret for that database');
      }
    }
    const schema = quoteIdent(grant.schema ?? 'public');
    let on: string;
    if (grant.table === '*') on = `ALL TABLES IN SCHEMA ${schema}`;
    else if (grant.table !== undefined) on = `TABLE ${schema}.${quoteIdent(grant.table)}`;
    else if (grant.schema !== undefined) on = `SCHEMA ${schema}`;
    else on = `DATABASE ${quoteIdent(grant.database!)}`;
    statements.push(`GRANT ${privileges} ON ${on} TO ${user}`);
  }
  return statements;
}

export const postgresDriver: DatabaseDriver<Client, RoleRow[]> = {
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
      // pg asks for the password only when the server does, after the connection and the
      // server's backend exist: a gate here overlaps those with other work and holds the secret.
      password: target.credentialsAfter ? () => target.credentialsAfter!.then(() => target.password) : target.password,
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

  async userExists(master, username) {
    return (await master.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).rowCount === 1;
  },

  async survey(current, users) {
    // pg_roles, pg_auth_members and role comments are readable by every role.
    return readRoles(current, [users.base, users.clone]);
  },

  async provisionAlternate(master, _current, users, survey) {
    const [roles, clause] = await Promise.all([
      survey ?? readRoles(master, [users.base, users.clone]),
      passwordClause(users.password),
    ]);
    const base = roles.find((r) => r.rolname === users.base);
    const clone = roles.find((r) => r.rolname === users.clone);
    const statements: string[] = [];
    const q = quoteIdent;

    if (!base) {
      if (!users.declaration) throw new RotationError(`the role ${q(users.base)} does not exist; alternating-users rotation needs the user of the secret`);
      statements.push(`CREATE ROLE ${q(users.base)} WITH LOGIN ${clause}`);
    }
    if (users.declaration) statements.push(...declaredGrants(users.declaration, users.database));

    const baseAttributes = base ?? DEFAULT_ATTRIBUTES;
    let created = !base;
    if (!clone) {
      if (users.pending === users.clone) {
        // One transaction: a clone without its marker or membership never exists.
        statements.push(`CREATE ROLE ${q(users.clone)} WITH LOGIN${attributeClause(baseAttributes, undefined)} ${clause}`,
          `COMMENT ON ROLE ${q(users.clone)} IS ${quoteLiteral(cloneMarker(users.base))}`,
          `GRANT ${q(users.base)} TO ${q(users.clone)}`);
        created = true;
      }
    } else {
      if (clone.comment !== cloneMarker(users.base)) {
        throw new RotationError(`the role ${q(users.clone)} exists but was not created by this rotation engine (it lacks the engine's marker comment), `
          + 'so it may hold attributes, memberships or object privileges of its own that the application would inherit; refusing to hand it out. '
          + `Drop it (the next rotation creates a clean one), or, if you made it for this purpose and it holds nothing of its own, `
          + `mark it: COMMENT ON ROLE ${q(users.clone)} IS ${quoteLiteral(cloneMarker(users.base))}`);
      }
      // The clone holds exactly the base role's attributes and is a member of the base role only.
      const attributes = attributeClause(baseAttributes, clone);
      if (attributes) statements.push(`ALTER ROLE ${q(users.clone)} WITH${attributes}`);
      const memberships = clone.memberof ?? [];
      for (const m of memberships) {
        if (m.role !== users.base) statements.push(`REVOKE ${q(m.role)} FROM ${q(users.clone)}${grantedBy(m)}`);
        else if (m.admin) statements.push(`REVOKE ADMIN OPTION FOR ${q(m.role)} FROM ${q(users.clone)}${grantedBy(m)}`);
      }
      if (!memberships.some((m) => m.role === users.base)) statements.push(`GRANT ${q(users.base)} TO ${q(users.clone)}`);
    }
    if (!(users.pending === users.base && !base) && !(users.pending === users.clone && !clone)) {
      statements.push(`ALTER ROLE ${q(users.pending)} WITH LOGIN ${clause}`);
    }
    // One simple query with several statements runs as one transaction: a crash leaves the
    // roles as they were or complete.
    await runSecretStatement(() => master.query(statements.join('; ')), created ? 'CREATE ROLE' : 'ALTER ROLE', users.password);
    return created ? 'created' : 'updated';
  },
};
