import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { secureStorage } from '../../examples/secure-storage';
import {
  ReplicaDestination, ReplicatedBucket, ReplicatedBucketProps, ReplicationRule, SecureBucket,
} from '../../lib/storage';
import { testApp, testStack } from '../support/app';
import { BACKUP, replication, SOURCE } from './helpers';

/** Every bad prop fails at construction (or synthesis, where the fact is known only then) with its own message. */

describe('SecureBucket', () => {
  test('fails when the maximum pre-signed URL age is under a second', () => {
    expect(() => new SecureBucket(testStack(), 'Data', { maxPresignedUrlAge: Duration.millis(500) }))
      .toThrow('SecureBucket Test/Data: maxPresignedUrlAge must be between 1 second and 7 days (the longest a SigV4 pre-signed URL lives), got 500 millis');
  });

  test('fails when the maximum pre-signed URL age is over 7 days', () => {
    expect(() => new SecureBucket(testStack(), 'Data', { maxPresignedUrlAge: Duration.days(8) }))
      .toThrow('SecureBucket Test/Data: maxPresignedUrlAge must be between 1 second and 7 days (the longest a SigV4 pre-signed URL lives), got 8 days');
  });

  test('fails when the key is in another region', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(() => new SecureBucket(stack, 'Data', { encryptionKey: key }))
      .toThrow('SecureBucket Test/Data: encryptionKey must be in the bucket\'s region us-east-1 (S3 encrypts only with keys of its own region), '
        + 'got a key in eu-west-1; create the key in us-east-1 or leave encryptionKey out');
  });

  test('fails when the key is a key of another region\'s stack', () => {
    const app = testApp();
    const keyStack = new Stack(app, 'Keys', { env: { account: '111111111111', region: 'eu-west-1' } });
    const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(() => new SecureBucket(stack, 'Data', { encryptionKey: new kms.Key(keyStack, 'Key') }))
      .toThrow(/SecureBucket Test\/Data: encryptionKey must be in the bucket's region us-east-1 .*got a key in eu-west-1/);
  });

  test('fails when the log bucket is encrypted with a KMS key', () => {
    const stack = testStack();
    const logs = new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.KMS });
    expect(() => new SecureBucket(stack, 'Data', { serverAccessLogsBucket: logs }))
      .toThrow('SecureBucket Test/Data: serverAccessLogsBucket must be encrypted with SSE-S3, since S3 delivers server access logs to no other kind, '
        + 'got a bucket encrypted with the KMS key Test/Logs/Key; leave serverAccessLogsBucket out for a log bucket made for it');
  });

  test('fails when the log bucket is in another region', () => {
    const stack = testStack();
    const logs = s3.Bucket.fromBucketAttributes(stack, 'Logs', { bucketName: 'central-logs', region: 'eu-west-1' });
    expect(() => new SecureBucket(stack, 'Data', { serverAccessLogsBucket: logs }))
      .toThrow('SecureBucket Test/Data: serverAccessLogsBucket must be in the bucket\'s region us-east-1 (S3 delivers access logs within a region), got a bucket in eu-west-1');
  });

  test('fails when the log prefix starts with a slash', () => {
    expect(() => new SecureBucket(testStack(), 'Data', { serverAccessLogsPrefix: '/data/' }))
      .toThrow('SecureBucket Test/Data: serverAccessLogsPrefix must not start with "/" and must be at most 512 characters, got "/data/"');
  });

  test('fails when the stack already has another construct where the log bucket goes', () => {
    const stack = testStack();
    new s3.Bucket(stack, 'SecureBucketAccessLogs');
    expect(() => new SecureBucket(stack, 'Data'))
      .toThrow('SecureBucket Test/Data: the stack\'s access-log bucket goes at Test/SecureBucketAccessLogs, but another construct has that id; rename it or give serverAccessLogsBucket');
  });

  test('skips the checks on unresolved values', () => {
    const stack = testStack();
    expect(() => new SecureBucket(stack, 'Data', { serverAccessLogsPrefix: Lazy.string({ produce: () => '/x' }) })).not.toThrow();
  });
});

