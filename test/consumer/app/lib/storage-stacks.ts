import * as cdk from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { ReplicaDestination, ReplicatedBucket, SecureBucket } from 'cdk-security-patterns';

/** Area: storage, the backup account's side. */
export class ReplicaStack extends cdk.Stack {
  public readonly replica: ReplicaDestination;

  constructor(scope: Construct, id: string, props: cdk.StackProps) {
    super(scope, id, props);
    this.replica = new ReplicaDestination(this, 'Replica');
  }
}

export interface StorageStackProps extends cdk.StackProps {
  readonly replicaStack: ReplicaStack;
}

/** Area: storage. New storage constructs go here. */
export class StorageStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    new SecureBucket(this, 'Documents', { maxPresignedUrlAge: cdk.Duration.minutes(15) });
    new ReplicatedBucket(this, 'Data', {
      replicationRules: [
        { id: 'critical', destination: props.replicaStack.replica, prefix: 'critical/', priority: 1, replicationTimeControl: true },
        { id: 'everything', destination: props.replicaStack.replica, priority: 0 },
      ],
    });
  }
}
