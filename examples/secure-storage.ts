import { Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ReplicaDestination, ReplicatedBucket } from '../lib';
import { Example } from './example';

/** Placeholders for `cdk synth` without context; pass real ids with `-c source-account=... -c replica-account=...`. */
const DEFAULT_SOURCE_ACCOUNT = '111111111111';
const DEFAULT_REPLICA_ACCOUNT = '222222222222';

/**
 * A data bucket in one account and region, replicated to a bucket of a backup account in another
 * region. Both buckets accept only TLS 1.2+ SigV4 requests, are encrypted with their own
 * customer-managed keys and log access; pre-signed URLs of the data bucket stop working after 15
 * minutes. Objects under `critical/` are replicated within 15 minutes (Replication Time Control); the
 * rest without that guarantee. The replicas belong to the backup account, and nobody there or in the
 * source account but the replication role may write or delete them.
 *
 * Context: `source-account`, `replica-account` (12-digit ids, different), `source-region` (default
 * us-east-1), `replica-region` (default us-west-2). Deploy the replica stack first (with credentials
 * of the backup account), then the source stack: S3 accepts a replication configuration only for an
 * existing, versioned destination.
 */
export const secureStorage: Example = {
  name: 'secure-storage',
  description: 'a TLS-only SSE-KMS bucket replicated to another region and account, replicas owned by and locked in the backup account',
  build(scope: Construct) {
    const context = (key: string): string | undefined => scope.node.tryGetContext(key);
    const sourceAccount = context('source-account') ?? DEFAULT_SOURCE_ACCOUNT;
    const replicaAccount = context('replica-account') ?? DEFAULT_REPLICA_ACCOUNT;
    const sourceRegion = context('source-region') ?? 'us-east-1';
    const replicaRegion = context('replica-region') ?? 'us-west-2';
    for (const [key, value] of [['source-account', sourceAccount], ['replica-account', replicaAccount]]) {
      if (!/^\d{12}$/.test(value)) {
        throw new Error(`secure-storage: context ${key} must be a 12-digit AWS account id, got "${value}"`);
      }
    }
    if (sourceAccount === replicaAccount) {
      throw new Error(`secure-storage: source-account and replica-account must differ (the example keeps the replicas in a backup account), got ${sourceAccount} for both`);
    }

    const replicaStack = new Stack(scope, 'SecureStorageReplica', {
      env: { account: replicaAccount, region: replicaRegion },
      description: 'cdk-security-patterns secure-storage example: the replica bucket of the backup account',
    });
    const replica = new ReplicaDestination(replicaStack, 'Replica');

    const stack = new Stack(scope, 'SecureStorage', {
      env: { account: sourceAccount, region: sourceRegion },
      description: 'cdk-security-patterns secure-storage example: the data bucket, replicated to the backup account',
    });
    new ReplicatedBucket(stack, 'Data', {
      maxPresignedUrlAge: Duration.minutes(15),
      replicationRules: [
        { id: 'critical', destination: replica, prefix: 'critical/', priority: 1, replicationTimeControl: true, deleteMarkerReplication: true },
        { id: 'everything', destination: replica, priority: 0, metrics: true },
      ],
    });
    return [replicaStack, stack];
  },
};
