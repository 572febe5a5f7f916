// Pure pieces of the rotation engine: secret JSON checks, safe error text, SQL quoting, the
// SCRAM verifier and MySQL grant copying and syncing.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { RotationError, describeError } from '../../handlers/rotation/engine/errors';
import { parseDatabaseSecret, parseJsonObject, parseMasterSecret, sslOf } from '../../handlers/rotation/engine/secret-json';
import { parseGrantRow, planGrantSync, privilegeAtoms, rewriteGrant } from '../../handlers/rotation/mysql/grants';
import { quoteIdent, quoteLiteral, scramVerifier } from '../../handlers/rotation/postgres/driver';

const rules = { engines: ['postgres', 'aurora-postgresql'], requireMasterArn: false };
const good = { engine: 'postgres', host: 'db', username: 'app', password: 'pw-123456' };

describe('secret JSON', () => {
  test('accepts the AWS convention and keeps extra fields', () => {
    expect(parseDatabaseSecret(JSON.stringify({ ...good, port: '5432', extra: 1 }), 'x', rules)).toEqual({ ...good, port: '5432', extra: 1 });
  });

  test('fails when the text is not JSON, without quoting it', () => {
    const text = '{"password": "s3cr3t-value", oops}';
    let message = '';
    try { parseJsonObject(text, 'the AWSCURRENT value'); } catch (err) { message = (err as Error).message; }
    expect(message).toMatch(/^the AWSCURRENT value is not valid JSON/);
    expect(message).not.toContain('s3cr3t');
  });

  test.each([
    ['[1,2]', /must be a JSON object, got an array/],
    ['"text"', /must be a JSON object, got a string/],
    ['null', /must be a JSON object, got null/],
  ])('fails when the JSON is %s', (text, message) => {
    expect(() => parseJsonObject(text, 'v')).toThrow(message);
  });

  test('fails when fields are missing, naming all of them', () => {
    expect(() => parseDatabaseSecret(JSON.stringify({ engine: 'postgres' }), 'v', rules)).toThrow(/v is missing 'host', 'username', 'password'; this strategy needs engine, host, username, password/);
  });

  test('fails when masterarn is missing for alternating users', () => {
    expect(() => parseDatabaseSecret(JSON.stringify(good), 'v', { ...rules, requireMasterArn: true })).toThrow(/missing 'masterarn'/);
  });

  test('fails when a field has the wrong type, without showing its value', () => {
    expect(() => parseDatabaseSecret(JSON.stringify({ ...good, password: 12345678 }), 'v', rules)).toThrow(/field 'password' must be a string, got a number$/);
  });

  test('fails when the engine is unsupported', () => {
    expect(() => parseDatabaseSecret(JSON.stringify({ ...good, engine: 'mysql' }), 'v', rules)).toThrow(/names engine 'mysql', which this strategy does not rotate; supported engines: postgres, aurora-postgresql/);
  });

  test.each([['0'], [70000], ['54a']])('fails when the port is %j', (port) => {
    expect(() => parseDatabaseSecret(JSON.stringify({ ...good, port }), 'v', rules)).toThrow(/field 'port' must be a number from 1 to 65535/);
  });

  test('a master secret needs only username and password', () => {
    expect(parseMasterSecret(JSON.stringify({ username: 'm', password: 'p' }), 'm', rules)).toEqual({ username: 'm', password: 'p' });
    expect(() => parseMasterSecret(JSON.stringify({ username: 'm' }), 'the master secret', rules)).toThrow(/the master secret is missing 'password'/);
  });

  test.each([[true, true], ['TRUE', true], [false, false], ['false', false], [undefined, undefined], ['maybe', undefined]])('ssl %j reads as %j', (ssl, expected) => {
    expect(sslOf({ ssl })).toBe(expected);
  });
});

describe('error text', () => {
  test('drops the quoted SQL of syntax errors and masks known secrets', () => {
    const mysqlError = Object.assign(new Error("You have an error in your SQL syntax; check the manual near 'IDENTIFIED BY 'hunter2-long'' at line 1"), { code: 'ER_PARSE_ERROR' });
    expect(describeError(mysqlError)).toBe('ER_PARSE_ERROR: You have an error in your SQL syntax; check the manual');
    const pgError = Object.assign(new Error('syntax error at or near "hunter2-long"'), { code: '42601' });
    expect(describeError(pgError)).toBe('42601: syntax error');
    expect(describeError(new Error('bad hunter2-long value'), ['hunter2-long'])).toBe('Error: bad *** value');
  });

  test('passes our own messages through', () => {
    expect(describeError(new RotationError('plain words'))).toBe('plain words');
  });
});

