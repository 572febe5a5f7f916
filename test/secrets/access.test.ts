import { Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RotatingSecret, RotationStrategy, SecretGrants } from '../../lib/secrets';
import { AccessModel } from '../support/access-model';
import { newStack } from './helpers';

/**
 * One stack, synthesized once:
 * - A `my-app/api-key`: rotated by function F1, readable cross-account by 222222222222, reads denied
 *   to all but `app` (and the rotation role), tagged team=payments
 * - B `my-app/db-token`: rotated by F1 too, tagged team=payments
 * - C `my-app-legacy/key`: rotated by F2 (other key length), tagged team=search, with a key of its own
 *   (A and B share the stack's key)
 * - D `other/key`: a plain secret nobody rotates
 * - E `my-app-other/x`: rotated by F3 (another strategy, mysql-single-user), tagged team=Payments
 * - G `other/my-app/x`: a plain secret tagged team=payments-eu
 */
function build() {
  const stack = newStack('Secrets');
  const a = new RotatingSecret(stack, 'A', { secretName: 'my-app/api-key', rotation: RotationStrategy.randomKey() });
  const b = new RotatingSecret(stack, 'B', { secretName: 'my-app/db-token', rotation: RotationStrategy.randomKey() });
  // C has a key of its own; A and B share the stack's key
  const c = new RotatingSecret(stack, 'C', { secretName: 'my-app-legacy/key', rotation: RotationStrategy.randomKey({ keyLength: 64 }), rotationFunctionGroup: 'LongKeys', dedicatedEncryptionKey: true });
  const d = new secretsmanager.Secret(stack, 'D', { secretName: 'other/key' });
  Tags.of(a).add('team', 'payments');
  Tags.of(b).add('team', 'payments');
  Tags.of(c).add('team', 'search');
  // near misses of the prefix and the tag: only `my-app/` + anything and team = payments exactly count
  const e = new RotatingSecret(stack, 'E', {
    existingSecret: new secretsmanager.Secret(stack, 'ESecret', { secretName: 'my-app-other/x' }),
    rotation: RotationStrategy.mysqlSingleUser(),
  });
  const g = new secretsmanager.Secret(stack, 'G', { secretName: 'other/my-app/x' });
  Tags.of(e.secret).add('team', 'Payments');
  Tags.of(g).add('team', 'payments-eu');

  const service = new iam.ServicePrincipal('ecs-tasks.amazonaws.com');
  const app = new iam.Role(stack, 'App', { assumedBy: service });
  a.grantRead(app);
  a.grantCrossAccountRead('222222222222');
  a.denyReadExcept([app]);

  const broad = new iam.Role(stack, 'Broad', { assumedBy: service });
  broad.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'kms:Decrypt'], resources: ['*'] }));
  const tagReader = new iam.Role(stack, 'TagReader', { assumedBy: service });
  SecretGrants.readByTag(tagReader, 'team', 'payments');
  const prefixReader = new iam.Role(stack, 'PrefixReader', { assumedBy: service });
  SecretGrants.readByNamePrefix(prefixReader, 'my-app/');

  const model = new AccessModel([stack]);
  const roleOf = (s: RotatingSecret) => (s.rotationFunction as lambda.Function).role!;
  return { model, stack, a, b, c, d, e, g, app, broad, tagReader, prefixReader, f1Role: roleOf(a), f2Role: roleOf(c), f3Role: roleOf(e) };
}

