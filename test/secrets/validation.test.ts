import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AlternatingUsersRotationOptions, DatabaseTarget, RotatingSecret, RotatingSecretProps, RotationStrategy, SecretAlerts, SecretGrants,
} from '../../lib/secrets';
import { testApp } from '../support/app';
import { databaseStack, newStack } from './helpers';

/** A random-key secret with `props` on a fresh stack: the smallest valid RotatingSecret. */
function buildKey(props: Partial<RotatingSecretProps> = {}, stack: Stack = newStack()): RotatingSecret {
  return new RotatingSecret(stack, 'Secret', { rotation: RotationStrategy.randomKey(), ...props });
}

function buildDatabaseSecret(props: Partial<RotatingSecretProps> = {}): RotatingSecret {
  const { stack, vpc, instance } = databaseStack();
  return new RotatingSecret(stack, 'AppSecret', {
    rotation: RotationStrategy.postgresSingleUser(),
    database: DatabaseTarget.instance(instance),
    vpc,
    username: 'app',
    ...props,
  });
}

describe('RotationStrategy', () => {
  test('fails when the password length is under 12', () => {
    expect(() => RotationStrategy.postgresSingleUser({ passwordLength: 8 }))
      .toThrow('RotationStrategy.postgresSingleUser: passwordLength must be a whole number from 12 to 4096, got 8; shorter values are too easy to guess');
  });

  test('fails when the password length is over 4096', () => {
    expect(() => RotationStrategy.mysqlSingleUser({ passwordLength: 5000 }))
      .toThrow('RotationStrategy.mysqlSingleUser: passwordLength must be a whole number from 12 to 4096, got 5000');
  });

  test('fails when the key length is not a whole number', () => {
    expect(() => RotationStrategy.randomKey({ keyLength: 20.5 }))
      .toThrow('RotationStrategy.randomKey: keyLength must be a whole number from 12 to 4096, got 20.5');
  });

  test('fails when alternating users have no master secret', () => {
    // jsii languages and plain JavaScript can omit the required field
    expect(() => RotationStrategy.postgresAlternatingUsers({} as AlternatingUsersRotationOptions))
      .toThrow('RotationStrategy.postgresAlternatingUsers: masterSecret is required, got undefined; alternating users are created and updated '
        + 'with the master user\'s credentials, so pass { masterSecret: instance.secret } or use RotationStrategy.postgresSingleUser()');
  });

  test('fails when MySQL alternating users have no options at all', () => {
    expect(() => RotationStrategy.mysqlAlternatingUsers(undefined as unknown as AlternatingUsersRotationOptions))
      .toThrow(/^RotationStrategy.mysqlAlternatingUsers: masterSecret is required, got undefined;.*RotationStrategy.mysqlSingleUser\(\)$/);
  });

  test('fails when excludeCharacters leaves no letters or digits', () => {
    const all = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    expect(() => RotationStrategy.randomKey({ excludeCharacters: all }))
      .toThrow(`RotationStrategy.randomKey: excludeCharacters leaves no letters or digits to generate from, got "${all}"`);
  });

  test('fails when a custom strategy has no function', () => {
    expect(() => RotationStrategy.custom(undefined as unknown as lambda.IFunction))
      .toThrow('RotationStrategy.custom: rotationFunction is required, got undefined; pass the lambda.IFunction that rotates the secret');
  });
});

describe('DatabaseTarget', () => {
  test('fails when the port is out of range', () => {
    const stack = newStack();
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc: new ec2.Vpc(stack, 'Vpc') });
    expect(() => DatabaseTarget.connectable(sg, { host: 'db.internal', port: 70000 }))
      .toThrow('DatabaseTarget.connectable: port must be a whole number from 1 to 65535, got 70000');
  });

  test('fails when the host is empty', () => {
    const stack = newStack();
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc: new ec2.Vpc(stack, 'Vpc') });
    expect(() => DatabaseTarget.connectable(sg, { host: ' ', port: 5432 }))
      .toThrow('DatabaseTarget.connectable: host must not be empty; pass the host name or IP address the database listens on');
  });
});

