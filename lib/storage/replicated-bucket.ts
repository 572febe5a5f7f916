import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { addStackDependency } from '../private/stack-dependency';
import { fixedName } from './private/names';
import { ReplicaDestination } from './replica-destination';
import { SecureBucket, SecureBucketProps } from './secure-bucket';

/** One replication rule: which objects go to which `ReplicaDestination`, and how. */
export interface ReplicationRule {
  /** Where the objects are replicated: a `ReplicaDestination` in a stack of another region. */
  readonly destination: ReplicaDestination;

  /**
   * The rule's id (at most 255 characters, unique in the bucket).
   *
   * @default `Rule<n>`, n being the rule's position in `replicationRules`
   */
  readonly id?: string;

  /**
   * Which rule wins when an object matches several rules with the same destination: the higher
   * number. Give every rule a priority, or none.
   *
   * @default - the first rule has the highest priority, the last the lowest
   */
  readonly priority?: number;

  /**
   * Replicate only objects whose key starts with this prefix.
   *
   * @default - every object (of the tags, if given)
   */
  readonly prefix?: string;

  /**
   * Replicate only objects with all of these tags. S3 does not replicate delete markers for a rule
   * with a tag filter.
   *
   * @default - no tag filter
   */
  readonly tags?: { [key: string]: string };

  /**
   * Replicate delete markers: deleting an object (without a version id) in the source hides it in
   * the replica too. Deleting a version is never replicated, whatever this says.
   *
   * @default false - a delete in the source leaves the replica's object visible, so a mistaken or
   *   malicious delete does not spread
   */
  readonly deleteMarkerReplication?: boolean;

  /**
   * S3 Replication Time Control: 99.99% of objects replicated within 15 minutes, with replication
   * metrics and missed-threshold events. Charged per GB.
   *
   * @default false
   */
  readonly replicationTimeControl?: boolean;

  /**
   * Replication metrics (bytes and operations pending, latency) in CloudWatch and the
   * `s3:Replication:*` events. Replication Time Control needs them.
   *
   * @default - true with `replicationTimeControl`, else false
   */
  readonly metrics?: boolean;

  /**
   * The storage class of the replicas.
   *
   * @default - the source object's storage class
   */
  readonly storageClass?: s3.StorageClass;
}

/** Properties of a `ReplicatedBucket`. */
export interface ReplicatedBucketProps extends SecureBucketProps {
  /** The replication rules, at least one. Each names a `ReplicaDestination` in another region. */
  readonly replicationRules: ReplicationRule[];
}

/** What the role reads of the source bucket, and of its objects. */
const SOURCE_BUCKET_ACTIONS = ['s3:GetReplicationConfiguration', 's3:ListBucket'];
const SOURCE_OBJECT_ACTIONS = ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'];
/** What the role does to a destination's objects (ObjectOwnerOverrideToBucketOwner across accounts only). */
const REPLICATE_ACTIONS = ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'];
/** What the role does with a destination's key. */
const REPLICA_KEY_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'];

/** S3's limits on a rule id, a key prefix and an object tag. */
const MAX_RULE_ID_LENGTH = 255;
const MAX_PREFIX_LENGTH = 1024;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;
/** What S3 Replication Time Control promises, and the only threshold S3 accepts. */
const RTC_MINUTES = 15;

/**
 * A `SecureBucket` replicated to `ReplicaDestination`s in other regions, and optionally other accounts.
 *
 * Replication as AWS documents it: versioning on both sides; a replication role that may read this
 * bucket's versions for replication, decrypt with this bucket's key only through S3 of this region for
 * this bucket, and replicate into the destinations and encrypt with their keys only through S3 of their
 * regions, and nothing else; SSE-KMS objects replicated; delete-marker replication, Replication Time
 * Control and metrics on or off per rule; prefix and tag filters with priorities. For a destination in
 * another account, the replicas are owned by that account.
 *
 * Objects written before the configuration exists are not replicated: see lib/storage/README.md for
 * S3 Batch Replication.
 */
