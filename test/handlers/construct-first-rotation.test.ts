// What a user sees on a first deploy: the environment a synthesized RotatingSecret's function gets
// (from the template), the secret's first value as CloudFormation generates it (from the template's
// GenerateSecretString), the staged bundle that deploys, a fresh PostgreSQL with nothing in it but
// its master user, and the Secrets Manager stand-in. The first rotation must succeed with no manual
// step, and a host written by an attacker must be refused.
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Client } from 'pg';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../../lib/secrets';
import { LAMBDA_CA_BUNDLE } from '../../lib/secrets/private/rotation-contract';
import { testApp } from '../support/app';
import { CredentialTrap } from '../support/databases/credential-trap';
import { startPostgres, type PostgresServer } from '../support/databases/postgres';
import { issueCertificate, makeTestCertificates, type TlsFiles } from '../support/databases/tls';
import { bundleRotationHandler, startBundledHandler, type BundledHandler } from './bundled-handler';
import { RotationRig, jsonRecords, linesWithSecrets, standInEnvironment, startAll, type Handler } from './harness';

const ROOT = resolve(__dirname, '..', '..');

let current: Handler = async () => { throw new Error('no function selected'); };
const rig = new RotationRig((event) => current(event), 'set-by-the-template');
let certDir: string;
let tls: TlsFiles;
let ca: string;
let pg: PostgresServer;
let trap: CredentialTrap;
let freshBuild: { file: string; cleanup: () => void };
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

async function login(username: string, password: string): Promise<Client | undefined> {
  const client = new Client({ host: '127.0.0.1', port: pg.port, user: username, password, database: 'postgres', ssl: { ca } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => undefined);
    return undefined;
  }
}

async function runs(username: string, password: string, sql: string): Promise<boolean> {
  const client = await login(username, password);
  if (!client) return false;
  try {
    await client.query(sql);
    return true;
  } catch {
    return false;
  } finally {
    await client.end();
  }
}