describe('RotatingSecret rotation schedule', () => {
  test('fails when the rotation interval is under 4 hours', () => {
    expect(() => buildKey({ rotationInterval: Duration.hours(2) }))
      .toThrow('RotatingSecret Test/Secret: rotation interval must be between 4 hours and 1000 days, got 2 hours');
  });

  test('fails when the rotation interval is over 1000 days', () => {
    expect(() => buildKey({ rotationInterval: Duration.days(1001) }))
      .toThrow('RotatingSecret Test/Secret: rotation interval must be between 4 hours and 1000 days, got 1001 days');
  });

  test('fails when the rotation interval is zero', () => {
    expect(() => buildKey({ rotationInterval: Duration.days(0) }))
      .toThrow('RotatingSecret Test/Secret: rotation interval must be between 4 hours and 1000 days, got 0 days');
  });

  test('fails when an interval under a day is not whole hours', () => {
    expect(() => buildKey({ rotationInterval: Duration.minutes(270) }))
      .toThrow('RotatingSecret Test/Secret: a rotation interval under a day must be whole hours, got 4 hours 30 minutes');
  });

  test('fails when an interval of a day or more is not whole days', () => {
    expect(() => buildKey({ rotationInterval: Duration.hours(36) }))
      .toThrow('RotatingSecret Test/Secret: a rotation interval of a day or more must be whole days, got 1 day 12 hours; Secrets Manager schedules in hours or days');
  });

  test('fails when both an interval and a schedule expression are given', () => {
    expect(() => buildKey({ rotationInterval: Duration.days(7), rotationSchedule: 'rate(7 days)' }))
      .toThrow('RotatingSecret Test/Secret: rotationInterval and rotationSchedule exclude each other, got 7 days and "rate(7 days)"; give one');
  });

  test('fails when the schedule expression is neither rate nor cron', () => {
    expect(() => buildKey({ rotationSchedule: 'every monday' }))
      .toThrow('RotatingSecret Test/Secret: rotationSchedule must be rate(N hours), rate(N days) or cron(...) with six fields, got "every monday"; e.g. cron(0 4 ? * SUN *)');
  });

  test('fails when a cron expression has five fields', () => {
    expect(() => buildKey({ rotationSchedule: 'cron(0 4 * * SUN)' }))
      .toThrow('RotatingSecret Test/Secret: rotationSchedule must be rate(N hours), rate(N days) or cron(...) with six fields, got "cron(0 4 * * SUN)"; e.g. cron(0 4 ? * SUN *)');
  });

  test('fails when a rate expression is under 4 hours', () => {
    expect(() => buildKey({ rotationSchedule: 'rate(2 hours)' }))
      .toThrow('RotatingSecret Test/Secret: rotation interval must be between 4 hours and 1000 days, got rate(2 hours)');
  });

  test('fails when the rotation interval is a token', () => {
    expect(() => buildKey({ rotationInterval: Duration.days(Lazy.number({ produce: () => 7 })) }))
      .toThrow('RotatingSecret Test/Secret: rotationInterval must be a known duration, got a token; use rotationSchedule for expressions resolved at deploy time');
  });
});

describe('RotatingSecret replicas', () => {
  test('fails when a replica is in the primary region', () => {
    expect(() => buildKey({ replicas: [{ region: 'us-east-1' }] }))
      .toThrow('RotatingSecret Test/Secret: a replica must be in another region than the secret, got replica region us-east-1, which is the stack\'s region; '
        + 'drop it or choose another region');
  });

  test('fails when a replica region appears twice', () => {
    expect(() => buildKey({ replicas: [{ region: 'eu-west-1' }, { region: 'eu-west-1' }] }))
      .toThrow('RotatingSecret Test/Secret: each replica region may appear once, got eu-west-1 twice');
  });

  test('fails when a replica region is not a region name', () => {
    expect(() => buildKey({ replicas: [{ region: 'Europe' }] }))
      .toThrow('RotatingSecret Test/Secret: replica region must be a region name like eu-west-1, got "Europe"');
  });

  test('fails when a replica key is in another region than the replica', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-central-1:111111111111:key/11111111-2222-3333-4444-555555555555');
    expect(() => buildKey({ replicas: [{ region: 'eu-west-1', encryptionKey: key }] }, stack))
      .toThrow('RotatingSecret Test/Secret: the key of the replica in eu-west-1 must be in eu-west-1, got a key in eu-central-1 '
        + '(arn:aws:kms:eu-central-1:111111111111:key/11111111-2222-3333-4444-555555555555); import a key of the replica region with kms.Key.fromKeyArn');
  });
});

