// The contract between the constructs and the rotation engine (lib/secrets/private/rotation-contract.ts):
// every environment the construct builds is one the engine reads as meant, and the structured
// variables are checked so that nothing but quoted names and fixed keywords reaches SQL.
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { readConfig } from '../../handlers/rotation/engine/config';
import { declaredGrants as mysqlGrants } from '../../handlers/rotation/mysql/driver';
import { declaredGrants as postgresGrants } from '../../handlers/rotation/postgres/driver';
import { RotationStrategy } from '../../lib';
import {
  MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, ROTATION_STRATEGY_NAMES, formatAllowedEndpoints, parseAllowedEndpoints, parseDatabaseUsers,
} from '../../lib/secrets/private/rotation-contract';
import { testStack } from '../support/app';

const master = secretsmanager.Secret.fromSecretCompleteArn(testStack(), 'Master', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:master-AbCdEf');

/** Every factory of RotationStrategy that runs our engine, with default and non-default options. */
const strategies: [string, RotationStrategy][] = [
  ['postgresSingleUser()', RotationStrategy.postgresSingleUser()],
  ['postgresSingleUser(options)', RotationStrategy.postgresSingleUser({ passwordLength: MIN_PASSWORD_LENGTH, excludeCharacters: '', excludePunctuation: true, requireTls: true })],
  ['postgresAlternatingUsers()', RotationStrategy.postgresAlternatingUsers({ masterSecret: master })],
  ['postgresAlternatingUsers(options)', RotationStrategy.postgresAlternatingUsers({ masterSecret: master, passwordLength: MAX_PASSWORD_LENGTH, excludeCharacters: '"@/', requireTls: false })],
  ['mysqlSingleUser()', RotationStrategy.mysqlSingleUser()],
  ['mysqlSingleUser(options)', RotationStrategy.mysqlSingleUser({ passwordLength: 40, requireTls: true })],
  ['mysqlAlternatingUsers()', RotationStrategy.mysqlAlternatingUsers({ masterSecret: master })],
  ['mysqlAlternatingUsers(options)', RotationStrategy.mysqlAlternatingUsers({ masterSecret: master, excludePunctuation: true, requireTls: true })],
  ['randomKey()', RotationStrategy.randomKey()],
  ['randomKey(options)', RotationStrategy.randomKey({ keyLength: MIN_PASSWORD_LENGTH, excludeCharacters: 'abc', excludePunctuation: true })],
];

describe('the environment the construct builds is what the engine reads', () => {
  test.each(strategies)('%s', (_name, strategy) => {
    const env = strategy._environment();
    const config = readConfig(env);
    expect(config.strategy).toBe(strategy.name);
    expect(config.passwordLength).toBe(strategy._password.length);
    expect(config.excludeCharacters).toBe(strategy._password.excludeCharacters);
    expect(config.excludePunctuation).toBe(strategy._password.excludePunctuation);
    if (strategy._isDatabase) expect(config.requireTls).toBe(strategy._requireTls);
    // No variable the construct sets is one the engine does not know.
    expect(Object.keys(env).filter((k) => !['ROTATION_STRATEGY', 'PASSWORD_LENGTH', 'EXCLUDE_CHARACTERS', 'EXCLUDE_PUNCTUATION', 'REQUIRE_TLS', 'NODE_EXTRA_CA_CERTS'].includes(k))).toEqual([]);
  });

  test('every engine strategy has a factory, and every factory names an engine strategy', () => {
    expect(strategies.map(([, s]) => s.name).sort()).toEqual([...ROTATION_STRATEGY_NAMES, ...ROTATION_STRATEGY_NAMES].sort());
  });

  test('the shortest password the construct accepts is the shortest the engine accepts', () => {
    expect(readConfig(RotationStrategy.randomKey({ keyLength: MIN_PASSWORD_LENGTH })._environment()).passwordLength).toBe(MIN_PASSWORD_LENGTH);
    expect(() => RotationStrategy.randomKey({ keyLength: MIN_PASSWORD_LENGTH - 1 })).toThrow(/keyLength must be a whole number from 12 to 4096, got 11/);
    expect(() => readConfig({ ROTATION_STRATEGY: 'random-key', PASSWORD_LENGTH: String(MIN_PASSWORD_LENGTH - 1) })).toThrow(/PASSWORD_LENGTH must be a whole number from 12 to 4096, got '11'/);
  });

  test('the endpoint list the construct will write is the one the engine reads', () => {
    const endpoints = [{ host: 'db.cluster-abc.eu-west-1.rds.amazonaws.com', port: 5432 }, { host: 'fd00::5', port: 3306 }];
    expect(formatAllowedEndpoints(endpoints)).toBe('db.cluster-abc.eu-west-1.rds.amazonaws.com:5432,[fd00::5]:3306');
    expect(parseAllowedEndpoints(formatAllowedEndpoints(endpoints))).toEqual(endpoints);
  });
});

describe('DATABASE_USERS', () => {
  const parse = (value: unknown, family: 'postgres' | 'mysql' = 'postgres') => parseDatabaseUsers(JSON.stringify(value), family);

  test('reads users with roles and grants, privileges upper-cased', () => {
    expect(parse([{ username: 'app', roles: ['app_read'], grants: [{ privileges: ['select', 'insert'], schema: 'sales', table: 'orders' }] }])).toEqual([
      { username: 'app', roles: ['app_read'], grants: [{ privileges: ['SELECT', 'INSERT'], schema: 'sales', table: 'orders' }] },
    ]);
    expect(parse([{ username: 'app', grants: [{ privileges: ['SELECT', 'XA_RECOVER_ADMIN'] }], accountHost: '10.0.%' }], 'mysql')).toEqual([
      { username: 'app', roles: [], grants: [{ privileges: ['SELECT', 'XA_RECOVER_ADMIN'] }], accountHost: '10.0.%' },
    ]);
  });

  test.each<[string, unknown, RegExp, 'postgres' | 'mysql']>([
    ['is not JSON', undefined, /DATABASE_USERS is not valid JSON/, 'postgres'],
    ['is not an array', { username: 'app' }, /DATABASE_USERS must be a JSON array of users, got a object/, 'postgres'],
    ['has an unknown field', [{ username: 'app', superuser: true }], /DATABASE_USERS\[0\] has unknown field\(s\) superuser/, 'postgres'],
    ['names a clone', [{ username: 'app_clone' }], /DATABASE_USERS\[0\].username 'app_clone' ends with '_clone'; declare the base user/, 'postgres'],
    ['declares a user twice', [{ username: 'app' }, { username: 'app' }], /DATABASE_USERS\[1\].username 'app' is declared twice/, 'postgres'],
    ['has an empty user name', [{ username: '' }], /DATABASE_USERS\[0\].username must be a name of 1 to 64 printable characters, got ''/, 'postgres'],
    ['has a name with a control character', [{ username: 'app', roles: ['a\nb'] }], /DATABASE_USERS\[0\].roles\[0\] must be a name of 1 to 64 printable characters/, 'postgres'],
    ['has a 65-character name', [{ username: 'a'.repeat(65) }], /must be a name of 1 to 64 printable characters/, 'postgres'],
    ['smuggles SQL into a privilege', [{ username: 'app', grants: [{ privileges: ['SELECT ON probe TO PUBLIC; --'], table: 'probe' }] }], /privileges\[0\] "SELECT ON probe TO PUBLIC; --" is not a PostgreSQL table privilege; allowed: SELECT, INSERT/, 'postgres'],
    ['grants a schema privilege on a table', [{ username: 'app', grants: [{ privileges: ['USAGE'], table: 'probe' }] }], /"USAGE" is not a PostgreSQL table privilege/, 'postgres'],
    ['grants with no object on PostgreSQL', [{ username: 'app', grants: [{ privileges: ['SELECT'] }] }], /names no database, schema or table; PostgreSQL has no global privileges, use roles instead/, 'postgres'],
    ['grants no privilege', [{ username: 'app', grants: [{ privileges: [], table: 'probe' }] }], /privileges is empty/, 'postgres'],
    ['gives accountHost on PostgreSQL', [{ username: 'app', accountHost: '%' }], /accountHost applies to MySQL\/MariaDB only/, 'postgres'],
    ['gives a schema on MySQL', [{ username: 'app', grants: [{ privileges: ['SELECT'], schema: 's' }] }], /schema does not apply to MySQL\/MariaDB/, 'mysql'],
    ['gives a table without database on MySQL', [{ username: 'app', grants: [{ privileges: ['SELECT'], table: 't' }] }], /table needs database on MySQL\/MariaDB, got table 't' alone/, 'mysql'],
    ['gives a dynamic privilege on a database', [{ username: 'app', grants: [{ privileges: ['XA_RECOVER_ADMIN'], database: 'd' }] }], /is not a MySQL\/MariaDB privilege/, 'mysql'],
  ])('fails when it %s', (_name, value, message, family) => {
    expect(() => (value === undefined ? parseDatabaseUsers('[{', 'postgres') : parse(value, family))).toThrow(message);
  });

  test('PostgreSQL statements quote every name', () => {
    const [declaration] = parse([{ username: 'a"pp', roles: ['r"x'], grants: [
      { privileges: ['SELECT'], schema: 's"c', table: 't"b' },
      { privileges: ['SELECT'], table: '*' },
      { privileges: ['USAGE'], schema: 'sales' },
      { privileges: ['CONNECT'], database: 'd"b' },
    ] }]);
    expect(postgresGrants(declaration, 'appdb')).toEqual([
      'GRANT "r""x" TO "a""pp"',
      'GRANT SELECT ON TABLE "s""c"."t""b" TO "a""pp"',
      'GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "a""pp"',
      'GRANT USAGE ON SCHEMA "sales" TO "a""pp"',
      'GRANT CONNECT ON DATABASE "d""b" TO "a""pp"',
    ]);
  });

  test('fails when a PostgreSQL table grant names another database than the secret\'s', () => {
    const [declaration] = parse([{ username: 'app', grants: [{ privileges: ['SELECT'], database: 'other', table: '*' }] }]);
    expect(() => postgresGrants(declaration, 'appdb')).toThrow(/grants on tables or schemas of database 'other', but the secret's database is 'appdb'/);
  });

  test('MySQL statements quote every name, and roles become default roles', () => {
    const [declaration] = parse([{ username: 'app', roles: ['r`x'], grants: [
      { privileges: ['SELECT', 'INSERT'], database: 'd`b', table: 't`b' },
      { privileges: ['SELECT'], database: 'sales' },
      { privileges: ['PROCESS'] },
    ] }], 'mysql');
    expect(mysqlGrants(declaration, "'app'@'%'", false)).toEqual([
      "GRANT `r``x` TO 'app'@'%'",
      "SET DEFAULT ROLE ALL TO 'app'@'%'",
      "GRANT SELECT, INSERT ON `d``b`.`t``b` TO 'app'@'%'",
      "GRANT SELECT ON `sales`.* TO 'app'@'%'",
      "GRANT PROCESS ON *.* TO 'app'@'%'",
    ]);
    expect(mysqlGrants(declaration, "'app'@'%'", true)[1]).toBe("SET DEFAULT ROLE `r``x` FOR 'app'@'%'");
  });

  test('fails when a MariaDB user is declared with more than one role (MariaDB activates one default role)', () => {
    const [declaration] = parse([{ username: 'app', roles: ['a', 'b'] }], 'mysql');
    expect(() => mysqlGrants(declaration, "'app'@'%'", true)).toThrow(/gives app 2 roles, but MariaDB activates one default role at login; declare one role/);
  });
});