describe('ReplicaDestination', () => {
  test('fails when it is not versioned', () => {
    expect(() => replication({ destinationProps: { versioned: false } }))
      .toThrow('ReplicaDestination Backup/Replica: a replication destination must be versioned (S3 replicates only between versioned buckets), got versioned: false; remove it');
  });

  test('fails when its stack has no region', () => {
    expect(() => new ReplicaDestination(new Stack(testApp(), 'Backup'), 'Replica'))
      .toThrow('ReplicaDestination Backup/Replica: the stack Backup needs an explicit region (env: { region }), since the source stack names this bucket\'s key '
        + 'by an ARN of that region and S3 must know where to replicate; got an environment-agnostic region');
  });

  test.each([
    ['has no alias/ prefix', 'replica-key'],
    ['is reserved for AWS managed keys', 'alias/aws/s3'],
    ['has a space', 'alias/has space'],
    ['is over 256 characters', `alias/${'x'.repeat(251)}`],
  ])('fails when the key alias %s', (_why, alias) => {
    expect(() => replication({ destinationProps: { keyAlias: alias } }))
      .toThrow(`ReplicaDestination Backup/Replica: keyAlias must be "alias/" followed by 1 to 250 letters, digits, "/", "_" or "-", and not start with "alias/aws/" `
        + `(reserved for AWS managed keys), got "${alias}"`);
  });

  test('fails when a key alias is given for a key imported by ARN', () => {
    const app = testApp();
    const stack = new Stack(app, 'Backup', { env: BACKUP });
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-west-2:222222222222:key/0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(() => new ReplicaDestination(stack, 'Replica', { encryptionKey: key, keyAlias: 'alias/replica' }))
      .toThrow('ReplicaDestination Backup/Replica: keyAlias names a key this app creates or manages, but encryptionKey is imported by ARN '
        + '(arn:aws:kms:us-west-2:222222222222:key/0f8fad5b-d9cb-469f-a165-70867728950e); remove keyAlias');
  });

  test('fails when the bucket name is a token', () => {
    const stack = new Stack(testApp(), 'Backup', { env: BACKUP });
    expect(() => new ReplicaDestination(stack, 'Replica', { bucketName: Lazy.string({ produce: () => 'replica' }) }))
      .toThrow(/^ReplicaDestination Backup\/Replica: bucketName must be a literal name, since the source stack in another region names the bucket by it, got a token \(.+\); leave it out for a generated name$/);
  });

  test('fails at synthesis when no ReplicatedBucket replicates to it', () => {
    const app = testApp();
    new ReplicaDestination(new Stack(app, 'Backup', { env: BACKUP }), 'Replica');
    expect(() => app.synth()).toThrow(/ReplicaDestination Backup\/Replica: no ReplicatedBucket replicates to this destination; name it in a ReplicatedBucket's replicationRules, or use a SecureBucket/);
  });
});

describe('ReplicatedBucket', () => {
  const rule = (over: Partial<ReplicationRule> = {}) => over;

  test('fails when there are no replication rules', () => {
    expect(() => replication({ rules: [] }))
      .toThrow('ReplicatedBucket Source/Data: replicationRules must name at least one rule, got an empty list; pass e.g. [{ destination: replica }] with a ReplicaDestination, or use a SecureBucket');
  });

  test('fails when props are missing altogether (jsii languages can omit them)', () => {
    const stack = new Stack(testApp(), 'Source', { env: SOURCE });
    expect(() => new ReplicatedBucket(stack, 'Data', undefined as unknown as ReplicatedBucketProps))
      .toThrow('ReplicatedBucket Source/Data: replicationRules must name at least one rule, got undefined;');
  });

  test('fails when the source is not versioned', () => {
    expect(() => replication({ sourceProps: { versioned: false } }))
      .toThrow('ReplicatedBucket Source/Data: replication needs versioning on the source (S3 replicates only between versioned buckets), got versioned: false; remove it');
  });

  test('fails when the source stack has no region', () => {
    expect(() => replication({ sourceEnv: { account: SOURCE.account } }))
      .toThrow('ReplicatedBucket Source/Data: the stack Source needs an explicit region (env: { region }) to replicate across regions, got an environment-agnostic region');
  });

  test('fails when the destination is in the source\'s region', () => {
    expect(() => replication({ destinationEnv: { account: BACKUP.account, region: SOURCE.region } }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 replicates to Backup/Replica in us-east-1, the source\'s own region; '
        + 'put the ReplicaDestination in a stack of another region (this is cross-region replication)');
  });

  test('fails when the destination stack has no account and the source has one', () => {
    expect(() => replication({ destinationEnv: { region: BACKUP.region } }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 may cross accounts, but the stack of Backup/Replica has no explicit account while this bucket\'s stack is in 111111111111; '
        + 'give both stacks env: { account } (or neither, to deploy both into the same account)');
  });

  test('fails when the source stack has no account and the destination has one', () => {
    expect(() => replication({ sourceEnv: { region: SOURCE.region } }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 may cross accounts, but this bucket\'s stack Source has no explicit account while Backup/Replica is in 222222222222; '
        + 'give both stacks env: { account } (or neither, to deploy both into the same account)');
  });

  test('fails when some rules have a priority and others do not', () => {
    expect(() => replication({ rules: [rule({ priority: 1, prefix: 'a/' }), rule({ prefix: 'b/' })] }))
      .toThrow('ReplicatedBucket Source/Data: give every replication rule a priority or none, got priorities on 1 of 2 rules (rule 1 has none)');
  });

  test('fails when two rules share a priority', () => {
    expect(() => replication({ rules: [rule({ priority: 1, prefix: 'a/' }), rule({ priority: 2, prefix: 'b/' }), rule({ priority: 1, prefix: 'c/' })] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule priorities must differ, got 1 for rules 0 and 2');
  });

  test.each([-1, 1.5])('fails when a priority is %s', (priority) => {
    expect(() => replication({ rules: [rule({ priority })] }))
      .toThrow(`ReplicatedBucket Source/Data: replication rule 0 needs a priority that is a whole number of 0 or more, got ${priority}`);
  });

  test('fails when two rules share an id', () => {
    expect(() => replication({ rules: [rule({ id: 'backup', prefix: 'a/' }), rule({ id: 'backup', prefix: 'b/' })] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule ids must differ, got "backup" for rules 0 and 1');
  });

  test('fails when a given id collides with a default one', () => {
    expect(() => replication({ rules: [rule({ prefix: 'a/' }), rule({ id: 'Rule0', prefix: 'b/' })] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule ids must differ, got "Rule0" for rules 0 and 1');
  });

  test('fails when an id is longer than 255 characters', () => {
    expect(() => replication({ rules: [rule({ id: 'r'.repeat(256) })] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 has an id of 256 characters, S3 takes 1 to 255');
  });

  test('fails when a prefix is longer than an object key can be', () => {
    expect(() => replication({ rules: [rule({ prefix: 'p'.repeat(1025) })] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 has a prefix of 1025 characters, S3 takes at most 1024');
  });

  test('fails when a tag key is empty', () => {
    expect(() => replication({ rules: [rule({ tags: { '': 'x' } })] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 filters by a tag key of 0 characters (""), S3 takes 1 to 128');
  });

  test('fails when a tag value is longer than 256 characters', () => {
    expect(() => replication({ rules: [rule({ tags: { class: 'v'.repeat(257) } })] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 filters by tag class with a value of 257 characters, S3 takes at most 256');
  });

  test('fails when a rule filters by tags and replicates delete markers', () => {
    expect(() => replication({ rules: [rule({ tags: { class: 'backup' }, deleteMarkerReplication: true })] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 filters by tags and replicates delete markers, which S3 does not support (a delete marker has no tags); '
        + 'drop the tags or deleteMarkerReplication');
  });

  test('fails when Replication Time Control is on and metrics are off', () => {
    expect(() => replication({ rules: [rule({ replicationTimeControl: true, metrics: false })] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 turns on Replication Time Control without metrics, got metrics: false; S3 Replication Time Control needs them, remove metrics');
  });

  test('fails when a rule has no destination (jsii languages can omit it)', () => {
    const stack = new Stack(testApp(), 'Source', { env: SOURCE });
    expect(() => new ReplicatedBucket(stack, 'Data', { replicationRules: [{} as ReplicationRule] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 needs a ReplicaDestination as destination, got undefined');
  });

  test('fails when a rule\'s destination is another kind of bucket', () => {
    const app = testApp();
    const other = new SecureBucket(new Stack(app, 'Backup', { env: BACKUP }), 'Plain');
    const stack = new Stack(app, 'Source', { env: SOURCE });
    expect(() => new ReplicatedBucket(stack, 'Data', { replicationRules: [{ destination: other as unknown as ReplicaDestination }] }))
      .toThrow('ReplicatedBucket Source/Data: replication rule 0 needs a ReplicaDestination as destination, got Backup/Plain');
  });
});

describe('secure-storage example context', () => {
  const build = (context: Record<string, string>) => secureStorage.build(new App({ context }));

  test('fails when an account is not 12 digits', () => {
    expect(() => build({ 'replica-account': '2222' })).toThrow('secure-storage: context replica-account must be a 12-digit AWS account id, got "2222"');
  });

  test('fails when both accounts are the same', () => {
    expect(() => build({ 'source-account': '333333333333', 'replica-account': '333333333333' }))
      .toThrow('secure-storage: source-account and replica-account must differ (the example keeps the replicas in a backup account), got 333333333333 for both');
  });

  test('fails, through the construct, when both regions are the same', () => {
    expect(() => build({ 'replica-region': 'us-east-1' })).toThrow(/replication rule 0 replicates to SecureStorageReplica\/Replica in us-east-1, the source's own region/);
  });
});