describe('RotatingSecret props', () => {
  test('fails when rotation is missing', () => {
    expect(() => new RotatingSecret(newStack(), 'Secret', {} as RotatingSecretProps))
      .toThrow('RotatingSecret Test/Secret: rotation is required, got undefined; pass e.g. RotationStrategy.postgresSingleUser()');
  });

  test('fails when props of a new secret are given with an existing secret', () => {
    const stack = newStack();
    const existing = new secretsmanager.Secret(stack, 'Existing');
    expect(() => buildKey({ existingSecret: existing, secretName: 'x', replicas: [{ region: 'eu-west-1' }] }, stack))
      .toThrow('RotatingSecret Test/Secret: secretName, replicas shape a new secret and do not apply with existingSecret, got existingSecret and secretName, replicas; '
        + 'set them where the existing secret is created, or drop existingSecret');
  });

  test('fails when the master secret would rotate itself with alternating users', () => {
    const { stack, vpc, instance } = databaseStack();
    expect(() => new RotatingSecret(stack, 'Master', {
      existingSecret: instance.secret!,
      rotation: RotationStrategy.postgresAlternatingUsers({ masterSecret: instance.secret! }),
      database: DatabaseTarget.instance(instance),
      vpc,
    })).toThrow('RotatingSecret Test/Master: the master secret cannot be rotated with alternating users of itself, got the same secret for existingSecret and masterSecret; '
      + 'rotate the master secret with postgres-single-user rotation');
  });

  test('fails when dedicatedEncryptionKey is given with encryptionKey or awsManagedKey', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    expect(() => new RotatingSecret(stack, 'A', { rotation: RotationStrategy.randomKey(), dedicatedEncryptionKey: true, encryptionKey: key }))
      .toThrow('RotatingSecret Test/A: dedicatedEncryptionKey creates a key for the secret, got it with encryptionKey; drop one of them');
    expect(() => new RotatingSecret(stack, 'B', { rotation: RotationStrategy.randomKey(), dedicatedEncryptionKey: true, awsManagedKey: true }))
      .toThrow('RotatingSecret Test/B: dedicatedEncryptionKey creates a key for the secret, got it with awsManagedKey; drop one of them');
  });

  test('fails when rotationFunctionGroup is not letters and digits', () => {
    expect(() => new RotatingSecret(newStack(), 'A', { rotation: RotationStrategy.randomKey(), rotationFunctionGroup: 'long-keys' }))
      .toThrow('RotatingSecret Test/A: rotationFunctionGroup must be 1 to 32 letters and digits (it names a construct id), got "long-keys"; e.g. "LongKeys"');
  });

  test('fails when both encryptionKey and awsManagedKey are given', () => {
    const stack = newStack();
    expect(() => buildKey({ encryptionKey: new kms.Key(stack, 'Key'), awsManagedKey: true }, stack))
      .toThrow('RotatingSecret Test/Secret: encryptionKey and awsManagedKey exclude each other, got both; drop awsManagedKey to use the key');
  });

  test('fails when a new database secret has no database', () => {
    expect(() => buildDatabaseSecret({ database: undefined }))
      .toThrow('RotatingSecret Test/AppSecret: a new postgres-single-user secret needs database to fill in host and port, got none; '
        + 'pass database: DatabaseTarget.instance(instance), or existingSecret for a secret that already holds them');
  });

  test('fails when a new database secret has no username', () => {
    expect(() => buildDatabaseSecret({ username: undefined }))
      .toThrow('RotatingSecret Test/AppSecret: a new postgres-single-user secret needs username, got none; pass the database user the secret is for');
  });

  test('fails when a random key is given database settings', () => {
    const { stack, vpc, instance } = databaseStack();
    expect(() => buildKey({ database: DatabaseTarget.instance(instance), vpc, username: 'app' }, stack))
      .toThrow('RotatingSecret Test/Secret: database, username apply to the database strategies, got them with random-key rotation; drop them, or use a postgres or mysql strategy');
  });

  test('fails when a database is given without a VPC', () => {
    expect(() => buildDatabaseSecret({ vpc: undefined }))
      .toThrow('RotatingSecret Test/AppSecret: database needs vpc so the rotation function can reach the database, got database without vpc; pass the database\'s VPC');
  });

  test('fails when a custom strategy is given a VPC', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111111111111:function:rotate');
    expect(() => new RotatingSecret(stack, 'Secret', { rotation: RotationStrategy.custom(fn), vpc: new ec2.Vpc(stack, 'Vpc') }))
      .toThrow('RotatingSecret Test/Secret: vpc and secretsManagerEndpoint place the shared rotation function, got them with RotationStrategy.custom(); '
        + 'configure the network of your own function where you create it');
  });

  test('fails when an endpoint is asked for without a VPC', () => {
    expect(() => buildKey({ secretsManagerEndpoint: true }))
      .toThrow('RotatingSecret Test/Secret: secretsManagerEndpoint needs vpc, got secretsManagerEndpoint without vpc; pass the VPC the function runs in');
  });

  test('fails when the secret name has characters Secrets Manager rejects', () => {
    expect(() => buildKey({ secretName: 'my app/db' }))
      .toThrow('RotatingSecret Test/Secret: secretName may hold 1 to 512 letters, digits and /_+=.@- only, got "my app/db"');
  });

  test('fails when deletion is denied but the removal policy destroys the secret', () => {
    expect(() => buildKey({ removalPolicy: RemovalPolicy.DESTROY, denyDelete: true }))
      .toThrow('RotatingSecret Test/Secret: denyDelete stops CloudFormation from deleting the secret, got denyDelete: true with removalPolicy DESTROY; '
        + 'drop denyDelete or use RemovalPolicy.RETAIN');
  });

  test('fails when a construct at stack level takes the shared function\'s id', () => {
    const stack = newStack();
    const id = buildKey({}, stack).rotationFunction.node.scope!.node.id;
    const other = newStack();
    new secretsmanager.Secret(other, id);
    expect(() => buildKey({}, other))
      .toThrow(`RotatingSecret: the id ${id} at the top of stack Test is reserved for the shared rotation function, but Test/${id} uses it; rename that construct`);
  });
});