/** The app of a first deploy: the RDS-like master secret and a new application user's secret, on the fresh database. */
function firstDeploy(masterArn: string) {
  const stack = new Stack(testApp(), 'FirstDeploy', { env: { account: '111111111111', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const database = DatabaseTarget.connectable(new ec2.SecurityGroup(stack, 'DatabaseSg', { vpc }), { host: '127.0.0.1', port: pg.port });
  const masterSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'MasterSecret', masterArn);
  const master = new RotatingSecret(stack, 'Master', { existingSecret: masterSecret, rotation: RotationStrategy.postgresSingleUser(), database, vpc });
  const app = new RotatingSecret(stack, 'App', {
    rotation: RotationStrategy.postgresAlternatingUsers({
      masterSecret,
      // PostgreSQL 15+ gives PUBLIC no CREATE on schema public: only this declaration can
      databaseUser: { grants: [{ privileges: ['CREATE', 'USAGE'], schema: 'public' }, { privileges: ['CONNECT'], database: 'postgres' }] },
    }),
    database,
    vpc,
    username: 'app_user',
    databaseName: 'postgres',
  });
  return { stack, master, app };
}

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'rotation-first-'));
  tls = makeTestCertificates(certDir);
  ca = readFileSync(tls.caFile, 'utf8');
  await startAll([
    startPostgres({ tls }).then((s) => { pg = s; }),
    // the attacker's server, with a valid certificate for its own address from the same CA
    CredentialTrap.postgres({ tls: issueCertificate(certDir, 'attacker', 'IP:127.0.0.2') }).then((t) => { trap = t; }),
    bundleRotationHandler('postgres').then((b) => { freshBuild = b; }),
    rig.start(),
  ]);
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await rig.stop();
  await Promise.all([pg?.stop(), trap?.stop()]);
  freshBuild?.cleanup();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe('first deploy of RotatingSecret on a fresh PostgreSQL, with what the template deploys', () => {
  let masterArn: string;
  let master: Deployed;
  let app: Deployed;
  let appArn: string;

  beforeAll(async () => {
    // The database is empty: no application user, no table, only the master user (as RDS creates it),
    // whose secret names its server (as CDK's RDS secrets do)
    expect(await pg.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%'")).toEqual([{ n: 1 }]);
    masterArn = await rig.createSecret('first-deploy/master', { engine: 'postgres', host: '127.0.0.1', port: pg.port, username: pg.superuser, password: pg.superuserPassword, dbname: 'postgres' });
    rig.extraSecrets.push(pg.superuserPassword);
    const { stack, master: masterSecret, app: appSecret } = firstDeploy(masterArn);
    master = deployed(stack, masterSecret);
    app = deployed(stack, appSecret);
    appArn = await rig.createSecret('first-deploy/app', app.initialValue!);
  });

  test('the functions run the bundle the assembly stages, built from the current source, with TLS required and the endpoint pinned', () => {
    for (const fn of [master, app]) {
      expect(readFileSync(fn.bundle, 'utf8')).toBe(readFileSync(freshBuild.file, 'utf8'));
      expect(fn.environment).toMatchObject({ REQUIRE_TLS: 'true', ALLOWED_DATABASE_ENDPOINTS: `127.0.0.1:${pg.port}` });
    }
    expect(master.environment.ROTATION_STRATEGY).toBe('postgres-single-user');
    expect(app.environment.ROTATION_STRATEGY).toBe('postgres-alternating-users');
    expect(JSON.parse(app.environment.DATABASE_USERS)).toEqual([{ username: 'app_user', roles: [], grants: [
      { privileges: ['CREATE', 'USAGE'], schema: 'public' }, { privileges: ['CONNECT'], database: 'postgres' },
    ] }]);
    expect(app.initialValue).toMatchObject({ engine: 'postgres', host: '127.0.0.1', port: pg.port, username: 'app_user', dbname: 'postgres', masterarn: masterArn });
  });

  test('alternating users: the first rotation creates the declared user with its declared privileges, and the next ones alternate', async () => {
    const child = run(app);
    expect(await login('app_user', String(app.initialValue!.password))).toBeUndefined();
    await rig.rotate(appArn);
    const first = await rig.json(appArn);
    expect(first.username).toBe('app_user_clone');
    // the declared privilege: create a table in schema public (PUBLIC may not on PostgreSQL 15+)
    expect(await runs(first.username, first.password, 'CREATE TABLE public.made_by_clone (id int)')).toBe(true);
    // and nothing it was not given
    expect(await runs(first.username, first.password, 'CREATE ROLE not_allowed')).toBe(false);
    // the generated first password never became a database password
    expect(await login('app_user', String(app.initialValue!.password))).toBeUndefined();

    await rig.rotate(appArn);
    const second = await rig.json(appArn);
    expect(second.username).toBe('app_user');
    expect(await runs(second.username, second.password, 'CREATE TABLE public.made_by_base (id int)')).toBe(true);
    const previous = await rig.json(appArn, 'AWSPREVIOUS');
    expect(await runs(previous.username, previous.password, 'SELECT 1')).toBe(true);
    const logins = jsonRecords(child.output).filter((r) => r.outcome === 'login');
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((r) => /over verified TLS/.test(r.message))).toBe(true);
    expect(linesWithSecrets(child.output, rig.allSecretValues())).toEqual([]);
  });

  test('single user: the first rotation of the master secret (the user RDS created) succeeds, and the old password stops working', async () => {
    run(master);
    await rig.rotate(masterArn);
    const rotated = await rig.json(masterArn);
    expect(rotated.password).not.toBe(pg.superuserPassword);
    expect(await runs(rotated.username, rotated.password, 'SELECT 1')).toBe(true);
    expect(await login(pg.superuser, pg.superuserPassword)).toBeUndefined();
    // the application's rotation keeps working with the rotated master
    run(app);
    await rig.rotate(appArn);
    const app3 = await rig.json(appArn);
    expect(app3.username).toBe('app_user_clone');
    expect(await runs(app3.username, app3.password, 'SELECT 1')).toBe(true);
  });

  test.each(['app', 'master'] as const)('%s: a host an attacker writes into AWSCURRENT is refused, and their server receives nothing', async (which) => {
    const arn = which === 'app' ? appArn : masterArn;
    const child = run(which === 'app' ? app : master);
    const real = await rig.json(arn);
    const { password: _unknownToThem, ...shape } = real;
    await rig.putValue(arn, { ...shape, host: trap.host, port: trap.port, password: 'Attacker-own-password-9' });
    const connections = trap.connections;
    const token = await rig.startRotation(arn);
    await rig.invoke('createSecret', arn, token);
    await expect(rig.invoke('setSecret', arn, token)).rejects.toThrow(
      new RegExp(`names 127\\.0\\.0\\.2:${trap.port}, which ALLOWED_DATABASE_ENDPOINTS does not list \\(127\\.0\\.0\\.1:${pg.port}\\); refusing to send a credential there`));
    expect(trap.connections).toBe(connections);
    expect(trap.passwords).toEqual([]);
    // the credential the attacker could not read still works
    expect(await runs(real.username, real.password, 'SELECT 1')).toBe(true);
    await rig.cancelRotation(arn, token);
    expect(linesWithSecrets(child.output, rig.allSecretValues())).toEqual([]);
  });
});
