import * as cdk from 'aws-cdk-lib/core';
import { BACKUP, HOME } from './environments';
import { FederationStack } from './federation-stack';
import { IdentityStack } from './identity-stack';
import { AuditRoleStack, OrganizationStack } from './organization-stack';
import { SecretsStack } from './secrets-stack';
import { SharingStack } from './sharing-stack';
import { ReplicaStack, StorageStack } from './storage-stacks';

/**
 * Every stack of the consumer app, one per area of the library. A construct added to the library
 * goes into its area's file (lib/<area>-stack.ts); test/consumer/exports.test.ts in the library
 * repo fails until every export is used here.
 */
export function addConsumerStacks(app: cdk.App): cdk.Stack[] {
  const identity = new IdentityStack(app, 'ConsumerIdentity', { env: HOME });
  const secrets = new SecretsStack(app, 'ConsumerSecrets', { env: HOME });
  const replica = new ReplicaStack(app, 'ConsumerReplica', { env: BACKUP });
  const storage = new StorageStack(app, 'ConsumerStorage', { env: HOME, replicaStack: replica });
  const federation = new FederationStack(app, 'ConsumerFederation', { env: HOME });
  const rollout = new AuditRoleStack(new cdk.Stage(app, 'Rollout'), 'AuditRole');
  const organization = new OrganizationStack(app, 'ConsumerOrganization', { env: HOME, rollout });
  const sharing = new SharingStack(app, 'ConsumerSharing', { env: HOME });
  return [identity, secrets, replica, storage, federation, rollout, organization, sharing];
}
