// The stand-in's own behaviour, through the real AWS SDK client over HTTP: if it drifted from the
// service, the rotation tests that rely on it would prove nothing.
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerStandIn, type RotationInvocation } from './secrets-manager-stand-in';

let standIn: SecretsManagerStandIn;
let client: SecretsManagerClient;
const invocations: RotationInvocation[] = [];
let failStep: string | undefined;

beforeAll(async () => {
  standIn = await SecretsManagerStandIn.start({
    rotationFunction: async (event) => {
      invocations.push(event);
      if (event.Step === failStep) throw new Error(`${event.Step} failed on purpose`);
      if (event.Step === 'createSecret') {
        await client.send(new PutSecretValueCommand({ SecretId: event.SecretId, ClientRequestToken: event.ClientRequestToken, SecretString: 'rotated', VersionStages: ['AWSPENDING'] }));
      }
      if (event.Step === 'finishSecret') {
        const meta = await client.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
        const current = Object.entries(meta.VersionIdsToStages!).find(([, s]) => s.includes('AWSCURRENT'))![0];
        await client.send(new UpdateSecretVersionStageCommand({ SecretId: event.SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: event.ClientRequestToken, RemoveFromVersionId: current }));
      }
    },
  });
  client = standIn.client();
});

afterAll(async () => {
  client.destroy();
  await standIn.stop();
});

let n = 0;
async function secret(value = 'v0'): Promise<{ arn: string; v0: string }> {
  n += 1;
  const out = await client.send(new CreateSecretCommand({ Name: `s${n}`, SecretString: value }));
  return { arn: out.ARN!, v0: out.VersionId! };
}
const put = (arn: string, value: string, stages?: string[], token = randomUUID()) =>
  client.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: value, VersionStages: stages })).then(() => token);
const stages = async (arn: string) => (await client.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages;
const get = (arn: string, stage?: string, versionId?: string) =>
  client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage, VersionId: versionId }));

test('CreateSecret gives an ARN and an AWSCURRENT version; the secret is found by name or ARN', async () => {
  const { arn, v0 } = await secret('hello');
  expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:s\d+-[A-Za-z]{6}$/);
  expect(await stages(arn)).toEqual({ [v0]: ['AWSCURRENT'] });
  expect((await get(`s${n}`)).SecretString).toBe('hello');
  await expect(client.send(new CreateSecretCommand({ Name: `s${n}`, SecretString: 'x' }))).rejects.toMatchObject({ name: 'ResourceExistsException' });
});

test('an unknown secret is ResourceNotFoundException', async () => {
  await expect(get('nope')).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
});

test('PutSecretValue to AWSCURRENT moves AWSPREVIOUS to the old current version', async () => {
  const { arn, v0 } = await secret();
  const v1 = await put(arn, 'v1');
  expect(await stages(arn)).toEqual({ [v0]: ['AWSPREVIOUS'], [v1]: ['AWSCURRENT'] });
  const v2 = await put(arn, 'v2');
  // v0 lost its last label: deprecated, so DescribeSecret no longer lists it.
  expect(await stages(arn)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
  expect((await get(arn, 'AWSPREVIOUS')).SecretString).toBe('v1');
  const all = await client.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
  expect(all.Versions!.map((v) => v.VersionId).sort()).toEqual([v0, v1, v2].sort());
});

test('PutSecretValue is idempotent per token: same value ignored, different value refused', async () => {
  const { arn } = await secret();
  const token = await put(arn, 'p', ['AWSPENDING']);
  await put(arn, 'p', ['AWSPENDING'], token);
  await expect(put(arn, 'other', ['AWSPENDING'], token)).rejects.toMatchObject({ name: 'ResourceExistsException' });
  expect((await get(arn, 'AWSPENDING', token)).SecretString).toBe('p');
});

test('GetSecretValue with VersionId and VersionStage needs both to match', async () => {
  const { arn, v0 } = await secret('x');
  expect((await get(arn, 'AWSCURRENT', v0)).SecretString).toBe('x');
  await expect(get(arn, 'AWSPENDING', v0)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  await expect(get(arn, 'AWSPENDING')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});

test('UpdateSecretVersionStage demands RemoveFromVersionId when moving an attached label', async () => {
  const { arn, v0 } = await secret();
  const v1 = await put(arn, 'p', ['AWSPENDING']);
  await expect(client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: v1 })))
    .rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/currently attached to version/) });
  await expect(client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v1 })))
    .rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/not attached to version/) });
  await expect(client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', RemoveFromVersionId: v0 })))
    .rejects.toMatchObject({ name: 'InvalidParameterException' });

  await client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v0 }));
  expect(await stages(arn)).toEqual({ [v0]: ['AWSPREVIOUS'], [v1]: ['AWSPENDING', 'AWSCURRENT'] });
  await client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: v1 }));
  expect(await stages(arn)).toEqual({ [v0]: ['AWSPREVIOUS'], [v1]: ['AWSCURRENT'] });
});