const env = build();
const { model } = env;
const viaSecretsManager = { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' };
/** The encryption context Secrets Manager sends KMS for a secret's values. */
const contextOf = (s: RotatingSecret) => ({ 'kms:EncryptionContext:SecretARN': `${model.arnOf(s.secret)}` });
const ROTATION_ACTIONS = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'];

describe('the rotation role', () => {
  test('shares one function between A and B, another for C', () => {
    expect(env.a.rotationFunction).toBe(env.b.rotationFunction);
    expect(env.c.rotationFunction).not.toBe(env.a.rotationFunction);
  });

  test.each(ROTATION_ACTIONS)('may %s its own secrets, including A whose reads are denied to others', (action) => {
    expect(model.check({ principal: env.f1Role, action, resource: env.a.secret })).toBe('Allowed');
    expect(model.check({ principal: env.f1Role, action, resource: env.b.secret })).toBe('Allowed');
  });

  test('of another strategy is another function', () => {
    expect(new Set([env.a, env.c, env.e].map((s) => s.rotationFunction)).size).toBe(3);
  });

  test.each(ROTATION_ACTIONS)('may not %s a secret of another function or a secret nobody rotates', (action) => {
    expect(model.check({ principal: env.f1Role, action, resource: env.c.secret })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.f1Role, action, resource: env.e.secret })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.f1Role, action, resource: env.d })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.f1Role, action, resource: env.g })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.f2Role, action, resource: env.a.secret })).not.toBe('Allowed');
    // the mysql function reaches its own secret, and neither of the random-key ones
    expect(model.check({ principal: env.f3Role, action, resource: env.e.secret })).toBe('Allowed');
    expect(model.check({ principal: env.f3Role, action, resource: env.b.secret })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.f3Role, action, resource: env.a.secret })).not.toBe('Allowed');
  });

  test('may not delete its secrets or change their policy', () => {
    expect(model.check({ principal: env.f1Role, action: 'secretsmanager:DeleteSecret', resource: env.b.secret })).not.toBe('Allowed');
    expect(model.check({ principal: env.f1Role, action: 'secretsmanager:PutResourcePolicy', resource: env.b.secret })).toBe('ImplicitlyDenied');
  });

  test('decrypts and encrypts with its secrets\' keys through Secrets Manager only', () => {
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      expect(model.check({ principal: env.f1Role, action, resource: env.a.encryptionKey!, context: viaSecretsManager })).toBe('Allowed');
      // the shared key works through Secrets Manager only, whatever IAM allows
      expect(model.check({ principal: env.f1Role, action, resource: env.a.encryptionKey! })).toBe('ExplicitlyDenied');
      expect(model.check({ principal: env.f1Role, action, resource: env.c.encryptionKey!, context: viaSecretsManager })).toBe('ImplicitlyDenied');
    }
    expect(model.check({ principal: env.f1Role, action: 'kms:ScheduleKeyDeletion', resource: env.a.encryptionKey! })).toBe('ImplicitlyDenied');
  });
});