export class ReplicatedBucket extends SecureBucket {
  /** The role S3 assumes to replicate. */
  public readonly replicationRole: iam.Role;
  /** The replication role's permissions. */
  public readonly replicationPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ReplicatedBucketProps) {
    super(scope, id, props);
    const where = `ReplicatedBucket ${this.node.path}`;
    const stack = Stack.of(this);
    const rules = props?.replicationRules ?? [];
    validate(where, stack, props ?? {}, rules);

    this.replicationRole = new iam.Role(this, 'ReplicationRole', {
      // a name fixed at synthesis: the destination's policies (another region, maybe account) name the role
      roleName: fixedName(this, 'ReplicationRole', { maxLength: 64, lowerCase: false }),
      description: `S3 replication of ${this.node.path}`,
      // AWS's documented trust; only principals of this account with iam:PassRole on this role can
      // attach it to a bucket, and its policy reaches nothing but this bucket and the destinations
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
    });
    this.replicationPolicy = new iam.ManagedPolicy(this, 'ReplicationPolicy', {
      description: `What S3 may do to replicate ${this.node.path}`,
      roles: [this.replicationRole],
      statements: this.sourceStatements(stack),
    });

    const destinations = [...new Set(rules.map((r) => r.destination))];
    destinations.forEach((destination, index) => {
      const crossAccount = destination._environment.account !== stack.account;
      this.replicationPolicy.addStatements(...destinationStatements(destination, index, crossAccount));
      destination._allowReplicationFrom(this.replicationRole, stack.account, crossAccount);
      // S3 accepts the replication configuration only once the destination exists and is versioned
      addStackDependency(stack, Stack.of(destination), `${this.node.path} replicates into ${destination.node.path}`);
    });
    // Whatever a bucket or key policy elsewhere allows (in this account a resource policy alone would
    // be enough), the role reads only this bucket and writes only into these destinations: a
    // replication configuration changed to point elsewhere cannot carry data out, or other data in,
    // with this role.
    this.replicationPolicy.addStatements(
      new iam.PolicyStatement({
        sid: 'DenyReadingOtherSources',
        effect: iam.Effect.DENY,
        actions: [...SOURCE_BUCKET_ACTIONS, ...SOURCE_OBJECT_ACTIONS, 'kms:Decrypt'],
        notResources: [this.bucket.bucketArn, this.bucket.arnForObjects('*'), this.encryptionKey.keyArn],
      }),
      new iam.PolicyStatement({
        sid: 'DenyReplicationElsewhere',
        effect: iam.Effect.DENY,
        actions: [...REPLICATE_ACTIONS],
        notResources: destinations.map((d) => d.bucket.arnForObjects('*')),
      }),
      new iam.PolicyStatement({
        sid: 'DenyEncryptionElsewhere',
        effect: iam.Effect.DENY,
        actions: [...REPLICA_KEY_ACTIONS],
        notResources: [...new Set(destinations.map((d) => d._replicaKeyArnForPolicy()))],
      }),
    );

    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.replicationConfiguration = {
      role: this.replicationRole.roleArn,
      rules: rules.map((rule, index) => renderRule(rule, index, rules.length, stack.account)),
    };

    const objects = 'Replication reads every object version of this bucket and writes the replicas into the destination; '
      + 'S3 requires the object-level resource';
    acknowledge(this.replicationPolicy, [{
      id: 'AwsSolutions-IAM5',
      reason: objects,
      appliesTo: [`Resource::${this.bucket.arnForObjects('*')}`, ...destinations.map((d) => `Resource::${d.bucket.arnForObjects('*')}`)],
    }]);
    const aliasKeys = destinations.map((d) => d._replicaKeyArnForPolicy()).filter((arn) => arn.endsWith(':key/*'));
    if (aliasKeys.length > 0) {
      acknowledge(this.replicationPolicy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'The replica key lives in another region (and account) and is known there by its alias; its key ARN cannot be referenced, '
          + 'so the statement names the keys of that account and region, narrowed to the destination bucket by encryption context and kms:ViaService',
        appliesTo: [...new Set(aliasKeys)].map((arn) => `Resource::${arn}`),
      }]);
    }
  }

  /**
   * Lets `grantee` start S3 Batch Replication of this bucket's existing objects.
   *
   * `grantee` is the role of an S3 Batch Operations job (assumed by `batchoperations.s3.amazonaws.com`);
   * live replication never copies objects written before it was configured. It gets
   * `s3:InitiateReplication` on the objects, and reading the replication configuration and writing an
   * inventory configuration for the manifest S3 generates. The replicas are written by the replication
   * role, as for live replication. See lib/storage/README.md.
   */
  public grantBatchReplication(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['s3:InitiateReplication'], resourceArns: [this.bucket.arnForObjects('*')] })
      .combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:GetReplicationConfiguration', 's3:PutInventoryConfiguration'],
        resourceArns: [this.bucket.bucketArn],
      }));
  }

  /** Reading this bucket for replication, and decrypting its objects through S3 of this region. */
  private sourceStatements(stack: Stack): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'ReadReplicationConfiguration',
        actions: SOURCE_BUCKET_ACTIONS,
        resources: [this.bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadSourceVersions',
        actions: SOURCE_OBJECT_ACTIONS,
        resources: [this.bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'DecryptSourceObjects',
        actions: ['kms:Decrypt'],
        resources: [this.encryptionKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
          // the bucket's ARN with an S3 Bucket Key, an object's ARN for objects written without one
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [this.bucket.bucketArn, this.bucket.arnForObjects('*')] },
        },
      }),
    ];
  }
}

