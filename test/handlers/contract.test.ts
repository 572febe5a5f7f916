// The contract between the constructs and the rotation engine (lib/secrets/private/rotation-contract.ts):
// every environment the construct builds is one the engine reads as meant, and the structured
// variables are checked so that nothing but quoted names and fixed keywords reaches SQL.
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { readConfig } from '../../handlers/rotation/engine/config';
import { declaredGrants as mysqlGrants } from '../../handlers/rotation/mysql/driver';
import { declaredGrants as postgresGrants } from '../../handlers/rotation/postgres/driver';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../../lib';
import {
  MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, ROTATION_ENV, ROTATION_STRATEGY_NAMES, formatAllowedEndpoints, parseAllowedEndpoints, parseDatabaseUsers,
} from '../../lib/secrets/private/rotation-contract';
import * as rds from 'aws-cdk-lib/aws-rds';
import { testApp, testStack } from '../support/app';

const master = secretsmanager.Secret.fromSecretCompleteArn(testStack(), 'Master', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:master-AbCdEf');

/** Every factory of RotationStrategy that runs our engine, with default and non-default options. */
const strategies: [string, RotationStrategy][] = [
  ['postgresSingleUser()', RotationStrategy.postgresSingleUser()],
  ['postgresSingleUser(options)', RotationStrategy.postgresSingleUser({ passwordLength: MIN_PASSWORD_LENGTH, excludeCharacters: '', excludePunctuation: true, requireTls: true })],
  ['postgresAlternatingUsers()', RotationStrategy.postgresAlternatingUsers({ masterSecret: master })],
  ['postgresAlternatingUsers(options)', RotationStrategy.postgresAlternatingUsers({
    masterSecret: master, passwordLength: MAX_PASSWORD_LENGTH, excludeCharacters: '"@/', requireTls: false,
    databaseUser: { roles: ['app_read'], grants: [{ privileges: ['select', 'INSERT'], schema: 'sales', table: '*' }, { privileges: ['CONNECT'], database: 'appdb' }] },
  })],
  ['mysqlSingleUser()', RotationStrategy.mysqlSingleUser()],
  ['mysqlSingleUser(options)', RotationStrategy.mysqlSingleUser({ passwordLength: 40, requireTls: true })],
  ['mysqlAlternatingUsers()', RotationStrategy.mysqlAlternatingUsers({ masterSecret: master })],
  ['mysqlAlternatingUsers(options)', RotationStrategy.mysqlAlternatingUsers({
    masterSecret: master, excludePunctuation: true, requireTls: true,
    databaseUser: { grants: [{ privileges: ['SELECT', 'UPDATE'], database: 'appdb', table: 'orders' }], accountHost: '10.0.%' },
  })],
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

/** A stack with a VPC and a self-managed database at a literal endpoint, so the function's environment resolves to plain strings. */
function databaseStack(id: string) {
  const stack = new Stack(testApp(), id, { env: { account: '111111111111', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const target = (name: string, host: string, port: number) => DatabaseTarget.connectable(new ec2.SecurityGroup(stack, name, { vpc }), { host, port });
  return { stack, vpc, target };
}

/** The deployed environment of `secret`'s rotation function, as CloudFormation would set it. */
function deployedEnvironment(stack: Stack, secret: RotatingSecret): Record<string, string> {
  const fn = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId((secret.rotationFunction as any).node.defaultChild)];
  const variables = fn.Properties.Environment.Variables;
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string') throw new Error(`${name} is not a literal: ${JSON.stringify(value)}`);
  }
  return variables;
}

describe('the environment each strategy\'s function is deployed with, from the construct, is what the engine reads', () => {
  test.each(strategies)('%s', (_name, strategy) => {
    const { stack, vpc, target } = databaseStack('Contract');
    const database = strategy._isDatabase ? target('Db', 'DB-1.Example.Internal.', strategy.name.startsWith('postgres') ? 5432 : 3306) : undefined;
    const secret = new RotatingSecret(stack, 'Secret', {
      rotation: strategy,
      ...(database ? { database, vpc, username: 'app', databaseName: 'appdb' } : {}),
    });
    const env = deployedEnvironment(stack, secret);
    const config = readConfig(env);
    expect(config.strategy).toBe(strategy.name);
    expect([config.passwordLength, config.excludeCharacters, config.excludePunctuation])
      .toEqual([strategy._password.length, strategy._password.excludeCharacters, strategy._password.excludePunctuation]);
    if (!strategy._isDatabase) {
      expect([config.allowedEndpoints, config.databaseUsers]).toEqual([undefined, []]);
      return;
    }
    // TLS unless the strategy opts out explicitly
    expect(config.requireTls).toBe(strategy._requireTls);
    // the only endpoint the function may log in to is the secret's database
    expect(config.allowedEndpoints).toEqual([{ host: 'db-1.example.internal', port: database!.port }]);
    const declared = strategy._databaseUser ? [strategy._databaseUserDeclaration('app', 'test')] : [];
    expect(config.databaseUsers).toEqual(declared);
    expect(Object.keys(env).filter((k) => !Object.values(ROTATION_ENV).includes(k as never) && k !== 'NODE_OPTIONS')).toEqual([]);
  });

  test('TLS is required unless a strategy says requireTls: false', () => {
    for (const [, strategy] of strategies.filter(([, s]) => s._isDatabase)) {
      expect(strategy._environment().REQUIRE_TLS).toBe(String(strategy !== strategies[3][1]));
    }
    expect(RotationStrategy.postgresSingleUser()._environment().REQUIRE_TLS).toBe('true');
    expect(RotationStrategy.mysqlSingleUser({ requireTls: false })._environment().REQUIRE_TLS).toBe('false');
  });

  test('a function shared by secrets of two databases may log in to both and declares each user once', () => {
    const { stack, vpc, target } = databaseStack('Shared');
    const one = target('One', 'one.example.internal', 5432);
    const two = target('Two', 'fd00::5', 5433);
    const rotation = () => RotationStrategy.postgresAlternatingUsers({ masterSecret: master, databaseUser: { grants: [{ privileges: ['SELECT'], table: '*' }] } });
    const a = new RotatingSecret(stack, 'A', { rotation: rotation(), database: one, vpc, username: 'app' });
    new RotatingSecret(stack, 'B', { rotation: rotation(), database: two, vpc, username: 'reporting' });
    new RotatingSecret(stack, 'C', { rotation: rotation(), database: one, vpc, username: 'app' });
    const config = readConfig(deployedEnvironment(stack, a));
    expect(config.allowedEndpoints).toEqual([{ host: 'one.example.internal', port: 5432 }, { host: 'fd00::5', port: 5433 }]);
    expect(config.databaseUsers.map((u) => u.username)).toEqual(['app', 'reporting']);
  });

  test('an RDS instance\'s endpoint is joined from its attributes at deploy time', () => {
    const { stack, vpc } = databaseStack('Rds');
    const instance = new rds.DatabaseInstance(stack, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    new RotatingSecret(stack, 'Master', { existingSecret: instance.secret!, rotation: RotationStrategy.postgresSingleUser(), database: DatabaseTarget.instance(instance), vpc });
    const id = stack.getLogicalId(instance.node.defaultChild as never);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ALLOWED_DATABASE_ENDPOINTS: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Endpoint.Address'] }, ':', { 'Fn::GetAtt': [id, 'Endpoint.Port'] }]] }, REQUIRE_TLS: 'true' } },
    });
  });

  test('a database secret without a target leaves the function unpinned, and says so', () => {
    const { stack, vpc, target } = databaseStack('Unpinned');
    const pinned = new RotatingSecret(stack, 'Pinned', { rotation: RotationStrategy.postgresSingleUser(), database: target('Db', 'db.example.internal', 5432), vpc, username: 'app' });
    const existing = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Elsewhere', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:elsewhere-AbCdEf');
    new RotatingSecret(stack, 'Unpinned', { existingSecret: existing, rotation: RotationStrategy.postgresSingleUser(), vpc });
    // a list without the second secret's server would lock it out
    expect(deployedEnvironment(stack, pinned).ALLOWED_DATABASE_ENDPOINTS).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/Unpinned/Unpinned', Match.stringLikeRegexp('Unpinned/Unpinned names no database, so its rotation function .* cannot be limited'));
  });

  test.each<[string, () => unknown, RegExp]>([
    ['a declared privilege is no privilege', () => RotationStrategy.postgresAlternatingUsers({ masterSecret: master, databaseUser: { grants: [{ privileges: ['SELECT ON x TO PUBLIC; --'], table: 't' }] } }),
      /^RotationStrategy.postgresAlternatingUsers: databaseUser: the user.grants\[0\].privileges\[0\] "SELECT ON x TO PUBLIC; --" is not a PostgreSQL table privilege; allowed: SELECT/],
    ['a MySQL grant names a schema', () => RotationStrategy.mysqlAlternatingUsers({ masterSecret: master, databaseUser: { grants: [{ privileges: ['SELECT'], schema: 's' }] } }),
      /^RotationStrategy.mysqlAlternatingUsers: databaseUser: the user.grants\[0\].schema does not apply to MySQL\/MariaDB/],
    ['a PostgreSQL user gets an account host', () => RotationStrategy.postgresAlternatingUsers({ masterSecret: master, databaseUser: { accountHost: '%' } }),
      /^RotationStrategy.postgresAlternatingUsers: databaseUser: the user.accountHost applies to MySQL\/MariaDB only/],
    ['the declared user is a clone', () => {
      const { stack, vpc, target } = databaseStack('Clone');
      new RotatingSecret(stack, 'App', { rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: master, databaseUser: {} }), database: target('Db', 'db', 5432), vpc, username: 'app_clone' });
    }, /^RotatingSecret Clone\/App: databaseUser: the user.username 'app_clone' ends with '_clone'; declare the base user/],
    ['an existing secret declares a user', () => {
      const { stack, vpc, target } = databaseStack('Existing');
      const existing = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Existing', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:app-AbCdEf');
      new RotatingSecret(stack, 'App', { existingSecret: existing, rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: master, databaseUser: {} }), database: target('Db', 'db', 5432), vpc });
    }, /^RotatingSecret Existing\/App: databaseUser declares the user a new secret is for, got no username; pass username/],
    ['two secrets of one function declare one user differently', () => {
      const { stack, vpc, target } = databaseStack('Twice');
      const db = target('Db', 'db', 5432);
      new RotatingSecret(stack, 'A', { rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: master, databaseUser: { roles: ['reader'] } }), database: db, vpc, username: 'app' });
      new RotatingSecret(stack, 'B', { rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: master, databaseUser: { roles: ['writer'] } }), database: db, vpc, username: 'app' });
    }, /^RotatingSecret Twice\/B: databaseUser declares app differently from Twice\/A, which shares the rotation function/],
    ['a database endpoint cannot be written down for the engine', () => {
      const { stack, vpc, target } = databaseStack('BadHost');
      new RotatingSecret(stack, 'App', { rotation: RotationStrategy.postgresSingleUser(), database: target('Db', 'db host', 5432), vpc, username: 'app' });
    }, /^RotatingSecret BadHost\/App: the database endpoint db host:5432 is not one the rotation function can check/],
  ])('fails when %s', (_name, build, message) => {
    expect(build).toThrow(message);
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