describe('the rotation function\'s invoke permission', () => {
  // Secrets Manager of this account, for a secret of this account and region
  const request = (fn: RotatingSecret) => ({ principal: 'secretsmanager.amazonaws.com', action: 'lambda:InvokeFunction', resource: fn.rotationFunction });
  const own = () => ({ 'aws:SourceAccount': '111111111111', 'aws:SourceArn': model.arnOf(env.b.secret) });

  test('lets Secrets Manager of the source account invoke it for the account\'s secrets', () => {
    for (const s of [env.a, env.c, env.e]) expect(model.check({ ...request(s), context: own() })).toBe('Allowed');
  });

  test('refuses Secrets Manager acting for another account, even for a secret ARN of this account', () => {
    expect(model.check({ ...request(env.a), context: { ...own(), 'aws:SourceAccount': '999999999999' } })).toBe('ImplicitlyDenied');
    expect(model.check({ ...request(env.a), context: { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': 'arn:aws:secretsmanager:us-east-1:999999999999:secret:x-AbCdEf' } }))
      .toBe('ImplicitlyDenied');
    // a secret of this account in another region is not one of the stack's
    expect(model.check({ ...request(env.a), context: { ...own(), 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x-AbCdEf' } })).toBe('ImplicitlyDenied');
  });

  test('refuses Secrets Manager without a source, and every other service or principal', () => {
    expect(model.check(request(env.a))).toBe('ImplicitlyDenied');
    for (const principal of ['events.amazonaws.com', 'lambda.amazonaws.com', 'arn:aws:iam::222222222222:role/Outsider']) {
      expect([principal, model.check({ ...request(env.a), principal, context: own() })]).toEqual([principal, 'ImplicitlyDenied']);
    }
  });
});

describe('a cross-account reader', () => {
  const reader = 'arn:aws:iam::222222222222:role/Reader';

  test('can read secret A', () => {
    expect(model.check({ principal: reader, action: 'secretsmanager:GetSecretValue', resource: env.a.secret })).toBe('Allowed');
    expect(model.check({ principal: reader, action: 'secretsmanager:DescribeSecret', resource: env.a.secret })).toBe('Allowed');
  });

  test('can decrypt with A\'s key through Secrets Manager', () => {
    expect(model.check({ principal: reader, action: 'kms:Decrypt', resource: env.a.encryptionKey!, context: { ...viaSecretsManager, ...contextOf(env.a) } })).toBe('Allowed');
  });

  test('and nothing else', () => {
    for (const action of ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:DeleteSecret', 'secretsmanager:PutResourcePolicy', 'secretsmanager:RotateSecret']) {
      expect([action, model.check({ principal: reader, action, resource: env.a.secret })]).toEqual([action, 'ImplicitlyDenied']);
    }
    expect(model.check({ principal: reader, action: 'secretsmanager:GetSecretValue', resource: env.b.secret })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: reader, action: 'kms:Decrypt', resource: env.a.encryptionKey! })).toBe('ExplicitlyDenied');
    for (const action of ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom']) {
      expect([action, model.check({ principal: reader, action, resource: env.a.encryptionKey!, context: viaSecretsManager })]).toEqual([action, 'ImplicitlyDenied']);
    }
    // the key denies grants to anyone but AWS services acting for a resource
    expect(model.check({ principal: reader, action: 'kms:CreateGrant', resource: env.a.encryptionKey!, context: viaSecretsManager })).toBe('ExplicitlyDenied');
    // B shares A's key: the account's key statement names A's ARN in the encryption context
    expect(model.check({ principal: reader, action: 'kms:Decrypt', resource: env.b.encryptionKey!, context: { ...viaSecretsManager, ...contextOf(env.b) } })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: reader, action: 'kms:Decrypt', resource: env.c.encryptionKey!, context: viaSecretsManager })).toBe('ImplicitlyDenied');
  });

  test('of a third account cannot read: the explicit deny exempts only the granted account', () => {
    expect(model.check({ principal: 'arn:aws:iam::333333333333:role/Reader', action: 'secretsmanager:GetSecretValue', resource: env.a.secret })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: 'arn:aws:iam::333333333333:role/Reader', action: 'secretsmanager:DescribeSecret', resource: env.a.secret })).toBe('ImplicitlyDenied');
  });
});

describe('the key A and B share', () => {
  test('is one key, and C has its own', () => {
    expect(env.a.encryptionKey).toBe(env.b.encryptionKey);
    expect(env.c.encryptionKey).not.toBe(env.a.encryptionKey);
  });

  test('lets A\'s reader decrypt A through Secrets Manager, and not B: the grant names A in the encryption context', () => {
    expect(model.check({ principal: env.app, action: 'kms:Decrypt', resource: env.a.encryptionKey!, context: { ...viaSecretsManager, ...contextOf(env.a) } })).toBe('Allowed');
    expect(model.check({ principal: env.app, action: 'kms:Decrypt', resource: env.b.encryptionKey!, context: { ...viaSecretsManager, ...contextOf(env.b) } })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.app, action: 'secretsmanager:GetSecretValue', resource: env.b.secret })).toBe('ImplicitlyDenied');
  });

  test('decrypts nothing outside Secrets Manager, even for a principal IAM allows every KMS action', () => {
    expect(model.check({ principal: env.broad, action: 'kms:Decrypt', resource: env.a.encryptionKey!, context: contextOf(env.a) })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: env.app, action: 'kms:Decrypt', resource: env.a.encryptionKey!, context: contextOf(env.a) })).toBe('ExplicitlyDenied');
    // C's own key has no such deny: IAM decides
    expect(model.check({ principal: env.broad, action: 'kms:Decrypt', resource: env.c.encryptionKey! })).toBe('Allowed');
  });
});

