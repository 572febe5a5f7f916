import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { flattenReference } from '../../lib/private/nag-findings';
import { ReplicaDestination, ReplicatedBucket } from '../../lib/storage';
import { FLAG_SETS, testApp } from '../support/app';
import { BACKUP, replication, SAME_ACCOUNT_REPLICA, SOURCE } from './helpers';

/** Template shape of the replication wiring; what it allows is proven in access.test.ts. */
const rulesOf = (stack: Stack, source: ReplicatedBucket) =>
  stack.resolve((source.bucket.node.defaultChild as s3.CfnBucket).replicationConfiguration).rules as any[];
/** A resolved value as text, `<AWS::Partition>` for the partition where feature flags leave it a reference. */
const flat = (value: unknown) => flattenReference(value);
const statementsOf = (template: Template, type: string) =>
  Object.values(template.findResources(type)).flatMap((r) => r.Properties.PolicyDocument?.Statement ?? r.Properties.KeyPolicy?.Statement ?? []);

describe.each(FLAG_SETS)('replication with %s feature flags', (featureFlags) => {
  describe('to another account', () => {
    const env = replication({
      featureFlags,
      rules: [
        { id: 'critical', prefix: 'critical/', priority: 5, replicationTimeControl: true, deleteMarkerReplication: true },
        { id: 'tagged', tags: { class: 'backup', team: 'data' }, priority: 3, storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL },
        { id: 'one-tag', tags: { class: 'backup' }, priority: 2, metrics: true },
        { id: 'rest', priority: 0 },
      ],
    });
    env.app.synth();
    const source = Template.fromStack(env.sourceStack);
    const destination = Template.fromStack(env.destinationStack);
    const rules = rulesOf(env.sourceStack, env.source);

    test('every rule replicates SSE-KMS objects into the replica bucket, under the replica key, owned by the backup account', () => {
      for (const rule of rules) {
        expect(rule.status).toBe('Enabled');
        expect(rule.sourceSelectionCriteria).toEqual({ sseKmsEncryptedObjects: { status: 'Enabled' } });
        expect(flat(rule.destination.bucket)).toMatch(/^arn:(aws|<AWS::Partition>):s3:::backup-replica-[0-9a-f]{12}$/);
        expect(flat(rule.destination.bucket)).toContain(env.destinationStack.resolve((env.replica.bucket.node.defaultChild as s3.CfnBucket).bucketName));
        expect(rule.destination.account).toBe(BACKUP.account);
        expect(rule.destination.accessControlTranslation).toEqual({ owner: 'Destination' });
        expect(flat(rule.destination.encryptionConfiguration.replicaKmsKeyId)).toMatch(/^arn:(aws|<AWS::Partition>):kms:us-west-2:222222222222:alias\/replica\/Backup-Replica-[0-9A-F]{8}$/);
      }
    });

    test('filters by prefix, by one tag, and by several tags (an And), with the given priorities', () => {
      expect(rules.map((r) => [r.id, r.priority, r.filter])).toEqual([
        ['critical', 5, { prefix: 'critical/' }],
        ['tagged', 3, { and: { prefix: undefined, tagFilters: [{ key: 'class', value: 'backup' }, { key: 'team', value: 'data' }] } }],
        ['one-tag', 2, { tagFilter: { key: 'class', value: 'backup' } }],
        ['rest', 0, { prefix: '' }],
      ]);
    });

    test('delete markers, Replication Time Control, metrics and storage class follow each rule', () => {
      expect(rules.map((r) => [r.id, r.deleteMarkerReplication.status, r.destination.replicationTime, r.destination.metrics, r.destination.storageClass])).toEqual([
        ['critical', 'Enabled', { status: 'Enabled', time: { minutes: 15 } }, { status: 'Enabled', eventThreshold: { minutes: 15 } }, undefined],
        ['tagged', 'Disabled', undefined, undefined, 'GLACIER_IR'],
        ['one-tag', 'Disabled', undefined, { status: 'Enabled', eventThreshold: { minutes: 15 } }, undefined],
        ['rest', 'Disabled', undefined, undefined, undefined],
      ]);
    });

    test('the stacks refer to each other by names in the templates, never by export or lookup', () => {
      for (const template of [source, destination]) {
        const text = JSON.stringify(template.toJSON());
        expect(text).not.toContain('Fn::ImportValue');
        expect(text).not.toContain('Custom::');
        expect(Object.keys(template.toJSON().Outputs ?? {})).toEqual([]);
      }
      const roleName = Object.values(source.findResources('AWS::IAM::Role'))[0].Properties.RoleName;
      expect(roleName).toMatch(/^Source-Data-ReplicationRole-[0-9a-f]{12}$/);
      expect(JSON.stringify(destination.toJSON())).toContain(`:role/${roleName}`);
    });

    test('the source stack deploys after the replica stack', () => {
      expect(env.sourceStack.dependencies).toEqual([env.destinationStack]);
      expect(env.destinationStack.dependencies).toEqual([]);
    });

    test('the replication role is S3\'s alone and has one managed policy', () => {
      source.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' } }] },
      });
      expect(Object.keys(source.findResources('AWS::IAM::Policy'))).toEqual([]);
      expect(Object.keys(source.findResources('AWS::IAM::ManagedPolicy'))).toHaveLength(1);
    });

    test('the replica bucket and key let in the source account only through the role\'s ARN', () => {
      const fromSource = [...statementsOf(destination, 'AWS::S3::BucketPolicy'), ...statementsOf(destination, 'AWS::KMS::Key')]
        .filter((s) => JSON.stringify(s.Principal ?? {}).includes(SOURCE.account));
      expect(fromSource.map((s) => s.Sid)).toEqual(['AllowReplicationFromSource0', 'EncryptReplicasFromSource0']);
      for (const statement of fromSource) {
        expect(statement.Effect).toBe('Allow');
        expect(flat(statement.Condition.ArnEquals['aws:PrincipalArn'])).toMatch(/^arn:(aws|<AWS::Partition>):iam::111111111111:role\/Source-Data-ReplicationRole-[0-9a-f]{12}$/);
      }
    });
  });

  describe('within one account', () => {
    const env = replication({ featureFlags, destinationEnv: SAME_ACCOUNT_REPLICA });
    const rule = rulesOf(env.sourceStack, env.source)[0];
    const destination = Template.fromStack(env.destinationStack);

    test('keeps ownership and names no account', () => {
      expect(rule.destination.account).toBeUndefined();
      expect(rule.destination.accessControlTranslation).toBeUndefined();
      expect(rule.deleteMarkerReplication).toEqual({ status: 'Disabled' });
      expect(rule.priority).toBe(0);
      expect(rule.id).toBe('Rule0');
    });

    test('adds no allow to the replica\'s policies (the role\'s own policy is enough), only the write deny', () => {
      const sids = [...statementsOf(destination, 'AWS::S3::BucketPolicy'), ...statementsOf(destination, 'AWS::KMS::Key')].map((s) => s.Sid).filter(Boolean);
      expect(sids).not.toContain('AllowReplicationFromSource0');
      expect(sids).not.toContain('EncryptReplicasFromSource0');
      expect(sids).toContain('DenyWritesExceptReplication');
    });
  });

  test('two sources into one replica: each role exempt from the write deny, each with its own statements', () => {
    const app = testApp({ featureFlags });
    const backup = new Stack(app, 'Backup', { env: BACKUP });
    const replica = new ReplicaDestination(backup, 'Replica');
    const east = new ReplicatedBucket(new Stack(app, 'East', { env: SOURCE }), 'Data', { replicationRules: [{ destination: replica }] });
    const west = new ReplicatedBucket(new Stack(app, 'Central', { env: { account: '333333333333', region: 'eu-central-1' } }), 'Data', { replicationRules: [{ destination: replica }] });
    const statements = statementsOf(Template.fromStack(backup), 'AWS::S3::BucketPolicy');
    const deny = statements.find((s) => s.Sid === 'DenyWritesExceptReplication');
    const roleNames = [east, west].map((b) => Stack.of(b).resolve((b.replicationRole.node.defaultChild as any).roleName));
    expect(deny.Condition.ArnNotEquals['aws:PrincipalArn'].map(flat)).toEqual([
      expect.stringMatching(new RegExp(`:111111111111:role/${roleNames[0]}$`)),
      expect.stringMatching(new RegExp(`:333333333333:role/${roleNames[1]}$`)),
    ]);
    expect(statements.filter((s) => /^AllowReplicationFromSource\d$/.test(s.Sid)).map((s) => flat(s.Principal.AWS))).toEqual([
      expect.stringContaining(':111111111111:root'), expect.stringContaining(':333333333333:root'),
    ]);
  });

  test('without denyWritesExceptReplication the replica has no write deny', () => {
    const env = replication({ featureFlags, destinationProps: { denyWritesExceptReplication: false } });
    expect(statementsOf(Template.fromStack(env.destinationStack), 'AWS::S3::BucketPolicy').map((s) => s.Sid)).not.toContain('DenyWritesExceptReplication');
  });

  test('a replica key of the app is given the alias the source names', () => {
    const app = testApp({ featureFlags });
    const backup = new Stack(app, 'Backup', { env: BACKUP });
    const key = new kms.Key(backup, 'Key', { enableKeyRotation: true });
    const replica = new ReplicaDestination(backup, 'Replica', { encryptionKey: key, keyAlias: 'alias/backup/data' });
    const source = new ReplicatedBucket(new Stack(app, 'Source', { env: SOURCE }), 'Data', { replicationRules: [{ destination: replica }] });
    Template.fromStack(backup).hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/backup/data', TargetKeyId: { 'Fn::GetAtt': [backup.resolve((key.node.defaultChild as kms.CfnKey).logicalId), 'Arn'] },
    });
    expect(flat(rulesOf(Stack.of(source), source)[0].destination.encryptionConfiguration.replicaKmsKeyId)).toMatch(/:kms:us-west-2:222222222222:alias\/backup\/data$/);
    expect(replica.keyAliasName).toBe('alias/backup/data');
  });

  test('a replica key imported by ARN is named exactly, and its policy is left to its owner with a warning', () => {
    const app = testApp({ featureFlags });
    const backup = new Stack(app, 'Backup', { env: BACKUP });
    const keyArn = 'arn:aws:kms:us-west-2:222222222222:key/0f8fad5b-d9cb-469f-a165-70867728950e';
    const replica = new ReplicaDestination(backup, 'Replica', { encryptionKey: kms.Key.fromKeyArn(backup, 'Key', keyArn) });
    const source = new ReplicatedBucket(new Stack(app, 'Source', { env: SOURCE }), 'Data', { replicationRules: [{ destination: replica }] });
    expect(rulesOf(Stack.of(source), source)[0].destination.encryptionConfiguration.replicaKmsKeyId).toBe(keyArn);
    const encrypt = statementsOf(Template.fromStack(Stack.of(source)), 'AWS::IAM::ManagedPolicy').find((s) => s.Sid === 'EncryptReplicasOfDestination0');
    expect(encrypt.Resource).toBe(keyArn);
    Annotations.fromStack(backup).hasWarning('/Backup/Replica', Match.stringLikeRegexp(`the policy of the replica key ${keyArn} is not managed by this app; let account 111111111111`));
  });

  test('stacks without accounts replicate within the deploying account', () => {
    const env = replication({ featureFlags, sourceEnv: { region: SOURCE.region }, destinationEnv: { region: BACKUP.region } });
    const rule = rulesOf(env.sourceStack, env.source)[0];
    expect(rule.destination.account).toBeUndefined();
    expect(() => env.app.synth()).not.toThrow();
  });
});
