import { App, Stack } from 'aws-cdk-lib';
import { FeatureFlags, testApp } from '../support/app';
import {
  ReplicaDestination, ReplicaDestinationProps, ReplicatedBucket, ReplicatedBucketProps, ReplicationRule,
} from '../../lib/storage';

export const SOURCE = { account: '111111111111', region: 'us-east-1' };
export const BACKUP = { account: '222222222222', region: 'us-west-2' };
/** The source account, another region: replication within one account. */
export const SAME_ACCOUNT_REPLICA = { account: SOURCE.account, region: 'us-west-2' };

export interface ReplicationOptions {
  readonly featureFlags?: FeatureFlags;
  /** The destination's environment. @default BACKUP (another account and region) */
  readonly destinationEnv?: { account?: string; region?: string };
  /** The source's environment. @default SOURCE */
  readonly sourceEnv?: { account?: string; region?: string };
  readonly destinationProps?: ReplicaDestinationProps;
  readonly sourceProps?: Partial<ReplicatedBucketProps>;
  /** Rules without their destination (filled in). @default [{}] */
  readonly rules?: Array<Omit<ReplicationRule, 'destination'>>;
}

/** A ReplicaDestination in its own stack and a ReplicatedBucket replicating to it, in one app. */
export function replication(options: ReplicationOptions = {}) {
  const app: App = testApp({ featureFlags: options.featureFlags });
  const destinationStack = new Stack(app, 'Backup', { env: options.destinationEnv ?? BACKUP });
  const sourceStack = new Stack(app, 'Source', { env: options.sourceEnv ?? SOURCE });
  const replica = new ReplicaDestination(destinationStack, 'Replica', options.destinationProps);
  const source = new ReplicatedBucket(sourceStack, 'Data', {
    ...options.sourceProps,
    replicationRules: (options.rules ?? [{}]).map((rule) => ({ ...rule, destination: replica })),
  });
  return { app, destinationStack, sourceStack, replica, source };
}