describe('the explicit deny on A', () => {
  test('wins over an identity policy that allows reading every secret', () => {
    expect(model.check({ principal: env.broad, action: 'secretsmanager:GetSecretValue', resource: env.a.secret })).toBe('ExplicitlyDenied');
    // the same identity allow works where there is no deny
    expect(model.check({ principal: env.broad, action: 'secretsmanager:GetSecretValue', resource: env.b.secret })).toBe('Allowed');
  });

  test('wins over an administrator of the account', () => {
    const admin = 'arn:aws:iam::111111111111:role/Admin';
    expect(model.check({ principal: admin, action: 'secretsmanager:GetSecretValue', resource: env.a.secret })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: admin, action: 'secretsmanager:DescribeSecret', resource: env.a.secret })).toBe('Allowed');
  });

  test('lets the named role read', () => {
    expect(model.check({ principal: env.app, action: 'secretsmanager:GetSecretValue', resource: env.a.secret })).toBe('Allowed');
    expect(model.check({ principal: env.app, action: 'kms:Decrypt', resource: env.a.encryptionKey!, context: { ...viaSecretsManager, ...contextOf(env.a) } })).toBe('Allowed');
    expect(model.check({ principal: env.app, action: 'secretsmanager:GetSecretValue', resource: env.b.secret })).toBe('ImplicitlyDenied');
  });
});

describe('deletion', () => {
  test('is denied to every principal of the account, administrators included', () => {
    const admin = 'arn:aws:iam::111111111111:role/Admin';
    for (const secret of [env.a, env.b, env.c]) {
      expect(model.check({ principal: admin, action: 'secretsmanager:DeleteSecret', resource: secret.secret })).toBe('ExplicitlyDenied');
    }
    // a plain secret without the deny: the administrator's identity policy decides
    expect(model.check({ principal: admin, action: 'secretsmanager:DeleteSecret', resource: env.d })).toBe('Allowed');
  });
});

