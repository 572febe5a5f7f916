// What a user sees on a first deploy: the environment a synthesized RotatingSecret's function gets
// (from the template), the secret's first value as CloudFormation generates it (from the template's
// GenerateSecretString), the staged bundle that deploys, a fresh PostgreSQL or MariaDB with nothing
// in it but its master user, and the Secrets Manager stand-in. The first rotation must succeed with no manual
// step, and a host written by an attacker must be refused.
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../../lib/secrets';
import { LAMBDA_CA_BUNDLE } from '../../lib/secrets/private/rotation-contract';
import { testApp } from '../support/app';
import { CredentialTrap } from '../support/databases/credential-trap';
import { startMariaDb } from '../support/databases/mariadb';
import { startPostgres } from '../support/databases/postgres';
import { issueCertificate, makeTestCertificates, type TlsFiles } from '../support/databases/tls';
import { bundleRotationHandler, startBundledHandler, type BundledHandler } from './bundled-handler';
import { RotationRig, jsonRecords, linesWithSecrets, standInEnvironment, startAll, type Handler } from './harness';

const ROOT = resolve(__dirname, '..', '..');

let current: Handler = async () => { throw new Error('no function selected'); };
const rig = new RotationRig((event) => current(event), 'set-by-the-template');
let certDir: string;
let tls: TlsFiles;
let ca: string;
const traps: Partial<Record<'postgres' | 'mysql', CredentialTrap>> = {};
const freshBuilds: Partial<Record<'postgres' | 'mysql', { file: string; cleanup: () => void }>> = {};
const children: BundledHandler[] = [];

/** What synthesis gives each function: the template, and where the assembly staged the function's code. */
interface Deployed {
  /** The function's environment variables, exactly as the template sets them. */
  readonly environment: Record<string, string>;
  /** The staged bundle (index.js) the function's code asset points at. */
  readonly bundle: string;
  /** The secret's first value: GenerateSecretString's template, with a password as CloudFormation makes it. */
  readonly initialValue?: Record<string, unknown>;
}

/** A password as GenerateSecretString makes one: printable ASCII without the excluded characters. */
function generatedPassword(generate: { PasswordLength: number; ExcludeCharacters?: string; ExcludePunctuation?: boolean }): string {
  const punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
  const allowed = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i))
    .filter((c) => !(generate.ExcludeCharacters ?? '').includes(c) && !(generate.ExcludePunctuation && punctuation.includes(c)));
  return Array.from({ length: generate.PasswordLength }, () => allowed[randomInt(allowed.length)]).join('');
}

/** Synthesizes the app and reads what deploys for `secret` (its function, and its value if the construct creates it). */
function deployed(stack: Stack, secret: RotatingSecret): Deployed {
  const assembly = (stack.node.root as ReturnType<typeof testApp>).synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const resources = artifact.template.Resources as Record<string, any>;
  const fn = resources[stack.getLogicalId((secret.rotationFunction.node.defaultChild as never))];
  const environment = fn.Properties.Environment.Variables;
  for (const [name, value] of Object.entries(environment)) {
    if (typeof value !== 'string') throw new Error(`${name} is not a literal in the template: ${JSON.stringify(value)}`);
  }
  const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  const bundle = join(assembly.directory, `asset.${assetHash}`, 'index.js');
  const secretResource = secret.node.tryFindChild('Resource') ? resources[stack.getLogicalId(secret.node.findChild('Resource').node.defaultChild as never)] : undefined;
  const generate = secretResource?.Properties.GenerateSecretString;
  const initialValue = generate ? { ...JSON.parse(generate.SecretStringTemplate), [generate.GenerateStringKey]: generatedPassword(generate) } : undefined;
  return { environment, bundle, initialValue };
}

/**
 * Runs a function's bundle with its deployed environment. One variable names a file of Lambda's
 * runtime: NODE_EXTRA_CA_CERTS (the runtime's bundle with the RDS CAs); here it is the test CA,
 * which signed the database's certificate. NODE_PATH plays Lambda's, where the AWS SDK is.
 */
