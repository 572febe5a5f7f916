// The shared engine: event and stage checks before any strategy runs, configuration errors, and
// the bundle/strategy pairing. Uses the random-key bundle (no database) and the postgres bundle.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EXCLUDE_CHARACTERS, readConfig } from '../../handlers/rotation/engine/config';
import { ROTATION_ENV } from '../../lib/secrets/private/rotation-contract';
import { handler as postgresHandler } from '../../handlers/rotation/postgres.lambda';
import { handler } from '../../handlers/rotation/random-key.lambda';
import { RotationRig, linesWithSecrets, uniqueName } from './harness';

const rig = new RotationRig(handler, 'random-key');
beforeAll(() => rig.start());
afterAll(() => rig.stop());

async function callsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const before = rig.standIn.calls.length;
  await work().catch(() => undefined);
  return rig.standIn.calls.slice(before);
}

describe('event checks (as in AWS reference functions)', () => {
  test('fails when rotation is not enabled on the secret', async () => {
    const arn = await rig.createSecret(uniqueName('s'), 'initial-value-1');
    const token = await rig.putValue(arn, 'pending-value-1', ['AWSPENDING']);
    await expect(rig.invoke('createSecret', arn, token)).rejects.toThrow(/is not enabled for rotation/);
  });

  test('fails when the token is no version of the secret', async () => {
    const arn = await rig.createSecret(uniqueName('s'), 'initial-value-1');
    await rig.startRotation(arn);
    await expect(rig.invoke('createSecret', arn, 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')).rejects.toThrow(/version aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee has no stage in secret/);
  });

  test('does nothing when the version is already AWSCURRENT (no write to Secrets Manager)', async () => {
    const arn = await rig.createSecret(uniqueName('s'), 'initial-value-1');
    const token = await rig.rotate(arn);
    const value = await rig.value(arn);
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      const calls = await callsDuring(() => rig.invoke(step, arn, token));
      expect(calls).toContain('DescribeSecret');
      // Reads may have been started alongside DescribeSecret; nothing is written.
      expect(calls.filter((c) => !['DescribeSecret', 'GetSecretValue', 'GetRandomPassword'].includes(c))).toEqual([]);
    }
    expect(await rig.value(arn)).toBe(value);
    expect(rig.logs.records()).toContainEqual(expect.objectContaining({ token, outcome: 'skipped' }));
  });

  test('an AWSPENDING label left on the AWSCURRENT version blocks nothing', async () => {
    const arn = await rig.createSecret(uniqueName('s'), 'initial-value-1');
    const first = await rig.startRotation(arn);
    await rig.runSteps(arn, first, undefined, { crash: true });
    expect(rig.standIn.stagesOf(arn)[first].sort()).toEqual(['AWSCURRENT', 'AWSPENDING']);
    // A retry of any step is a no-op, and the next rotation starts and completes.
    await rig.invoke('finishSecret', arn, first);
    const second = await rig.rotate(arn);
    expect(rig.standIn.stagesOf(arn)[second]).toEqual(['AWSCURRENT']);
    expect(rig.standIn.stagesOf(arn)[first]).toEqual(['AWSPREVIOUS']);
  });

  test('fails when the version is not AWSPENDING', async () => {
    const arn = await rig.createSecret(uniqueName('s'), 'initial-value-1');
    const first = await rig.rotate(arn);
    await rig.rotate(arn);
    await expect(rig.invoke('setSecret', arn, first)).rejects.toThrow(new RegExp(`version ${first} of secret .* is not AWSPENDING \\(stages: AWSPREVIOUS\\)`));
  });

  test('fails when the step is unknown, without calling Secrets Manager', async () => {
    const arn = await rig.createSecret(uniqueName('s'), 'initial-value-1');
    const token = await rig.startRotation(arn);
    let error: unknown;
    expect(await callsDuring(() => rig.invoke('rotateSecret', arn, token).catch((e) => { error = e; throw e; }))).toEqual([]);
    expect(String(error)).toMatch(/unknown step 'rotateSecret'; expected one of createSecret, setSecret, testSecret, finishSecret/);
  });

  test('fails when the event lacks its fields', async () => {
    await expect(handler({ Step: 'createSecret' } as never)).rejects.toThrow(/the event must have string fields Step, SecretId and ClientRequestToken/);
  });

  test('fails when the secret has no AWSCURRENT value', async () => {
    const name = uniqueName('s');
    rig.standIn.handle('CreateSecret', { Name: name });
    const token = await rig.startRotation(name);
    await expect(rig.invoke('createSecret', name, token)).rejects.toThrow(/has no AWSCURRENT value to rotate from/);
  });

  test('fails when setSecret comes before createSecret stored AWSPENDING', async () => {
    const arn = await rig.createSecret(uniqueName('s'), 'initial-value-1');
    const token = await rig.startRotation(arn);
    await expect(rig.invoke('testSecret', arn, token)).rejects.toThrow(/has no AWSPENDING value yet; run createSecret first/);
  });

  test('a repeated createSecret keeps the value the first one stored', async () => {
    const arn = await rig.createSecret(uniqueName('s'), 'initial-value-1');
    const token = await rig.startRotation(arn);
    await rig.invoke('createSecret', arn, token);
    const first = rig.standIn.valueAt(arn, 'AWSPENDING');
    await rig.invoke('createSecret', arn, token);
    expect(rig.standIn.valueAt(arn, 'AWSPENDING')).toBe(first);
  });
});

describe('configuration', () => {
  test('defaults: 32 characters, connection-string-safe exclusions, punctuation allowed, verified TLS required, no endpoint list, no users', () => {
    expect(readConfig({ ROTATION_STRATEGY: 'random-key' })).toEqual({
      strategy: 'random-key', passwordLength: 32, excludeCharacters: DEFAULT_EXCLUDE_CHARACTERS, excludePunctuation: false, requireTls: true, databaseUsers: [],
    });
    for (const c of ':/@"\'\\?#%&;=[]`') expect(DEFAULT_EXCLUDE_CHARACTERS).toContain(c);
  });

  test('reads REQUIRE_TLS=false, the endpoint list and the declared users', () => {
    const config = readConfig({
      ROTATION_STRATEGY: 'postgres-alternating-users', REQUIRE_TLS: 'false',
      ALLOWED_DATABASE_ENDPOINTS: ' DB.Example.Internal.:5432 , [FD00::1]:6432',
      DATABASE_USERS: JSON.stringify([{ username: 'app', roles: ['readers'], grants: [{ privileges: ['select', 'Insert'], table: '*' }] }]),
    });
    expect(config.requireTls).toBe(false);
    expect(config.allowedEndpoints).toEqual([{ host: 'db.example.internal', port: 5432 }, { host: 'fd00::1', port: 6432 }]);
    expect(config.databaseUsers).toEqual([{ username: 'app', roles: ['readers'], grants: [{ privileges: ['SELECT', 'INSERT'], table: '*' }] }]);
  });

  test('fails when ROTATION_STRATEGY is not set', () => {
    expect(() => readConfig({})).toThrow(/ROTATION_STRATEGY is not set; set it to one of postgres-single-user, postgres-alternating-users, mysql-single-user, mysql-alternating-users, random-key/);
  });

  test('fails when ROTATION_STRATEGY is unknown', () => {
    expect(() => readConfig({ ROTATION_STRATEGY: 'oracle-single-user' })).toThrow(/ROTATION_STRATEGY must be one of .*, got 'oracle-single-user'/);
  });

  test.each([
    ['db.example.internal', /entry 'db.example.internal' is not host:port/],
    ['db:5432,db:99999', /entry 'db:99999' is not host:port .*port 1 to 65535/],
    ['fd00::1:5432', /entry 'fd00::1:5432' is not host:port \(an IPv6 address in brackets/],
    [' , ', /names no endpoint; set it to host:port entries separated by commas, or unset it/],
  ])('fails when ALLOWED_DATABASE_ENDPOINTS is %j', (value, message) => {
    expect(() => readConfig({ ROTATION_STRATEGY: 'mysql-single-user', ALLOWED_DATABASE_ENDPOINTS: value })).toThrow(message);
  });

  test('fails when DATABASE_USERS is set for a single-user strategy', () => {
    expect(() => readConfig({ ROTATION_STRATEGY: 'postgres-single-user', DATABASE_USERS: '[]' }))
      .toThrow(/DATABASE_USERS applies to the alternating-users strategies only \(they create users with the master secret\), not postgres-single-user; unset it/);
  });

  test('fails when the bundle does not handle the configured strategy', async () => {
    await expect(postgresHandler({ Step: 'createSecret', SecretId: 'x', ClientRequestToken: 't' }))
      .rejects.toThrow(/ROTATION_STRATEGY 'random-key' is not handled by the postgres bundle, which handles postgres-single-user, postgres-alternating-users/);
  });
});

test('the handler README documents every environment variable the rotation code reads', () => {
  const root = join(__dirname, '..', '..', 'handlers', 'rotation');
  const sources = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
  const read = new Set([
    ...Object.values(ROTATION_ENV),
    ...[...sources.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]),
  ]);
  // The scan itself must see the variables we know of, or it proves nothing.
  expect([...read]).toEqual(expect.arrayContaining(['ROTATION_STRATEGY', 'PASSWORD_LENGTH', 'EXCLUDE_CHARACTERS', 'EXCLUDE_PUNCTUATION', 'REQUIRE_TLS',
    'ALLOWED_DATABASE_ENDPOINTS', 'DATABASE_USERS', 'NODE_EXTRA_CA_CERTS', 'AWS_ENDPOINT_URL_SECRETS_MANAGER']));
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const documented = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
  expect([...read].filter((name) => !documented.has(name))).toEqual([]);
});

test('the leak check finds a whole secret and a 10-character piece of one', () => {
  const secret = 'Zq8!mK2$vP9.wR4-tY7~';
  expect(linesWithSecrets(['{"message":"ok"}', `pw=${secret}`, `x${secret.slice(6, 16)}y`, `${secret.slice(0, 9)}`], [secret]))
    .toEqual([`pw=${secret}`, `x${secret.slice(6, 16)}y`]);
});

test('the logs of this run contain no secret value', () => {
  expect(rig.logs.lines.length).toBeGreaterThan(10);
  expect(rig.leaks()).toEqual([]);
});
