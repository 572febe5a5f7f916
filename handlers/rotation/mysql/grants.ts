/**
 * Making one MySQL/MariaDB account hold exactly the privileges of another, from the rows of
 * SHOW GRANTS. MySQL lists every privilege an account holds server-wide there (global, database,
 * table, column and routine privileges, proxies, roles, MariaDB's default role and MySQL 8's
 * partial revokes), so the clone can be compared with the base user and brought to equal it.
 */

/** An account as `SHOW GRANTS` prints it, and as SQL. */
export interface Account {
  readonly user: string;
  readonly host: string;
}

/** One row of SHOW GRANTS, with the grantee taken out. */
export type GrantRow =
  | { kind: 'privileges'; object: string; atoms: string[]; grantOption: boolean; text: string }
  | { kind: 'revoke'; object: string; atoms: string[]; text: string }
  | { kind: 'roles'; roles: string[]; adminOption: boolean; text: string }
  | { kind: 'default-role'; text: string };

/** The ways SHOW GRANTS spells an account (backticks in current versions, quotes in older ones). */
function accountForms(a: Account): string[] {
  return [
    `\`${a.user.replace(/`/g, '``')}\`@\`${a.host.replace(/`/g, '``')}\``,
    `'${a.user.replace(/'/g, "\\'")}'@'${a.host.replace(/'/g, "\\'")}'`,
  ];
}

/**
 * Rewrites one SHOW GRANTS row of `from` so it applies to `toSql` (an escaped account). The part
 * after the grantee (IDENTIFIED BY PASSWORD '<hash>', REQUIRE ..., resource limits) is dropped;
 * only a WITH GRANT/ADMIN OPTION is kept. Rows not about `from` are skipped (undefined).
 */
export function rewriteGrant(row: string, from: Account, toSql: string): string | undefined {
  for (const form of accountForms(from)) {
    for (const keyword of [' TO ', ' FOR ', ' FROM ']) {
      const at = row.lastIndexOf(keyword + form);
      if (at < 0) continue;
      const rest = row.slice(at + keyword.length + form.length);
      const option = /\bWITH (GRANT|ADMIN) OPTION\b/i.exec(rest)?.[0];
      return `${row.slice(0, at)}${keyword}${toSql}${option ? ` ${option}` : ''}`;
    }
  }
  return undefined;
}