function run(fn: Deployed): BundledHandler {
  expect(fn.environment.NODE_EXTRA_CA_CERTS).toBe(LAMBDA_CA_BUNDLE);
  const child = startBundledHandler(fn.bundle, {
    ...standInEnvironment(rig.standIn.endpoint),
    ...fn.environment,
    NODE_EXTRA_CA_CERTS: tls.caFile,
    NODE_PATH: join(ROOT, 'node_modules'),
  });
  children.push(child);
  current = child.handler;
  return child;
}

/** A database server of one engine, fresh, with TLS, reached the way the tests check what rotation did. */
interface Server {
  readonly port: number;
  readonly master: { username: string; password: string };
  /** Logs in over verified TLS and runs `sql`; false when the login or the statement fails. */
  runs(username: string, password: string, sql: string): Promise<boolean>;
  /** Logs in over verified TLS; false when the password is rejected. */
  canLogin(username: string, password: string): Promise<boolean>;
  /** Users other than the master and the server's own. */
  otherUsers(): Promise<number>;
  stop(): Promise<void>;
}

/** Everything that differs between the engines. */
interface Engine {
  readonly name: string;
  readonly bundle: 'postgres' | 'mysql';
  start(): Promise<Server>;
  singleUser(): RotationStrategy;
  alternatingUsers(masterSecret: secretsmanager.ISecret): RotationStrategy;
  /** The declared grants, as DATABASE_USERS carries them. */
  readonly declaredGrants: Record<string, unknown>[];
  /** Statements only the declared grants allow, `<name>` a fresh name each time. */
  declaredWork(name: string): string[];
  /** A statement the declared user must not be able to run. */
  readonly notGranted: string;
}