/** Replicating into `destination` and encrypting the replicas with its key through S3 of its region. */
function destinationStatements(destination: ReplicaDestination, index: number, crossAccount: boolean): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: `ReplicateToDestination${index}`,
      actions: REPLICATE_ACTIONS.filter((action) => crossAccount || action !== 's3:ObjectOwnerOverrideToBucketOwner'),
      resources: [destination.bucket.arnForObjects('*')],
    }),
    new iam.PolicyStatement({
      sid: `EncryptReplicasOfDestination${index}`,
      actions: REPLICA_KEY_ACTIONS,
      resources: [destination._replicaKeyArnForPolicy()],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${destination._environment.region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [destination.bucket.bucketArn, destination.bucket.arnForObjects('*')] },
      },
    }),
  ];
}

function renderRule(rule: ReplicationRule, index: number, count: number, sourceAccount: string): s3.CfnBucket.ReplicationRuleProperty {
  const destination = rule.destination;
  const crossAccount = destination._environment.account !== sourceAccount;
  const tags = Object.entries(rule.tags ?? {}).map(([key, value]) => ({ key, value }));
  const metrics = rule.metrics ?? rule.replicationTimeControl ?? false;
  return {
    id: rule.id ?? `Rule${index}`,
    priority: rule.priority ?? count - 1 - index,
    status: 'Enabled',
    filter: filterOf(rule.prefix, tags),
    deleteMarkerReplication: { status: rule.deleteMarkerReplication ? 'Enabled' : 'Disabled' },
    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
    destination: {
      bucket: destination.bucket.bucketArn,
      account: crossAccount ? destination._environment.account : undefined,
      accessControlTranslation: crossAccount ? { owner: 'Destination' } : undefined,
      encryptionConfiguration: { replicaKmsKeyId: destination.replicaKmsKeyId },
      storageClass: rule.storageClass?.toString(),
      replicationTime: rule.replicationTimeControl ? { status: 'Enabled', time: { minutes: RTC_MINUTES } } : undefined,
      metrics: metrics ? { status: 'Enabled', eventThreshold: { minutes: RTC_MINUTES } } : undefined,
    },
  };
}

/** S3's filter shapes: a prefix, one tag, or an `and` of a prefix and tags. */
function filterOf(prefix: string | undefined, tags: s3.CfnBucket.TagFilterProperty[]): s3.CfnBucket.ReplicationRuleFilterProperty {
  if (tags.length === 0) return { prefix: prefix ?? '' };
  if (tags.length === 1 && prefix === undefined) return { tagFilter: tags[0] };
  return { and: { prefix, tagFilters: tags } };
}