describe('RotatingSecret grants', () => {
  test('fails when cross-account read is granted on a secret with the AWS managed key', () => {
    const secret = buildKey({ awsManagedKey: true });
    expect(() => secret.grantCrossAccountRead('222222222222'))
      .toThrow('RotatingSecret Test/Secret: grantCrossAccountRead(222222222222) needs a customer-managed key, but the secret uses the AWS managed key '
        + 'aws/secretsmanager, which other accounts can never use; remove awsManagedKey (or give the existing secret an encryptionKey)');
  });

  test('fails when the cross-account id is not 12 digits', () => {
    expect(() => buildKey().grantCrossAccountRead('2222'))
      .toThrow('RotatingSecret Test/Secret: grantCrossAccountRead needs a 12-digit AWS account id, got "2222"');
  });

  test('fails when the cross-account id is the secret\'s own account', () => {
    expect(() => buildKey().grantCrossAccountRead('111111111111'))
      .toThrow('RotatingSecret Test/Secret: grantCrossAccountRead(111111111111) names the secret\'s own account; use grantRead(role) for principals of the same account');
  });

  test('fails when reads are restricted but the custom rotation function\'s role is unknown', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111111111111:function:rotate');
    const secret = new RotatingSecret(stack, 'Secret', { rotation: RotationStrategy.custom(fn) });
    expect(() => secret.denyReadExcept([]))
      .toThrow('RotatingSecret Test/Secret: denyReadExcept would lock out the custom rotation function, whose role this app does not know; '
        + 'pass a function with its role (e.g. lambda.Function.fromFunctionAttributes with role)');
  });
});

