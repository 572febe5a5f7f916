// The random-key strategy (no downstream system) through the Secrets Manager stand-in, plus the
// engine's password options, which it shows most directly.
import { randomBytes } from 'node:crypto';
import { DEFAULT_EXCLUDE_CHARACTERS } from '../../handlers/rotation/engine/config';
import { handler } from '../../handlers/rotation/random-key.lambda';
import { SecretsManagerStandIn } from '../support/secrets-manager-stand-in';
import { RotationRig, STEPS, uniqueName, withEnv } from './harness';

const rig = new RotationRig(handler, 'random-key');
beforeAll(() => rig.start());
afterAll(() => rig.stop());

test('a JSON secret gets a new apiKey and keeps its other fields', async () => {
  const oldKey = randomBytes(16).toString('hex');
  const arn = await rig.createSecret(uniqueName('key'), { apiKey: oldKey, clientId: 'client-1' });
  const token = await rig.rotate(arn);
  const current = await rig.json(arn);
  expect(current.clientId).toBe('client-1');
  expect(current.apiKey).toHaveLength(32);
  expect(current.apiKey).not.toBe(oldKey);
  expect((await rig.json(arn, 'AWSPREVIOUS')).apiKey).toBe(oldKey);
  expect(rig.standIn.stagesOf(arn)[token]).toEqual(['AWSCURRENT']);
});

test('a JSON secret without apiKey gains one', async () => {
  const arn = await rig.createSecret(uniqueName('key'), { user: 'svc' });
  await rig.rotate(arn);
  expect(await rig.json(arn)).toEqual({ user: 'svc', apiKey: expect.stringMatching(/^.{32}$/) });
});

test('a plain-string secret is replaced by a new random string', async () => {
  const arn = await rig.createSecret(uniqueName('key'), 'plain-old-token-value');
  await rig.rotate(arn);
  const value = await rig.value(arn);
  expect(value).toHaveLength(32);
  expect(value).not.toBe('plain-old-token-value');
  expect(await rig.value(arn, 'AWSPREVIOUS')).toBe('plain-old-token-value');
});

test('fails clearly when the secret starts like JSON but is not, storing nothing', async () => {
  const arn = await rig.createSecret(uniqueName('key'), '{"apiKey": "initial-api-key-value", "clientId": ');
  const token = await rig.startRotation(arn);
  const error = await rig.invoke('createSecret', arn, token).then(() => undefined, (err: Error) => err);
  expect(error?.message).toMatch(/the AWSCURRENT value of secret .* is not valid JSON/);
  expect(error?.message).not.toContain('initial-api-key-value');
  expect(rig.standIn.valueAt(arn, 'AWSPENDING')).toBeUndefined();
});