function validate(where: string, stack: Stack, props: Partial<ReplicatedBucketProps>, rules: ReplicationRule[]): void {
  if (rules.length === 0) {
    throw new Error(`${where}: replicationRules must name at least one rule, got ${props?.replicationRules === undefined ? 'undefined' : 'an empty list'}; `
      + 'pass e.g. [{ destination: replica }] with a ReplicaDestination, or use a SecureBucket');
  }
  if (props.versioned === false) {
    throw new Error(`${where}: replication needs versioning on the source (S3 replicates only between versioned buckets), got versioned: false; remove it`);
  }
  if (Token.isUnresolved(stack.region)) {
    throw new Error(`${where}: the stack ${stack.stackName} needs an explicit region (env: { region }) to replicate across regions, got an environment-agnostic region`);
  }
  const given = rules.filter((r) => r.priority !== undefined).length;
  if (given > 0 && given < rules.length) {
    const missing = rules.findIndex((r) => r.priority === undefined);
    throw new Error(`${where}: give every replication rule a priority or none, got priorities on ${given} of ${rules.length} rules (rule ${missing} has none)`);
  }
  const seenIds = new Map<string, number>();
  const seenPriorities = new Map<number, number>();
  rules.forEach((rule, i) => {
    const destination = rule.destination;
    if (!(destination instanceof ReplicaDestination)) {
      throw new Error(`${where}: replication rule ${i} needs a ReplicaDestination as destination, got ${destination === undefined ? 'undefined' : String(destination)}`);
    }
    const { account, region } = destination._environment;
    if (region === stack.region) {
      throw new Error(`${where}: replication rule ${i} replicates to ${destination.node.path} in ${region}, the source's own region; `
        + 'put the ReplicaDestination in a stack of another region (this is cross-region replication)');
    }
    if (Token.isUnresolved(account) !== Token.isUnresolved(stack.account)) {
      const [known, unknown] = Token.isUnresolved(account) ? [`this bucket's stack is in ${stack.account}`, `the stack of ${destination.node.path}`]
        : [`${destination.node.path} is in ${account}`, `this bucket's stack ${stack.stackName}`];
      throw new Error(`${where}: replication rule ${i} may cross accounts, but ${unknown} has no explicit account while ${known}; `
        + 'give both stacks env: { account } (or neither, to deploy both into the same account)');
    }
    const id = rule.id ?? `Rule${i}`;
    if (!Token.isUnresolved(id) && (id.length === 0 || id.length > MAX_RULE_ID_LENGTH)) {
      throw new Error(`${where}: replication rule ${i} has an id of ${id.length} characters, S3 takes 1 to ${MAX_RULE_ID_LENGTH}`);
    }
    if (seenIds.has(id)) {
      throw new Error(`${where}: replication rule ids must differ, got "${id}" for rules ${seenIds.get(id)} and ${i}`);
    }
    seenIds.set(id, i);
    if (rule.priority !== undefined) {
      if (!Number.isInteger(rule.priority) || rule.priority < 0) {
        throw new Error(`${where}: replication rule ${i} needs a priority that is a whole number of 0 or more, got ${rule.priority}`);
      }
      if (seenPriorities.has(rule.priority)) {
        throw new Error(`${where}: replication rule priorities must differ, got ${rule.priority} for rules ${seenPriorities.get(rule.priority)} and ${i}`);
      }
      seenPriorities.set(rule.priority, i);
    }
    if (rule.prefix !== undefined && !Token.isUnresolved(rule.prefix) && rule.prefix.length > MAX_PREFIX_LENGTH) {
      throw new Error(`${where}: replication rule ${i} has a prefix of ${rule.prefix.length} characters, S3 takes at most ${MAX_PREFIX_LENGTH}`);
    }
    for (const [key, value] of Object.entries(rule.tags ?? {})) {
      if (!Token.isUnresolved(key) && (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH)) {
        throw new Error(`${where}: replication rule ${i} filters by a tag key of ${key.length} characters ("${key}"), S3 takes 1 to ${MAX_TAG_KEY_LENGTH}`);
      }
      if (!Token.isUnresolved(value) && value.length > MAX_TAG_VALUE_LENGTH) {
        throw new Error(`${where}: replication rule ${i} filters by tag ${key} with a value of ${value.length} characters, S3 takes at most ${MAX_TAG_VALUE_LENGTH}`);
      }
    }
    if (rule.deleteMarkerReplication && Object.keys(rule.tags ?? {}).length > 0) {
      throw new Error(`${where}: replication rule ${i} filters by tags and replicates delete markers, which S3 does not support (a delete marker has no tags); `
        + 'drop the tags or deleteMarkerReplication');
    }
    if (rule.replicationTimeControl && rule.metrics === false) {
      throw new Error(`${where}: replication rule ${i} turns on Replication Time Control without metrics, got metrics: false; S3 Replication Time Control needs them, remove metrics`);
    }
  });
}
