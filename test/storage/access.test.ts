import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ReplicaDestination, ReplicatedBucket, SecureBucket } from '../../lib/storage';
import { AccessModel, TemplateInput } from '../support/access-model';
import { FeatureFlags, FLAG_SETS, testApp } from '../support/app';
import { BACKUP, SAME_ACCOUNT_REPLICA, SOURCE } from './helpers';

/**
 * Effective permissions of the storage constructs, checked with the AccessModel, from the side of
 * their users and of an attacker who holds one permission:
 * - source account 111111111111 (us-east-1): `Data` (a ReplicatedBucket, pre-signed URLs at most 5
 *   minutes), `Plain` (a SecureBucket with defaults), an admin with s3:* and kms:* on everything, and one
 *   role per single-permission attacker;
 * - backup account 222222222222 (us-west-2): the ReplicaDestination `Replica`, its admin, and an attacker
 *   with kms:CreateGrant;
 * - an attacker's own account 999999999999: a bucket and a key whose policies let anyone in.
 */
const ATTACKER_ACCOUNT = '999999999999';
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

/** What an attacker controls outside our accounts: a bucket and a key that accept anyone. */
const attackerAccount: TemplateInput = {
  stackName: 'Attacker',
  account: ATTACKER_ACCOUNT,
  region: 'us-west-2',
  template: {
    Resources: {
      Exfil: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'attacker-exfil' } },
      ExfilPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: { Bucket: { Ref: 'Exfil' }, PolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:*', Resource: 'arn:aws:s3:::attacker-exfil/*' }) },
      },
      ExfilKey: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }) } },
    },
  },
};

function roleWith(stack: Stack, id: string, ...actions: string[]): iam.Role {
  const role = new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
  role.addToPolicy(new iam.PolicyStatement({ actions, resources: ['*'] }));
  return role;
}

function build(featureFlags: FeatureFlags) {
  const app = testApp({ featureFlags });
  const backup = new Stack(app, 'Backup', { env: BACKUP });
  const source = new Stack(app, 'Source', { env: SOURCE });
  const replica = new ReplicaDestination(backup, 'Replica');
  const data = new ReplicatedBucket(source, 'Data', { maxPresignedUrlAge: Duration.minutes(5), replicationRules: [{ destination: replica }] });
  const plain = new SecureBucket(source, 'Plain');
  // a bucket of the source account whose owner wrote a policy that lets anyone of the account in
  // (an attacker with s3:PutBucketPolicy on a bucket that is not ours)
  const open = new SecureBucket(source, 'Open');
  open.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['s3:*'], resources: [open.bucket.arnForObjects('*')] }));
  const batch = new iam.Role(source, 'BatchReplication', { assumedBy: new iam.ServicePrincipal('batchoperations.s3.amazonaws.com') });
  data.grantBatchReplication(batch);
  return {
    app, backup, source, replica, data, plain, open, batch,
    admin: roleWith(source, 'Admin', 's3:*', 'kms:*'),
    backupAdmin: roleWith(backup, 'BackupAdmin', 's3:*', 'kms:*'),
    createGrant: roleWith(source, 'CreateGrant', 'kms:CreateGrant'),
    backupCreateGrant: roleWith(backup, 'BackupCreateGrant', 'kms:CreateGrant'),
    reader: roleWith(source, 'Reader', 's3:GetObject'),
    replicationChanger: roleWith(source, 'ReplicationChanger', 's3:PutReplicationConfiguration'),
    logForger: roleWith(source, 'LogForger', 's3:PutObject', 's3:DeleteObjectVersion'),
    model: new AccessModel([backup, source, attackerAccount]),
  };
}

const tls = (version: number) => ({ 's3:TlsVersion': version });
const viaS3 = (region: string, bucketArn: string) => ({ 'kms:ViaService': `s3.${region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': bucketArn });

describe.each(FLAG_SETS)('storage access with %s feature flags', (featureFlags) => {
  const env = build(featureFlags);
  const { model } = env;
  const object = (bucket: SecureBucket, key = 'reports/a.csv') => ({ resource: bucket.bucket, resourceSuffix: `/${key}` });

  describe('TLS', () => {
    test.each(['s3:GetObject', 's3:PutObject', 's3:DeleteObjectVersion'])('a principal allowed s3:* may %s over TLS 1.2 and 1.3', (action) => {
      expect(model.check({ principal: env.admin, action, ...object(env.data), context: tls(1.2) })).toBe('Allowed');
      expect(model.check({ principal: env.admin, action, ...object(env.data), context: tls(1.3) })).toBe('Allowed');
    });

    test.each(['s3:GetObject', 's3:PutObject', 's3:DeleteObjectVersion'])('the same principal is denied %s with TLS 1.0 or 1.1', (action) => {
      expect(model.check({ principal: env.admin, action, ...object(env.data), context: tls(1.0) })).toBe('ExplicitlyDenied');
      expect(model.check({ principal: env.admin, action, ...object(env.data), context: tls(1.1) })).toBe('ExplicitlyDenied');
    });

    test('the same principal is denied over plain HTTP, on objects and on the bucket', () => {
      expect(model.check({ principal: env.admin, action: 's3:GetObject', ...object(env.data), context: { 'aws:SecureTransport': false } })).toBe('ExplicitlyDenied');
      expect(model.check({ principal: env.admin, action: 's3:ListBucket', resource: env.data.bucket, context: { 'aws:SecureTransport': false } })).toBe('ExplicitlyDenied');
      expect(model.check({ principal: env.admin, action: 's3:ListBucket', resource: env.data.bucket })).toBe('Allowed');
    });

    test('the replica and both log buckets deny plain HTTP and TLS 1.1 too', () => {
      for (const [principal, bucket] of [[env.backupAdmin, env.replica.bucket], [env.admin, env.data.serverAccessLogsBucket], [env.backupAdmin, env.replica.serverAccessLogsBucket]] as const) {
        expect(model.check({ principal, action: 's3:GetObject', resource: bucket, resourceSuffix: '/k', context: { 'aws:SecureTransport': false } })).toBe('ExplicitlyDenied');
        expect(model.check({ principal, action: 's3:GetObject', resource: bucket, resourceSuffix: '/k', context: tls(1.1) })).toBe('ExplicitlyDenied');
        expect(model.check({ principal, action: 's3:GetObject', resource: bucket, resourceSuffix: '/k', context: tls(1.2) })).toBe('Allowed');
      }
    });
  });

  describe('signatures', () => {
    const presigned = (bucket: SecureBucket, age: Duration) => model.check({
      principal: env.admin, action: 's3:GetObject', ...object(bucket), context: { 's3:authType': 'REST-QUERY-STRING', 's3:signatureAge': age.toMilliseconds() },
    });

    test('a pre-signed URL older than the limit is denied, a younger one allowed', () => {
      expect(presigned(env.data, Duration.minutes(6))).toBe('ExplicitlyDenied');
      expect(presigned(env.data, Duration.minutes(4))).toBe('Allowed');
    });

    test('without a limit the same old URL works (the limit is what denies it)', () => {
      expect(presigned(env.plain, Duration.days(6))).toBe('Allowed');
    });

    test('a request signed in its headers is not caught by the pre-signed URL limit', () => {
      expect(model.check({ principal: env.admin, action: 's3:GetObject', ...object(env.data), context: { 's3:authType': 'REST-HEADER', 's3:signatureAge': 600_000 } })).toBe('Allowed');
    });

    test('SigV2 is denied, SigV4 allowed', () => {
      for (const bucket of [env.data, env.plain]) {
        expect(model.check({ principal: env.admin, action: 's3:GetObject', ...object(bucket), context: { 's3:signatureversion': 'AWS' } })).toBe('ExplicitlyDenied');
        expect(model.check({ principal: env.admin, action: 's3:GetObject', ...object(bucket), context: { 's3:signatureversion': 'AWS4-HMAC-SHA256' } })).toBe('Allowed');
      }
    });
  });

  describe('the replication role', () => {
    const role = () => env.data.replicationRole;

    test('is assumed by S3 and by no principal of the account', () => {
      expect(model.check({ principal: 's3.amazonaws.com', action: 'sts:AssumeRole', resource: role() })).toBe('Allowed');
      // an administrator of the account (sts:AssumeRole on everything) is not in the trust policy
      expect(model.check({ principal: 'arn:aws:iam::111111111111:role/administrator', action: 'sts:AssumeRole', resource: role() })).toBe('ImplicitlyDenied');
      expect(model.check({ principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: role() })).toBe('ImplicitlyDenied');
    });

    test.each(['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'])('may %s in the source bucket and no other', (action) => {
      expect(model.check({ principal: role(), action, ...object(env.data) })).toBe('Allowed');
      // its own policy denies every other bucket, even one whose policy lets the whole account in
      expect(model.check({ principal: role(), action, ...object(env.plain) })).toBe('ExplicitlyDenied');
      expect(model.check({ principal: role(), action, ...object(env.open) })).toBe('ExplicitlyDenied');
      expect(model.check({ principal: env.admin, action, ...object(env.open) })).toBe('Allowed');
    });

    test('reads the source for replication only: no plain reads, writes or deletes', () => {
      for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion']) {
        expect([action, model.check({ principal: role(), action, ...object(env.data) })]).toEqual([action, 'ImplicitlyDenied']);
      }
    });

    test('decrypts source objects only through S3 of the source region, for the source bucket', () => {
      const decrypt = (context: Record<string, string>) => model.check({ principal: role(), action: 'kms:Decrypt', resource: env.data.encryptionKey, context });
      expect(decrypt(viaS3('us-east-1', model.arnOf(env.data.bucket)))).toBe('Allowed');
      expect(decrypt(viaS3('us-east-1', `${model.arnOf(env.data.bucket)}/reports/a.csv`))).toBe('Allowed');
      expect(decrypt(viaS3('us-west-2', model.arnOf(env.data.bucket)))).toBe('ImplicitlyDenied');
      expect(decrypt(viaS3('us-east-1', model.arnOf(env.plain.bucket)))).toBe('ImplicitlyDenied');
      expect(decrypt({ 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' })).toBe('ImplicitlyDenied');
      expect(model.check({ principal: role(), action: 'kms:Decrypt', resource: env.plain.encryptionKey, context: viaS3('us-east-1', model.arnOf(env.plain.bucket)) }))
        .toBe('ExplicitlyDenied');
    });

    test.each(['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'])('may %s into the replica bucket', (action) => {
      expect(model.check({ principal: role(), action, ...object(env.replica) })).toBe('Allowed');
    });

    test('may do nothing else in the replica bucket', () => {
      const objectActions = ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl', 's3:PutObjectTagging', 's3:RestoreObject'];
      for (const action of objectActions) {
        expect([action, model.check({ principal: role(), action, ...object(env.replica) })]).toEqual([action, expect.stringMatching(/Denied$/)]);
      }
      const bucketActions = ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketVersioning', 's3:PutBucketVersioning', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy',
        's3:PutLifecycleConfiguration', 's3:PutReplicationConfiguration', 's3:PutBucketOwnershipControls', 's3:DeleteBucket'];
      for (const action of bucketActions) {
        expect([action, model.check({ principal: role(), action, resource: env.replica.bucket })]).toEqual([action, expect.stringMatching(/Denied$/)]);
      }
    });

    test('encrypts replicas with the replica key only through S3 of the replica region, for the replica bucket; it never decrypts them', () => {
      const replicaArn = model.arnOf(env.replica.bucket);
      const use = (action: string, context: Record<string, string>) => model.check({ principal: role(), action, resource: env.replica.encryptionKey, context });
      expect(use('kms:Encrypt', viaS3('us-west-2', replicaArn))).toBe('Allowed');
      expect(use('kms:GenerateDataKey', viaS3('us-west-2', `${replicaArn}/reports/a.csv`))).toBe('Allowed');
      expect(use('kms:Encrypt', viaS3('us-east-1', replicaArn))).toBe('ImplicitlyDenied');
      expect(use('kms:Encrypt', viaS3('us-west-2', 'arn:aws:s3:::attacker-exfil'))).toBe('ImplicitlyDenied');
      expect(use('kms:Decrypt', viaS3('us-west-2', replicaArn))).toBe('ExplicitlyDenied');
    });

    test('cannot carry data to an attacker\'s bucket or key, however open their policies', () => {
      const exfil = { resource: 'arn:aws:s3:::attacker-exfil/reports/a.csv' };
      expect(model.check({ principal: role(), action: 's3:ReplicateObject', ...exfil })).toBe('ExplicitlyDenied');
      const exfilKey = model.arnOfLogicalId('Attacker', 'ExfilKey');
      expect(model.check({ principal: role(), action: 'kms:Encrypt', resource: exfilKey, context: viaS3('us-west-2', 'arn:aws:s3:::attacker-exfil') })).toBe('ExplicitlyDenied');
      // control: the attacker's policies do let in a principal whose own account allows it
      expect(model.check({ principal: env.admin, action: 's3:ReplicateObject', ...exfil })).toBe('Allowed');
      expect(model.check({ principal: env.admin, action: 'kms:Encrypt', resource: exfilKey })).toBe('Allowed');
    });

    test('cannot write into a bucket of its own account whose policy lets the whole account in', () => {
      expect(model.check({ principal: role(), action: 's3:ReplicateObject', ...object(env.open) })).toBe('ExplicitlyDenied');
      expect(model.check({ principal: env.admin, action: 's3:ReplicateObject', ...object(env.open) })).toBe('Allowed');
    });
  });

  describe('a Batch Replication job role (grantBatchReplication)', () => {
    test('may start replication of the existing objects, read the replication configuration and write the manifest\'s inventory configuration', () => {
      expect(model.check({ principal: env.batch, action: 's3:InitiateReplication', ...object(env.data) })).toBe('Allowed');
      expect(model.check({ principal: env.batch, action: 's3:GetReplicationConfiguration', resource: env.data.bucket })).toBe('Allowed');
      expect(model.check({ principal: env.batch, action: 's3:PutInventoryConfiguration', resource: env.data.bucket })).toBe('Allowed');
    });

    test('may not read the objects, change the replication, or start it on another bucket', () => {
      expect(model.check({ principal: env.batch, action: 's3:GetObject', ...object(env.data) })).toBe('ImplicitlyDenied');
      expect(model.check({ principal: env.batch, action: 's3:PutReplicationConfiguration', resource: env.data.bucket })).toBe('ImplicitlyDenied');
      expect(model.check({ principal: env.batch, action: 's3:InitiateReplication', ...object(env.plain) })).toBe('ImplicitlyDenied');
    });
  });

  describe('the replica bucket', () => {
    test.each(['s3:PutObject', 's3:ReplicateObject', 's3:ReplicateDelete', 's3:DeleteObjectVersion', 's3:PutObjectTagging'])(
      'another principal of the source account, allowed s3:* at home, cannot %s there', (action) => {
        expect(model.check({ principal: env.admin, action, ...object(env.replica) })).toBe('ExplicitlyDenied');
      });

    test('another principal of the source account cannot encrypt with the replica key', () => {
      expect(model.check({ principal: env.admin, action: 'kms:Encrypt', resource: env.replica.encryptionKey, context: viaS3('us-west-2', model.arnOf(env.replica.bucket)) }))
        .toBe('ImplicitlyDenied');
    });

    test('a principal of a third account cannot replicate into it', () => {
      expect(model.check({ principal: 'arn:aws:iam::333333333333:role/replication', action: 's3:ReplicateObject', ...object(env.replica) })).toBe('ExplicitlyDenied');
    });

    test('the backup account\'s own admin reads the replicas but cannot overwrite or delete them', () => {
      expect(model.check({ principal: env.backupAdmin, action: 's3:GetObject', ...object(env.replica) })).toBe('Allowed');
      for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention']) {
        expect([action, model.check({ principal: env.backupAdmin, action, ...object(env.replica) })]).toEqual([action, 'ExplicitlyDenied']);
      }
    });
  });

  describe('an attacker with one permission', () => {
    test('kms:CreateGrant on every key cannot grant itself the source or the replica key', () => {
      const grant = (principal: iam.Role, key: typeof env.data.encryptionKey, forAwsResource: boolean) => model.check({
        principal, action: 'kms:CreateGrant', resource: key, context: { 'kms:GrantIsForAWSResource': forAwsResource },
      });
      expect(grant(env.createGrant, env.data.encryptionKey, false)).toBe('ExplicitlyDenied');
      expect(grant(env.backupCreateGrant, env.replica.encryptionKey, false)).toBe('ExplicitlyDenied');
      // control: the same permission through an AWS service integration is let through
      expect(grant(env.createGrant, env.data.encryptionKey, true)).toBe('Allowed');
    });

    test('s3:GetObject on every bucket fetches objects it cannot decrypt', () => {
      expect(model.check({ principal: env.reader, action: 's3:GetObject', ...object(env.data) })).toBe('Allowed');
      expect(model.check({ principal: env.reader, action: 'kms:Decrypt', resource: env.data.encryptionKey, context: viaS3('us-east-1', model.arnOf(env.data.bucket)) }))
        .toBe('ImplicitlyDenied');
      expect(model.check({ principal: env.admin, action: 'kms:Decrypt', resource: env.data.encryptionKey, context: viaS3('us-east-1', model.arnOf(env.data.bucket)) }))
        .toBe('Allowed');
    });

    test('s3:PutReplicationConfiguration cannot hand the replication role to a configuration of its own', () => {
      expect(model.check({ principal: env.replicationChanger, action: 'iam:PassRole', resource: env.data.replicationRole })).toBe('ImplicitlyDenied');
    });

    test('s3:PutObject and s3:DeleteObjectVersion on every bucket cannot forge or erase access logs', () => {
      const logs = env.data.serverAccessLogsBucket;
      for (const action of ['s3:PutObject', 's3:DeleteObjectVersion']) {
        expect([action, model.check({ principal: env.logForger, action, resource: logs, resourceSuffix: '/Data/2026-01-01-00-00-00-ABCDEF' })]).toEqual([action, 'ExplicitlyDenied']);
        expect([action, model.check({ principal: env.admin, action, resource: logs, resourceSuffix: '/Data/2026-01-01-00-00-00-ABCDEF' })]).toEqual([action, 'ExplicitlyDenied']);
      }
      // control: the same permission works on a bucket without that deny
      expect(model.check({ principal: env.logForger, action: 's3:PutObject', ...object(env.plain) })).toBe('Allowed');
    });
  });

  describe('the log delivery service', () => {
    const deliver = (sourceBucket: string, prefix: string) => model.check({
      principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: env.data.serverAccessLogsBucket, resourceSuffix: `/${prefix}2026-01-01-00-00-00-ABCDEF`,
      context: { 'aws:SourceArn': sourceBucket, 'aws:SourceAccount': SOURCE.account },
    });

    test('delivers each bucket\'s logs under its own prefix', () => {
      expect(deliver(model.arnOf(env.data.bucket), 'Data/')).toBe('Allowed');
      expect(deliver(model.arnOf(env.plain.bucket), 'Plain/')).toBe('Allowed');
    });

    test('cannot write one bucket\'s logs under another\'s prefix, or for a bucket that is not ours', () => {
      expect(deliver(model.arnOf(env.plain.bucket), 'Data/')).toBe('ImplicitlyDenied');
      expect(deliver('arn:aws:s3:::attacker-exfil', 'Data/')).toBe('ImplicitlyDenied');
    });
  });
});

describe.each(FLAG_SETS)('replication within one account, %s feature flags', (featureFlags) => {
  function sameAccount(denyWritesExceptReplication?: boolean) {
    const app = testApp({ featureFlags });
    const replica = new ReplicaDestination(new Stack(app, 'Replica', { env: SAME_ACCOUNT_REPLICA }), 'Replica', { denyWritesExceptReplication });
    const source = new Stack(app, 'Source', { env: SOURCE });
    const data = new ReplicatedBucket(source, 'Data', { replicationRules: [{ destination: replica }] });
    const admin = roleWith(source, 'Admin', 's3:*', 'kms:*');
    return { replica, data, admin, model: new AccessModel([Stack.of(replica), source]) };
  }
  const locked = sameAccount();
  const object = { resourceSuffix: '/reports/a.csv' };

  test('the replication role replicates and encrypts through its own policy', () => {
    const { model, data, replica } = locked;
    expect(model.check({ principal: data.replicationRole, action: 's3:ReplicateObject', resource: replica.bucket, ...object })).toBe('Allowed');
    expect(model.check({ principal: data.replicationRole, action: 'kms:Encrypt', resource: replica.encryptionKey, context: viaS3('us-west-2', model.arnOf(replica.bucket)) }))
      .toBe('Allowed');
  });

  test('another principal of the account, allowed s3:* by its own policy, cannot write or delete replicas', () => {
    const { model, admin, replica } = locked;
    for (const action of ['s3:PutObject', 's3:ReplicateObject', 's3:DeleteObjectVersion']) {
      expect([action, model.check({ principal: admin, action, resource: replica.bucket, ...object })]).toEqual([action, 'ExplicitlyDenied']);
    }
    expect(model.check({ principal: admin, action: 's3:GetObject', resource: replica.bucket, ...object })).toBe('Allowed');
  });

  test('control: without denyWritesExceptReplication that principal could', () => {
    const open = sameAccount(false);
    expect(open.model.check({ principal: open.admin, action: 's3:PutObject', resource: open.replica.bucket, ...object })).toBe('Allowed');
  });
});