/** Splits at top-level occurrences of `separator`, outside backticks, quotes and parentheses. */
function splitTop(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) {
        if (text[i + 1] === quote) i++;
        else quote = undefined;
      } else if (c === '\\' && quote === "'") {
        i++;
      }
      continue;
    }
    if (c === '`' || c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * Privileges as atoms: one per privilege, column privileges one per column
 * (`UPDATE (`a`, `b`)` is `UPDATE (`a`)` and `UPDATE (`b`)`), so two lists compare exactly.
 */
export function privilegeAtoms(list: string): string[] {
  return splitTop(list, ',').map((p) => p.trim()).filter((p) => p !== '').flatMap((p) => {
    const columns = /^([^(]+?)\s*\((.*)\)$/.exec(p);
    if (!columns) return [p.toUpperCase()];
    return splitTop(columns[2], ',').map((c) => `${columns[1].toUpperCase()} (${c.trim()})`);
  });
}

/** Reads a SHOW GRANTS row of `account`; undefined for rows about other accounts. */
export function parseGrantRow(row: string, account: Account): GrantRow | undefined {
  const text = rewriteGrant(row, account, '?');
  if (text === undefined) return undefined;
  if (/^SET DEFAULT ROLE /i.test(text)) return { kind: 'default-role', text };
  const revoke = /^REVOKE (.*) FROM \?$/i.exec(text);
  const grant = /^GRANT (.*) TO \?( WITH (GRANT|ADMIN) OPTION)?$/i.exec(text);
  const body = revoke?.[1] ?? grant?.[1];
  if (body === undefined) return undefined;
  const on = splitTop(body, ' ON ');
  if (on.length === 1) {
    return { kind: 'roles', roles: splitTop(body, ',').map((r) => r.trim()), adminOption: /ADMIN/i.test(grant?.[3] ?? ''), text };
  }
  const atoms = privilegeAtoms(on[0]).filter((a) => a !== 'USAGE');
  const object = on.slice(1).join(' ON ').trim();
  if (revoke) return { kind: 'revoke', object, atoms, text };
  return { kind: 'privileges', object, atoms, grantOption: /GRANT/i.test(grant?.[3] ?? ''), text };
}

/**
 * The statements that make `clone` hold exactly what `base` holds, from both accounts' SHOW GRANTS
 * rows (`cloneSql` is the clone as escaped SQL). What the clone has and the base lacks is revoked
 * first, then what the base has and the clone lacks is granted, so nothing the base grants is
 * ever missing for longer than one statement. Differences in MySQL 8 partial revokes reset the
 * clone completely (REVOKE ALL) before granting the base's rows, in their order.
 */
export function planGrantSync(baseRows: readonly string[], cloneRows: readonly string[], base: Account, clone: Account, cloneSql: string): string[] {
  const want = baseRows.map((r) => parseGrantRow(r, base)).filter((r): r is GrantRow => r !== undefined);
  const have = cloneRows.map((r) => parseGrantRow(r, clone)).filter((r): r is GrantRow => r !== undefined);
  const apply = (row: GrantRow) => row.text.replace(/ (TO|FOR|FROM) \?( WITH (GRANT|ADMIN) OPTION)?$/i, (_m, kw, opt) => ` ${kw} ${cloneSql}${opt ?? ''}`);

  const revokesOf = (rows: GrantRow[]) => rows.filter((r) => r.kind === 'revoke').map((r) => r.text).sort().join('\n');
  if (revokesOf(want) !== revokesOf(have)) {
    const roles = have.flatMap((r) => (r.kind === 'roles' ? r.roles : []));
    return [
      `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${cloneSql}`,
      ...roles.map((role) => `REVOKE ${role} FROM ${cloneSql}`),
      ...want.filter((r) => r.kind !== 'default-role').map(apply),
    ];
  }

  const byObject = (rows: GrantRow[]) => {
    const map = new Map<string, { atoms: Set<string>; grantOption: boolean }>();
    for (const r of rows) {
      if (r.kind !== 'privileges') continue;
      const entry = map.get(r.object) ?? { atoms: new Set<string>(), grantOption: false };
      r.atoms.forEach((a) => entry.atoms.add(a));
      entry.grantOption ||= r.grantOption;
      map.set(r.object, entry);
    }
    return map;
  };
  const rolesOf = (rows: GrantRow[]) => {
    const map = new Map<string, boolean>();
    for (const r of rows) if (r.kind === 'roles') r.roles.forEach((role) => map.set(role, (map.get(role) ?? false) || r.adminOption));
    return map;
  };
  const wantObjects = byObject(want);
  const haveObjects = byObject(have);
  const wantRoles = rolesOf(want);
  const haveRoles = rolesOf(have);
  const statements: string[] = [];

  for (const [object, held] of haveObjects) {
    const wanted = wantObjects.get(object);
    const extra = [...held.atoms].filter((a) => !wanted?.atoms.has(a));
    if (extra.length > 0) statements.push(`REVOKE ${extra.join(', ')} ON ${object} FROM ${cloneSql}`);
    if (held.grantOption && !wanted?.grantOption) statements.push(`REVOKE GRANT OPTION ON ${object} FROM ${cloneSql}`);
  }
  for (const [role, admin] of haveRoles) {
    if (!wantRoles.has(role)) statements.push(`REVOKE ${role} FROM ${cloneSql}`);
    else if (admin && !wantRoles.get(role)) statements.push(`REVOKE ADMIN OPTION FOR ${role} FROM ${cloneSql}`);
  }
  // A revoked ALL PRIVILEGES takes everything on its object with it: grant that object's rows again.
  const cleared = new Set([...haveObjects].filter(([object, held]) => held.atoms.has('ALL PRIVILEGES') && !wantObjects.get(object)?.atoms.has('ALL PRIVILEGES')).map(([o]) => o));
  for (const row of want) {
    let missing = false;
    if (row.kind === 'privileges') {
      const held = haveObjects.get(row.object);
      missing = cleared.has(row.object) || row.atoms.some((a) => !held?.atoms.has(a)) || (row.grantOption && !held?.grantOption);
    } else if (row.kind === 'roles') {
      missing = row.roles.some((role) => !haveRoles.has(role) || (row.adminOption && !haveRoles.get(role)));
    } else if (row.kind === 'default-role') {
      missing = !have.some((r) => r.kind === 'default-role' && r.text === row.text);
    }
    if (missing) statements.push(apply(row));
  }
  // MariaDB lists the default role among the grants: one the base user lacks is cleared.
  if (have.some((r) => r.kind === 'default-role') && !want.some((r) => r.kind === 'default-role')) {
    statements.push(`SET DEFAULT ROLE NONE FOR ${cloneSql}`);
  }
  return statements;
}