test('RotateSecret creates an empty AWSPENDING version, enables rotation, and refuses while one is pending', async () => {
  const { arn } = await secret();
  expect((await client.send(new DescribeSecretCommand({ SecretId: arn }))).RotationEnabled).toBe(false);
  const token = randomUUID();
  await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: token, RotateImmediately: false }));
  expect((await client.send(new DescribeSecretCommand({ SecretId: arn }))).RotationEnabled).toBe(true);
  expect(Object.keys((await stages(arn))!)).not.toContain(token);

  failStep = 'setSecret';
  try {
    await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: token }));
    expect((await stages(arn))![token]).toEqual(['AWSPENDING']);
    const result = await standIn.rotations[standIn.rotations.length - 1];
    expect(String(result.error)).toMatch(/setSecret failed on purpose/);
  } finally {
    failStep = undefined;
  }
  await expect(client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: randomUUID() })))
    .rejects.toMatchObject({ name: 'InvalidRequestException', message: expect.stringMatching(/previous rotation isn't complete/) });
});

test('RotateSecret invokes the rotation function for the four steps in order', async () => {
  const { arn, v0 } = await secret();
  invocations.length = 0;
  const token = randomUUID();
  await client.send(new RotateSecretCommand({ SecretId: arn, ClientRequestToken: token }));
  const result = await standIn.rotations[standIn.rotations.length - 1];
  expect(result.error).toBeUndefined();
  expect(invocations.map((e) => e.Step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  expect(invocations.every((e) => e.SecretId === arn && e.ClientRequestToken === token)).toBe(true);
  expect((await get(arn)).SecretString).toBe('rotated');
  // After success the service clears AWSPENDING.
  expect(await stages(arn)).toEqual({ [v0]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
});

test('an empty AWSPENDING version reads as ResourceNotFoundException until createSecret fills it', async () => {
  const token = randomUUID();
  // Without a rotation function the stand-in only stages the version, as a test driver wants.
  const bare = await SecretsManagerStandIn.start();
  const bareClient = bare.client();
  try {
    const created = await bareClient.send(new CreateSecretCommand({ Name: 'empty-pending', SecretString: 'v0' }));
    await bareClient.send(new RotateSecretCommand({ SecretId: created.ARN, ClientRequestToken: token }));
    await expect(bareClient.send(new GetSecretValueCommand({ SecretId: created.ARN, VersionId: token, VersionStage: 'AWSPENDING' })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await bareClient.send(new PutSecretValueCommand({ SecretId: created.ARN, ClientRequestToken: token, SecretString: 'v1', VersionStages: ['AWSPENDING'] }));
    expect((await bareClient.send(new GetSecretValueCommand({ SecretId: created.ARN, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString).toBe('v1');
  } finally {
    bareClient.destroy();
    await bare.stop();
  }
});

describe('GetRandomPassword', () => {
  const random = (input: Record<string, unknown> = {}) => client.send(new GetRandomPasswordCommand(input)).then((o) => o.RandomPassword!);

  test('defaults to 32 characters with each type included', async () => {
    for (let i = 0; i < 20; i++) {
      const password = await random();
      expect(password).toHaveLength(32);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[^A-Za-z0-9]/);
    }
  });

  test('honours length and exclusions', async () => {
    const password = await random({ PasswordLength: 200, ExcludeCharacters: 'abc"\'\\', ExcludeUppercase: true });
    expect(password).toHaveLength(200);
    expect(password).not.toMatch(/[abcA-Z"'\\]/);
    expect(await random({ PasswordLength: 100, ExcludePunctuation: true })).toMatch(/^[A-Za-z0-9]{100}$/);
  });

  test('a queued test password is returned once, and refused if the request excludes its characters', async () => {
    standIn.queueRandomPassword('Aa1!queued-password');
    expect(await random()).toBe('Aa1!queued-password');
    expect(await random()).not.toBe('Aa1!queued-password');
    standIn.queueRandomPassword('has/slash');
    await expect(random({ ExcludeCharacters: '/' })).rejects.toMatchObject({ name: 'InvalidRequestException', message: expect.stringMatching(/excludes/) });
  });

  test('rejects a length outside 1 to 4096', async () => {
    await expect(random({ PasswordLength: 5000 })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

test('records the operations it received', async () => {
  const before = standIn.calls.length;
  await secret();
  expect(standIn.calls.slice(before)).toEqual(['CreateSecret']);
});
