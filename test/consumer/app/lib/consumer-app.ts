import * as cdk from 'aws-cdk-lib/core';
import { FederationStack } from './federation-stack';
import { IdentityStack } from './identity-stack';
import { OrganizationStack } from './organization-stack';
import { SecretsStack } from './secrets-stack';
import { addSharingStacks } from './sharing-stack';
import { ReplicaStack, StorageStack } from './storage-stacks';

/** The account and region of the app's stacks (a second one for replicas). */
export const HOME = { account: '111111111111', region: 'us-east-1' };
export const BACKUP = { account: '222222222222', region: 'us-west-2' };

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
  const organization = new OrganizationStack(app, 'ConsumerOrganization', { env: HOME });
  const sharing = addSharingStacks(app);
  return [identity, secrets, replica, storage, federation, organization, ...sharing];
}