describe('scoped grants for readers of many secrets', () => {
  test('by tag let in exactly the secrets tagged team=payments', () => {
    expect(model.check({ principal: env.tagReader, action: 'secretsmanager:GetSecretValue', resource: env.b.secret })).toBe('Allowed');
    expect(model.check({ principal: env.tagReader, action: 'secretsmanager:GetSecretValue', resource: env.c.secret })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.tagReader, action: 'secretsmanager:GetSecretValue', resource: env.d })).toBe('ImplicitlyDenied');
    // A is tagged team=payments too, but its explicit deny names only `app`
    expect(model.check({ principal: env.tagReader, action: 'secretsmanager:GetSecretValue', resource: env.a.secret })).toBe('ExplicitlyDenied');
    expect(model.check({ principal: env.tagReader, action: 'secretsmanager:PutSecretValue', resource: env.b.secret })).toBe('ImplicitlyDenied');
    // near misses: tag values compare exactly, case included
    expect(model.check({ principal: env.tagReader, action: 'secretsmanager:GetSecretValue', resource: env.e.secret })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.tagReader, action: 'secretsmanager:GetSecretValue', resource: env.g })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.tagReader, action: 'secretsmanager:DescribeSecret', resource: env.g })).toBe('ImplicitlyDenied');
  });

  test('by tag decrypt only through Secrets Manager', () => {
    expect(model.check({ principal: env.tagReader, action: 'kms:Decrypt', resource: env.b.encryptionKey!, context: viaSecretsManager })).toBe('Allowed');
    expect(model.check({ principal: env.tagReader, action: 'kms:Decrypt', resource: env.c.encryptionKey! })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.tagReader, action: 'kms:Decrypt', resource: env.b.encryptionKey! })).toBe('ExplicitlyDenied');
  });

  test('by name prefix let in exactly the secrets named my-app/...', () => {
    expect(model.check({ principal: env.prefixReader, action: 'secretsmanager:GetSecretValue', resource: env.b.secret })).toBe('Allowed');
    expect(model.check({ principal: env.prefixReader, action: 'secretsmanager:DescribeSecret', resource: env.b.secret })).toBe('Allowed');
    // my-app-legacy/ shares the text "my-app" but not the prefix "my-app/"
    expect(model.check({ principal: env.prefixReader, action: 'secretsmanager:GetSecretValue', resource: env.c.secret })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.prefixReader, action: 'secretsmanager:GetSecretValue', resource: env.d })).toBe('ImplicitlyDenied');
    expect(model.check({ principal: env.prefixReader, action: 'secretsmanager:GetSecretValue', resource: env.a.secret })).toBe('ExplicitlyDenied');
    // near misses: my-app-other/x starts with "my-app" but not "my-app/"; other/my-app/x holds it in the middle
    for (const secret of [env.e.secret, env.g]) {
      for (const action of ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']) {
        expect([secret.node.path, action, model.check({ principal: env.prefixReader, action, resource: secret })]).toEqual([secret.node.path, action, 'ImplicitlyDenied']);
      }
    }
    expect(model.check({ principal: env.prefixReader, action: 'secretsmanager:PutSecretValue', resource: env.b.secret })).toBe('ImplicitlyDenied');
  });
});