describe('PostgreSQL quoting', () => {
  test('identifiers are always quoted with embedded quotes doubled', () => {
    expect(quoteIdent('app')).toBe('"app"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });

  test('literals double quotes and use E-strings for backslashes', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b\'c')).toBe(" E'a\\\\b''c'");
  });

  test('the SCRAM-SHA-256 verifier is the one PostgreSQL would compute', async () => {
    const verifier = (await scramVerifier('pencil'))!;
    const match = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier)!;
    expect(match).not.toBeNull();
    const salted = pbkdf2Sync('pencil', Buffer.from(match[1], 'base64'), 4096, 32, 'sha256');
    const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64');
    expect(match[2]).toBe(storedKey);
    expect(match[3]).toBe(createHmac('sha256', salted).update('Server Key').digest('base64'));
    // Two verifiers of one password differ (random salt); non-ASCII passwords go as text.
    expect(await scramVerifier('pencil')).not.toBe(verifier);
    expect(await scramVerifier('pässword')).toBeUndefined();
  });
});

describe('MySQL grant copying', () => {
  const from = { user: 'app', host: '%' };
  const to = "'app_clone'@'%'";

  test.each([
    ["GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*0123456789ABCDEF'", "GRANT USAGE ON *.* TO 'app_clone'@'%'"],
    ['GRANT SELECT, INSERT ON `probe`.* TO `app`@`%`', "GRANT SELECT, INSERT ON `probe`.* TO 'app_clone'@'%'"],
    ['GRANT ALL PRIVILEGES ON `db`.* TO `app`@`%` WITH GRANT OPTION', "GRANT ALL PRIVILEGES ON `db`.* TO 'app_clone'@'%' WITH GRANT OPTION"],
    ["GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*AB' REQUIRE SSL", "GRANT USAGE ON *.* TO 'app_clone'@'%'"],
    ['GRANT `reader` TO `app`@`%`', "GRANT `reader` TO 'app_clone'@'%'"],
    ['SET DEFAULT ROLE `reader` FOR `app`@`%`', "SET DEFAULT ROLE `reader` FOR 'app_clone'@'%'"],
    ["GRANT SELECT ON `db`.* TO 'app'@'%'", "GRANT SELECT ON `db`.* TO 'app_clone'@'%'"],
  ])('rewrites %s', (row, expected) => {
    expect(rewriteGrant(row, from, to)).toBe(expected);
  });

  test('skips rows about another account', () => {
    expect(rewriteGrant('GRANT SELECT ON *.* TO `other`@`%`', from, to)).toBeUndefined();
  });

  test('handles names with quotes and the TO keyword in object names', () => {
    expect(rewriteGrant('GRANT SELECT ON `a TO b`.* TO `o\'q`@`%`', { user: "o'q", host: '%' }, to)).toBe("GRANT SELECT ON `a TO b`.* TO 'app_clone'@'%'");
  });
});

