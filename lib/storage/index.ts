// Re-exports of the storage area: one construct per file.
export { SecureBucket, SecureBucketProps } from './secure-bucket';
export { ReplicaDestination, ReplicaDestinationProps } from './replica-destination';
export { ReplicatedBucket, ReplicatedBucketProps, ReplicationRule } from './replicated-bucket';