async function runsPostgres(port: number, username: string, password: string, sql: string[]): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port, user: username, password, database: 'postgres', ssl: { ca } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    for (const statement of sql) await client.query(statement);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function runsMariaDb(port: number, username: string, password: string, sql: string[]): Promise<boolean> {
  let conn;
  try {
    conn = await createConnection({ host: '127.0.0.1', port, user: username, password, ssl: { ca } });
    for (const statement of sql) await conn.query(statement);
    return true;
  } catch {
    return false;
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

const ENGINES: Engine[] = [
  {
    name: 'PostgreSQL',
    bundle: 'postgres',
    async start() {
      const pg = await startPostgres({ tls });
      return {
        port: pg.port,
        master: { username: pg.superuser, password: pg.superuserPassword },
        runs: (u, p, sql) => runsPostgres(pg.port, u, p, [sql]),
        canLogin: (u, p) => runsPostgres(pg.port, u, p, []),
        otherUsers: async () => Number((await pg.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' AND rolname <> 'postgres'"))[0].n),
        stop: () => pg.stop(),
      };
    },
    singleUser: () => RotationStrategy.postgresSingleUser(),
    // PostgreSQL 15+ gives PUBLIC no CREATE on schema public: only the declaration can
    alternatingUsers: (masterSecret) => RotationStrategy.postgresAlternatingUsers({
      masterSecret,
      databaseUser: { grants: [{ privileges: ['CREATE', 'USAGE'], schema: 'public' }, { privileges: ['CONNECT'], database: 'postgres' }] },
    }),
    declaredGrants: [{ privileges: ['CREATE', 'USAGE'], schema: 'public' }, { privileges: ['CONNECT'], database: 'postgres' }],
    declaredWork: (name) => [`CREATE TABLE public.${name} (id int)`],
    notGranted: 'CREATE ROLE not_allowed',
  },
  {
    name: 'MariaDB',
    bundle: 'mysql',
    async start() {
      const maria = await startMariaDb({ tls });
      return {
        port: maria.port,
        master: { username: maria.adminUser, password: maria.adminPassword },
        runs: (u, p, sql) => runsMariaDb(maria.port, u, p, [sql]),
        canLogin: (u, p) => runsMariaDb(maria.port, u, p, []),
        otherUsers: async () => Number((await maria.query("SELECT COUNT(*) AS n FROM mysql.user WHERE User NOT IN ('admin', 'root', 'mysql', 'mariadb.sys', '')"))[0].n),
        stop: () => maria.stop(),
      };
    },
    singleUser: () => RotationStrategy.mysqlSingleUser(),
    // a database that does not exist yet: the grant lets the user create it and its tables
    alternatingUsers: (masterSecret) => RotationStrategy.mysqlAlternatingUsers({
      masterSecret,
      databaseUser: { grants: [{ privileges: ['CREATE', 'SELECT', 'INSERT'], database: 'app' }] },
    }),
    declaredGrants: [{ privileges: ['CREATE', 'SELECT', 'INSERT'], database: 'app' }],
    declaredWork: (name) => ['CREATE DATABASE IF NOT EXISTS app', `CREATE TABLE app.${name} (id int)`],
    notGranted: 'SELECT COUNT(*) FROM mysql.user',
  },
];

/** The app of a first deploy: the RDS-like master secret and a new application user's secret, on the fresh database. */
function firstDeploy(engine: Engine, server: Server, masterArn: string) {
  const stack = new Stack(testApp(), 'FirstDeploy', { env: { account: '111111111111', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const database = DatabaseTarget.connectable(new ec2.SecurityGroup(stack, 'DatabaseSg', { vpc }), { host: '127.0.0.1', port: server.port });
  const masterSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'MasterSecret', masterArn);
  const master = new RotatingSecret(stack, 'Master', { existingSecret: masterSecret, rotation: engine.singleUser(), database, vpc });
  const app = new RotatingSecret(stack, 'App', {
    rotation: engine.alternatingUsers(masterSecret),
    database,
    vpc,
    username: 'app_user',
    ...(engine.bundle === 'postgres' ? { databaseName: 'postgres' } : {}),
  });
  return { stack, master, app };
}

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'rotation-first-'));
  tls = makeTestCertificates(certDir);
  ca = readFileSync(tls.caFile, 'utf8');
  // the attacker's servers, each with a valid certificate for its own address from the same CA
  const attacker = issueCertificate(certDir, 'attacker', 'IP:127.0.0.2');
  await startAll([
    CredentialTrap.postgres({ tls: attacker }).then((t) => { traps.postgres = t; }),
    CredentialTrap.mysql({ tls: attacker }).then((t) => { traps.mysql = t; }),
    ...(['postgres', 'mysql'] as const).map((b) => bundleRotationHandler(b).then((built) => { freshBuilds[b] = built; })),
    rig.start(),
  ]);
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await rig.stop();
  await Promise.all(Object.values(traps).map((t) => t.stop()));
  for (const built of Object.values(freshBuilds)) built.cleanup();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe.each(ENGINES)('first deploy of RotatingSecret on a fresh $name, with what the template deploys', (engine) => {
  let server: Server;
  let masterArn: string;
  let master: Deployed;
  let app: Deployed;
  let appArn: string;
  const trap = () => traps[engine.bundle]!;

  beforeAll(async () => {
    server = await engine.start();
    // The database is empty: no application user, only the master user (as RDS creates it), whose
    // secret names its server (as CDK's RDS secrets do)
    expect(await server.otherUsers()).toBe(0);
    masterArn = await rig.createSecret(`first-deploy/${engine.bundle}/master`, {
      engine: engine.bundle, host: '127.0.0.1', port: server.port, username: server.master.username, password: server.master.password,
    });
    rig.extraSecrets.push(server.master.password);
    const { stack, master: masterSecret, app: appSecret } = firstDeploy(engine, server, masterArn);
    master = deployed(stack, masterSecret);
    app = deployed(stack, appSecret);
    appArn = await rig.createSecret(`first-deploy/${engine.bundle}/app`, app.initialValue!);
  });
  afterAll(() => server?.stop());

  test('the functions run the bundle the assembly stages, built from the current source, with TLS required and the endpoint pinned', () => {
    for (const fn of [master, app]) {
      expect(readFileSync(fn.bundle, 'utf8')).toBe(readFileSync(freshBuilds[engine.bundle]!.file, 'utf8'));
      expect(fn.environment).toMatchObject({ REQUIRE_TLS: 'true', ALLOWED_DATABASE_ENDPOINTS: `127.0.0.1:${server.port}` });
    }
    expect(master.environment.ROTATION_STRATEGY).toBe(`${engine.bundle}-single-user`);
    expect(app.environment.ROTATION_STRATEGY).toBe(`${engine.bundle}-alternating-users`);
    expect(JSON.parse(app.environment.DATABASE_USERS)).toEqual([{ username: 'app_user', roles: [], grants: engine.declaredGrants }]);
    expect(app.initialValue).toMatchObject({ engine: engine.bundle, host: '127.0.0.1', port: server.port, username: 'app_user', masterarn: masterArn });
  });

  test('alternating users: the first rotation creates the declared user with its declared privileges, and the next ones alternate', async () => {
    const child = run(app);
    expect(await server.canLogin('app_user', String(app.initialValue!.password))).toBe(false);
    await rig.rotate(appArn);
    const first = await rig.json(appArn);
    expect(first.username).toBe('app_user_clone');
    // what the declaration grants, and nothing it does not
    for (const sql of engine.declaredWork('made_by_clone')) expect([sql, await server.runs(first.username, first.password, sql)]).toEqual([sql, true]);
    expect(await server.runs(first.username, first.password, engine.notGranted)).toBe(false);
    // the generated first password never became a database password
    expect(await server.canLogin('app_user', String(app.initialValue!.password))).toBe(false);

    await rig.rotate(appArn);
    const second = await rig.json(appArn);
    expect(second.username).toBe('app_user');
    for (const sql of engine.declaredWork('made_by_base')) expect([sql, await server.runs(second.username, second.password, sql)]).toEqual([sql, true]);
    expect(await server.runs(second.username, second.password, engine.notGranted)).toBe(false);
    const previous = await rig.json(appArn, 'AWSPREVIOUS');
    expect(await server.canLogin(previous.username, previous.password)).toBe(true);
    const logins = jsonRecords(child.output).filter((r) => r.outcome === 'login');
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((r) => /over verified TLS/.test(r.message))).toBe(true);
    expect(linesWithSecrets(child.output, rig.allSecretValues())).toEqual([]);
  });

  test('single user: the first rotation of the master secret (the user RDS created) succeeds, and the old password stops working', async () => {
    run(master);
    await rig.rotate(masterArn);
    const rotated = await rig.json(masterArn);
    expect(rotated.password).not.toBe(server.master.password);
    expect(await server.canLogin(rotated.username, rotated.password)).toBe(true);
    expect(await server.canLogin(server.master.username, server.master.password)).toBe(false);
    // the application's rotation goes on with the rotated master
    run(app);
    await rig.rotate(appArn);
    const third = await rig.json(appArn);
    expect(third.username).toBe('app_user_clone');
    expect(await server.canLogin(third.username, third.password)).toBe(true);
  });

  test.each(['app', 'master'] as const)('%s: a host an attacker writes into AWSCURRENT is refused, and their server receives nothing', async (which) => {
    const arn = which === 'app' ? appArn : masterArn;
    const child = run(which === 'app' ? app : master);
    const real = await rig.json(arn);
    const { password: _unknownToThem, ...shape } = real;
    await rig.putValue(arn, { ...shape, host: trap().host, port: trap().port, password: 'Attacker-own-password-9' });
    const connections = trap().connections;
    const token = await rig.startRotation(arn);
    await rig.invoke('createSecret', arn, token);
    await expect(rig.invoke('setSecret', arn, token)).rejects.toThrow(
      new RegExp(`names 127\\.0\\.0\\.2:${trap().port}, which ALLOWED_DATABASE_ENDPOINTS does not list \\(127\\.0\\.0\\.1:${server.port}\\); refusing to send a credential there`));
    expect(trap().connections).toBe(connections);
    expect(trap().passwords).toEqual([]);
    // the credential the attacker could not read still works
    expect(await server.canLogin(real.username, real.password)).toBe(true);
    await rig.cancelRotation(arn, token);
    expect(linesWithSecrets(child.output, rig.allSecretValues())).toEqual([]);
  });
});