describe('MySQL clone grant sync', () => {
  const base = { user: 'app', host: '%' };
  const clone = { user: 'app_clone', host: '%' };
  const cloneSql = "'app_clone'@'%'";
  const rowsOf = (account: { user: string }, rows: string[]) => rows.map((r) => r.replace(/`ACCOUNT`/g, `\`${account.user}\``));

  test('column privileges become one atom per column', () => {
    expect(privilegeAtoms('SELECT (`a`, `b`), INSERT, UPDATE (`c,d`)')).toEqual(['SELECT (`a`)', 'SELECT (`b`)', 'INSERT', 'UPDATE (`c,d`)']);
  });

  test('reads MySQL 8 partial revokes and role grants', () => {
    expect(parseGrantRow('REVOKE INSERT, UPDATE ON `mysql`.* FROM `app`@`%`', base)).toEqual({ kind: 'revoke', object: '`mysql`.*', atoms: ['INSERT', 'UPDATE'], text: 'REVOKE INSERT, UPDATE ON `mysql`.* FROM ?' });
    expect(parseGrantRow('GRANT `r1`@`%`,`r 2`@`%` TO `app`@`%` WITH ADMIN OPTION', base)).toMatchObject({ kind: 'roles', roles: ['`r1`@`%`', '`r 2`@`%`'], adminOption: true });
    expect(parseGrantRow('GRANT SELECT ON `a ON b`.* TO `app`@`%`', base)).toMatchObject({ kind: 'privileges', object: '`a ON b`.*', atoms: ['SELECT'] });
  });

  test('equal grants need no statement', () => {
    const rows = ["GRANT USAGE ON *.* TO `ACCOUNT`@`%` IDENTIFIED BY PASSWORD '*AB'", 'GRANT SELECT ON `probe`.* TO `ACCOUNT`@`%`', 'GRANT `reader` TO `ACCOUNT`@`%`', 'SET DEFAULT ROLE `reader` FOR `ACCOUNT`@`%`'];
    expect(planGrantSync(rowsOf(base, rows), rowsOf(clone, rows), base, clone, cloneSql)).toEqual([]);
  });

  test('what only the clone holds is revoked first, then what it lacks is granted', () => {
    const plan = planGrantSync(
      rowsOf(base, ['GRANT USAGE ON *.* TO `ACCOUNT`@`%`', 'GRANT SELECT, UPDATE (`a`) ON `db`.`t` TO `ACCOUNT`@`%`', 'GRANT `reader` TO `ACCOUNT`@`%`']),
      rowsOf(clone, ['GRANT CREATE USER ON *.* TO `ACCOUNT`@`%` WITH GRANT OPTION', 'GRANT SELECT, UPDATE (`a`, `b`) ON `db`.`t` TO `ACCOUNT`@`%`', 'GRANT SELECT ON `mysql`.* TO `ACCOUNT`@`%`',
        'GRANT `reader` TO `ACCOUNT`@`%` WITH ADMIN OPTION', 'GRANT `admin` TO `ACCOUNT`@`%`', 'SET DEFAULT ROLE `admin` FOR `ACCOUNT`@`%`']),
      base, clone, cloneSql);
    expect(plan).toEqual([
      `REVOKE CREATE USER ON *.* FROM ${cloneSql}`,
      `REVOKE GRANT OPTION ON *.* FROM ${cloneSql}`,
      `REVOKE UPDATE (\`b\`) ON \`db\`.\`t\` FROM ${cloneSql}`,
      `REVOKE SELECT ON \`mysql\`.* FROM ${cloneSql}`,
      `REVOKE ADMIN OPTION FOR \`reader\` FROM ${cloneSql}`,
      `REVOKE \`admin\` FROM ${cloneSql}`,
      `SET DEFAULT ROLE NONE FOR ${cloneSql}`,
    ]);
  });

  test('a privilege revoked from the base user is revoked from the clone, and a new one is granted', () => {
    expect(planGrantSync(rowsOf(base, ['GRANT SELECT, DELETE ON `db`.* TO `ACCOUNT`@`%`']), rowsOf(clone, ['GRANT SELECT, INSERT ON `db`.* TO `ACCOUNT`@`%`']), base, clone, cloneSql))
      .toEqual([`REVOKE INSERT ON \`db\`.* FROM ${cloneSql}`, `GRANT SELECT, DELETE ON \`db\`.* TO ${cloneSql}`]);
  });

  test('an ALL PRIVILEGES the base user lacks is revoked, and the base user\'s privileges on that object granted again', () => {
    expect(planGrantSync(rowsOf(base, ['GRANT SELECT ON `db`.* TO `ACCOUNT`@`%`']), rowsOf(clone, ['GRANT ALL PRIVILEGES ON `db`.* TO `ACCOUNT`@`%`']), base, clone, cloneSql))
      .toEqual([`REVOKE ALL PRIVILEGES ON \`db\`.* FROM ${cloneSql}`, `GRANT SELECT ON \`db\`.* TO ${cloneSql}`]);
  });

  test('MySQL 8 partial revokes that differ reset the clone and apply the base user\'s rows in order, REVOKE rows included', () => {
    const baseRows = rowsOf(base, ['GRANT SELECT, INSERT ON *.* TO `ACCOUNT`@`%`', 'REVOKE INSERT ON `mysql`.* FROM `ACCOUNT`@`%`', 'GRANT `r`@`%` TO `ACCOUNT`@`%`']);
    const cloneRows = rowsOf(clone, ['GRANT SELECT, INSERT ON *.* TO `ACCOUNT`@`%`', 'GRANT `old`@`%` TO `ACCOUNT`@`%`']);
    expect(planGrantSync(baseRows, cloneRows, base, clone, cloneSql)).toEqual([
      `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${cloneSql}`,
      `REVOKE \`old\`@\`%\` FROM ${cloneSql}`,
      `GRANT SELECT, INSERT ON *.* TO ${cloneSql}`,
      `REVOKE INSERT ON \`mysql\`.* FROM ${cloneSql}`,
      `GRANT \`r\`@\`%\` TO ${cloneSql}`,
    ]);
    // Once equal, nothing more.
    expect(planGrantSync(baseRows, rowsOf(clone, ['GRANT SELECT, INSERT ON *.* TO `ACCOUNT`@`%`', 'REVOKE INSERT ON `mysql`.* FROM `ACCOUNT`@`%`', 'GRANT `r`@`%` TO `ACCOUNT`@`%`']), base, clone, cloneSql)).toEqual([]);
  });
});