describe('alternating users', () => {
  test('the function reads the master secret and its key, and cannot change the master secret', () => {
    const dbStack = newStack('Db');
    const masterKey = new kms.Key(dbStack, 'MasterKey', { enableKeyRotation: true });
    const masterSecret = new secretsmanager.Secret(dbStack, 'MasterSecret', { secretName: 'db/master', encryptionKey: masterKey });
    const appSecret = new secretsmanager.Secret(dbStack, 'AppSecret', { secretName: 'db/app' });
    const alternating = new RotatingSecret(dbStack, 'Rotated', {
      existingSecret: appSecret,
      rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret }),
    });
    const fnRole = (alternating.rotationFunction as lambda.Function).role!;
    const m = new AccessModel([dbStack]);
    expect(m.check({ principal: fnRole, action: 'secretsmanager:GetSecretValue', resource: masterSecret })).toBe('Allowed');
    expect(m.check({ principal: fnRole, action: 'secretsmanager:PutSecretValue', resource: masterSecret })).toBe('ImplicitlyDenied');
    expect(m.check({ principal: fnRole, action: 'secretsmanager:UpdateSecretVersionStage', resource: masterSecret })).toBe('ImplicitlyDenied');
    expect(m.check({ principal: fnRole, action: 'secretsmanager:PutSecretValue', resource: appSecret })).toBe('Allowed');
    expect(m.check({ principal: fnRole, action: 'kms:Decrypt', resource: masterKey, context: viaSecretsManager })).toBe('Allowed');
    expect(m.check({ principal: fnRole, action: 'kms:Decrypt', resource: masterKey })).toBe('ImplicitlyDenied');
    // reading needs no data keys
    expect(m.check({ principal: fnRole, action: 'kms:GenerateDataKey', resource: masterKey, context: viaSecretsManager })).toBe('ImplicitlyDenied');
  });

  test('a master RotatingSecret that denies reads to all but named roles still lets the alternating-users function read it', () => {
    const dbStack = newStack('DbDeny');
    const master = new RotatingSecret(dbStack, 'Master', {
      existingSecret: new secretsmanager.Secret(dbStack, 'MasterSecret', { secretName: 'db/master' }),
      rotation: RotationStrategy.postgresSingleUser(),
    });
    const appRole = new iam.Role(dbStack, 'AppRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    appRole.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    // the deny is written before the alternating-users secret exists: the exemption is added later
    master.denyReadExcept([]);
    const appUser = new RotatingSecret(dbStack, 'AppUser', {
      existingSecret: new secretsmanager.Secret(dbStack, 'AppSecret', { secretName: 'db/app' }),
      rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: master.secret }),
    });
    const m = new AccessModel([dbStack]);
    const fnRole = (appUser.rotationFunction as lambda.Function).role!;
    expect(m.check({ principal: fnRole, action: 'secretsmanager:GetSecretValue', resource: master.secret })).toBe('Allowed');
    expect(m.check({ principal: appRole, action: 'secretsmanager:GetSecretValue', resource: master.secret })).toBe('ExplicitlyDenied');
    expect(m.check({ principal: appRole, action: 'secretsmanager:GetSecretValue', resource: appUser.secret })).toBe('Allowed');
  });

  test('the master\'s read deny exempts the alternating-users function whichever is declared first', () => {
    const dbStack = newStack('DbDenyReversed');
    const masterSecret = new secretsmanager.Secret(dbStack, 'MasterSecret', { secretName: 'db/master' });
    // the user of the master is declared before the master's RotatingSecret
    const appUser = new RotatingSecret(dbStack, 'AppUser', {
      existingSecret: new secretsmanager.Secret(dbStack, 'AppSecret', { secretName: 'db/app' }),
      rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret }),
    });
    const master = new RotatingSecret(dbStack, 'Master', { existingSecret: masterSecret, rotation: RotationStrategy.postgresSingleUser() });
    master.denyReadExcept([]);
    const m = new AccessModel([dbStack]);
    const fnRole = (appUser.rotationFunction as lambda.Function).role!;
    const other = `arn:aws:iam::${dbStack.account}:role/Admin`;
    expect(m.check({ principal: fnRole, action: 'secretsmanager:GetSecretValue', resource: masterSecret })).toBe('Allowed');
    expect(m.check({ principal: other, action: 'secretsmanager:GetSecretValue', resource: masterSecret })).toBe('ExplicitlyDenied');
  });

  test('a master imported twice (two objects, one ARN) still exempts its alternating-users function from the master\'s read deny', () => {
    const dbStack = newStack('DbImportedTwice');
    const arn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db/master-AbCdEf';
    const master = new RotatingSecret(dbStack, 'Master', {
      existingSecret: secretsmanager.Secret.fromSecretCompleteArn(dbStack, 'MasterForRotation', arn),
      rotation: RotationStrategy.postgresSingleUser(),
    });
    master.denyReadExcept([]);
    const appUser = new RotatingSecret(dbStack, 'AppUser', {
      existingSecret: new secretsmanager.Secret(dbStack, 'AppSecret', { secretName: 'db/app' }),
      // another import of the same master, as a separate construct library would make it
      rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: secretsmanager.Secret.fromSecretPartialArn(dbStack, 'MasterForUsers', arn.slice(0, -7)) }),
    });
    // the imported master's policy is the RotatingSecret's own ResourcePolicy: its deny spares the function's role
    const fnRole = (appUser.rotationFunction as lambda.Function).role!;
    const policy = Template.fromStack(dbStack).toJSON().Resources[dbStack.getLogicalId(master.node.findChild('Policy').node.defaultChild as never)];
    expect(policy.Properties.SecretId).toBe(arn);
    const deny = policy.Properties.ResourcePolicy.Statement.find((st: { Sid?: string }) => st.Sid === 'DenyReadExceptNamedPrincipals');
    expect(deny.Condition.ArnNotLike['aws:PrincipalArn']).toContainEqual({ 'Fn::GetAtt': [dbStack.getLogicalId(fnRole.node.defaultChild as never), 'Arn'] });
  });
});