test('ten rotations in a row give ten distinct keys', async () => {
  const arn = await rig.createSecret(uniqueName('key'), { apiKey: 'initial-api-key-value' });
  const keys = new Set<string>();
  for (let i = 0; i < 10; i++) {
    await rig.rotate(arn);
    keys.add((await rig.json(arn)).apiKey);
  }
  expect(keys.size).toBe(10);
  expect(Object.values(rig.standIn.stagesOf(arn)).flat().sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
});

test.each(STEPS)('a crash after %s, then the retry, ends with the key createSecret stored', async (step) => {
  const arn = await rig.createSecret(uniqueName('key'), { apiKey: 'initial-api-key-value' });
  const token = await rig.rotate(arn, { stopAfter: step });
  const stored = rig.standIn.stagesOf(arn)[token].includes('AWSCURRENT') ? await rig.value(arn) : rig.standIn.valueAt(arn, 'AWSPENDING')!;
  // Until finishSecret, clients keep the old key; afterwards the new one.
  expect((await rig.json(arn)).apiKey).toBe(step === 'finishSecret' ? JSON.parse(stored).apiKey : 'initial-api-key-value');
  expect(JSON.parse(stored).apiKey).not.toBe('initial-api-key-value');
  await rig.runSteps(arn, token);
  expect(rig.standIn.stagesOf(arn)[token]).toEqual(['AWSCURRENT']);
  expect(await rig.value(arn)).toBe(stored);
});

test('a second rotation while one is pending is refused; the first completes', async () => {
  const arn = await rig.createSecret(uniqueName('key'), { apiKey: 'initial-api-key-value' });
  const first = await rig.startRotation(arn);
  await rig.invoke('createSecret', arn, first);
  await expect(rig.startRotation(arn)).rejects.toThrow(/previous rotation isn't complete/);
  await rig.runSteps(arn, first, ['setSecret', 'testSecret', 'finishSecret']);
  expect(rig.standIn.stagesOf(arn)[first]).toEqual(['AWSCURRENT']);
});

test('testSecret fails when AWSPENDING holds no new key', async () => {
  const arn = await rig.createSecret(uniqueName('key'), { apiKey: 'initial-api-key-value' });
  const token = await rig.startRotation(arn);
  const pendingToken = await rig.putValue(arn, { apiKey: 'short' }, ['AWSPENDING']);
  expect(pendingToken).not.toBe(token);
  await expect(rig.invoke('testSecret', arn, pendingToken)).rejects.toThrow(/holds no new key of 32 characters/);
  expect((await rig.json(arn)).apiKey).toBe('initial-api-key-value');
});

describe('password options', () => {
  test('by default leaves out the characters that break connection strings', async () => {
    const arn = await rig.createSecret(uniqueName('key'), 'x-initial-value');
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      await rig.rotate(arn);
      for (const c of await rig.value(arn)) seen.add(c);
    }
    expect([...DEFAULT_EXCLUDE_CHARACTERS].filter((c) => seen.has(c))).toEqual([]);
    expect([...seen].some((c) => '!$()*+,-._~'.includes(c))).toBe(true);
  });

  test('PASSWORD_LENGTH, EXCLUDE_CHARACTERS and EXCLUDE_PUNCTUATION are honoured', async () => {
    const arn = await rig.createSecret(uniqueName('key'), 'x-initial-value');
    await withEnv({ PASSWORD_LENGTH: '64', EXCLUDE_CHARACTERS: 'abcdefABCDEF0123', EXCLUDE_PUNCTUATION: 'true' }, () => rig.rotate(arn));
    const value = await rig.value(arn);
    expect(value).toMatch(/^[g-zG-Z4-9]{64}$/);
  });

  test.each([
    [{ PASSWORD_LENGTH: 'abc' }, /PASSWORD_LENGTH must be a whole number from 12 to 4096, got 'abc'/],
    [{ PASSWORD_LENGTH: '11' }, /PASSWORD_LENGTH must be a whole number from 12 to 4096, got '11'/],
    [{ PASSWORD_LENGTH: '5000' }, /got '5000'/],
    [{ EXCLUDE_PUNCTUATION: 'yes' }, /EXCLUDE_PUNCTUATION must be 'true' or 'false', got 'yes'/],
    [{ REQUIRE_TLS: '1' }, /REQUIRE_TLS must be 'true' or 'false', got '1'/],
    [{ ALLOWED_DATABASE_ENDPOINTS: 'db:5432' }, /ALLOWED_DATABASE_ENDPOINTS applies to the database strategies only, not random-key; unset it/],
    [{ DATABASE_USERS: '[]' }, /DATABASE_USERS applies to the alternating-users strategies only .*, not random-key; unset it/],
  ])('fails when the configuration is %j', async (env, message) => {
    const arn = await rig.createSecret(uniqueName('key'), 'x-initial-value');
    const token = await rig.startRotation(arn);
    await withEnv(env as Record<string, string>, () => expect(rig.invoke('createSecret', arn, token)).rejects.toThrow(message));
  });
});

test('a rotation the service itself drives (RotateSecret invoking the function) succeeds', async () => {
  const driven = await SecretsManagerStandIn.start({ rotationFunction: (event) => handler(event) });
  const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = driven.endpoint;
  try {
    driven.handle('CreateSecret', { Name: 'driven', SecretString: JSON.stringify({ apiKey: 'initial-api-key-value' }) });
    driven.handle('RotateSecret', { SecretId: 'driven', ClientRequestToken: '0123456789abcdef0123456789abcdef' });
    const result = await driven.rotations[0];
    expect(result.error).toBeUndefined();
    expect(JSON.parse(driven.valueAt('driven', 'AWSCURRENT')!).apiKey).toHaveLength(32);
    expect(driven.calls).toEqual(expect.arrayContaining(['DescribeSecret', 'GetRandomPassword', 'PutSecretValue', 'UpdateSecretVersionStage']));
  } finally {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    await driven.stop();
  }
});

test('the logs of this whole run contain no key', () => {
  expect(rig.allSecretValues().length).toBeGreaterThan(20);
  expect(rig.logs.lines.length).toBeGreaterThan(50);
  expect(rig.leaks()).toEqual([]);
});