describe('SecretGrants', () => {
  function role() {
    return new iam.Role(newStack(), 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  }

  test('fails when the tag key starts with aws:', () => {
    expect(() => SecretGrants.readByTag(role(), 'aws:cloudformation:stack-name', 'x'))
      .toThrow('SecretGrants.readByTag: tagKey must have 1 to 128 characters and not start with "aws:", got "aws:cloudformation:stack-name"');
  });

  test('fails when the tag key has a wildcard', () => {
    expect(() => SecretGrants.readByTag(role(), 'team*', 'x'))
      .toThrow('SecretGrants.readByTag: tagKey must not contain wildcards, got "team*"; name the exact tag key');
  });

  test('fails when the tag value is empty', () => {
    expect(() => SecretGrants.readByTag(role(), 'team', ''))
      .toThrow('SecretGrants.readByTag: tagValue must have 1 to 256 characters and no wildcards, got ""');
  });

  test('fails when the name prefix does not end with a slash', () => {
    expect(() => SecretGrants.readByNamePrefix(role(), 'my-app'))
      .toThrow('SecretGrants.readByNamePrefix: namePrefix must be secret-name characters (letters, digits, /_+=.@-) ending with "/", got "my-app"; '
        + 'e.g. "my-app/" (a prefix without the slash would also match other applications\' names)');
  });

  test('fails when the name prefix has a wildcard', () => {
    expect(() => SecretGrants.readByNamePrefix(role(), 'my-*/'))
      .toThrow('SecretGrants.readByNamePrefix: namePrefix must be secret-name characters (letters, digits, /_+=.@-) ending with "/", got "my-*/"; '
        + 'e.g. "my-app/" (a prefix without the slash would also match other applications\' names)');
  });

  test('fails when the name prefix is only a slash', () => {
    expect(() => SecretGrants.readByNamePrefix(role(), '/'))
      .toThrow('SecretGrants.readByNamePrefix: namePrefix must name a folder of secrets, got "/", which matches every secret whose name starts with "/"; e.g. "/my-app/"');
  });
});

describe('SecretAlerts', () => {
  test('fails when an email address is malformed', () => {
    expect(() => new SecretAlerts(newStack(), 'Alerts', { emailAddresses: ['security-team'] }))
      .toThrow('SecretAlerts: emailAddresses must be email addresses, got "security-team"');
  });
});

describe('RotatingSecret names across the app', () => {
  test('fails when two secrets of one account and region have the same name, naming both', () => {
    const stack = newStack();
    buildKey({ secretName: 'my-app/key' }, stack);
    expect(() => new RotatingSecret(stack, 'Again', { rotation: RotationStrategy.randomKey(), secretName: 'my-app/key' }))
      .toThrow('RotatingSecret Test/Again: secretName "my-app/key" is already the name of Test/Secret (account 111111111111, region us-east-1); Secrets Manager names are unique '
        + 'in an account and region (replicas included), so the second secret would fail to deploy: give each secret its own name');
  });

  test('fails when a secret has the name of another\'s replica in its region, in another stack', () => {
    const first = newStack('First');
    buildKey({ secretName: 'shared/key', replicas: [{ region: 'eu-west-1' }] }, first);
    const second = new Stack(first.node.scope!, 'Second', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(() => buildKey({ secretName: 'shared/key' }, second)).toThrow(/secretName "shared\/key" is already the name of First\/Secret \(account 111111111111, region eu-west-1\)/);
  });

  test('lets the same name be used in another account or region', () => {
    const first = newStack('First');
    buildKey({ secretName: 'my-app/key' }, first);
    const app = first.node.scope!;
    expect(() => buildKey({ secretName: 'my-app/key' }, new Stack(app, 'OtherAccount', { env: { account: '222222222222', region: 'us-east-1' } }))).not.toThrow();
    expect(() => buildKey({ secretName: 'my-app/key' }, new Stack(app, 'OtherRegion', { env: { account: '111111111111', region: 'us-west-2' } }))).not.toThrow();
  });

  test('warns that a replica region cannot be checked in a stack without a region', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    buildKey({ replicas: [{ region: 'eu-west-1' }] }, stack);
    Annotations.fromStack(stack).hasWarning('/Agnostic', Match.stringLikeRegexp('Stack Agnostic has no region, so a RotatingSecret replica in the stack\'s own region \\(eu-west-1\\) cannot be caught at synth'));
  });
});
