import { Annotations, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge, inComplianceFrameworks } from '../private/acknowledge';
import { fixedName } from './private/names';
import { SecureBucket, SecureBucketProps } from './secure-bucket';

/** Properties of a `ReplicaDestination`. */
export interface ReplicaDestinationProps extends SecureBucketProps {
  /**
   * The alias of the key that encrypts the replicas.
   *
   * The source stack names the key by this alias's
   * ARN, since CloudFormation cannot refer to a key of another region or account; it is added to a key
   * this construct creates, or to `encryptionKey` when that is a key of this app.
   *
   * @default - `alias/replica/<a name unique to this construct>`
   */
  readonly keyAlias?: string;

  /**
   * Deny object writes and deletes to every principal but the replication roles of the sources.
   *
   * The statement covers `s3:PutObject`, `s3:DeleteObject*`, tagging, retention, restores and the
   * replication actions, for every principal except the replication roles of the `ReplicatedBucket`s
   * that replicate here: the replicas stay copies of the source, which no one in either account can
   * overwrite or delete (ransomware, mistakes). Turn it off to write to the bucket after a failover.
   *
   * @default true
   */
  readonly denyWritesExceptReplication?: boolean;
}

/** What a replication role may do to the replicas (the cross-account bucket-policy grant). */
const REPLICATE_ACTIONS = ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'];

/** The object writes `denyWritesExceptReplication` leaves to the replication roles. */
const OBJECT_WRITE_ACTIONS = [
  's3:PutObject', 's3:PutObjectAcl', 's3:PutObjectVersionAcl', 's3:PutObjectTagging', 's3:PutObjectVersionTagging',
  's3:DeleteObject', 's3:DeleteObjectVersion', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging',
  's3:PutObjectRetention', 's3:PutObjectLegalHold', 's3:BypassGovernanceRetention', 's3:RestoreObject',
  ...REPLICATE_ACTIONS,
];

/** A KMS alias name as KMS accepts it for a customer-managed key. */
const ALIAS_PATTERN = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

/**
 * The bucket replicas land in: a `SecureBucket` in another region, and optionally another account.
 *
 * It lives in a stack of another region than its `ReplicatedBucket`s. Its name is fixed at synthesis
 * when not given, and its key is named by an alias, so the source stack names both in plain text and
 * no value is looked up at deploy time. For a source in another account, the bucket policy and the key policy let in that account's
 * replication role and nothing else of it; by default every other principal is denied object writes.
 *
 * Deploy its stack first: S3 accepts a replication configuration only for an existing, versioned
 * destination.
 */
export class ReplicaDestination extends SecureBucket {
  /**
   * How the source's replication rules name the replica key (`ReplicaKmsKeyID`).
   *
   * The key's alias ARN, or the ARN of an imported `encryptionKey`.
   */
  public readonly replicaKmsKeyId: string;
  /** The alias of the replica key, unless `encryptionKey` is imported by ARN. */
  public readonly keyAliasName?: string;

  /** Replication roles by ARN, in the order their sources were declared. */
  private readonly sourceRoles = new Map<string, { role: iam.IRole; sourceAccount: string; crossAccount: boolean }>();
  private readonly stackAccount: string;
  private readonly stackRegion: string;
  /** The bucket's ARN from its literal name: the key policy cannot name the bucket by reference, which names the key. */
  private readonly bucketArnLiteral: string;

  constructor(scope: Construct, id: string, props: ReplicaDestinationProps = {}) {
    // a name fixed at synthesis, so the source stack names the bucket without a lookup
    super(scope, id, { ...props, bucketName: props.bucketName ?? generatedBucketName(scope, id) });
    const stack = Stack.of(this);
    const where = `ReplicaDestination ${this.node.path}`;
    if (props.bucketName !== undefined && Token.isUnresolved(props.bucketName)) {
      throw new Error(`${where}: bucketName must be a literal name, since the source stack in another region names the bucket by it, got a token (${props.bucketName}); `
        + 'leave it out for a generated name');
    }
    this.bucketArnLiteral = stack.formatArn({ service: 's3', region: '', account: '', resource: props.bucketName ?? generatedBucketName(scope, id) });
    if (props.versioned === false) {
      throw new Error(`${where}: a replication destination must be versioned (S3 replicates only between versioned buckets), got versioned: false; remove it`);
    }
    if (Token.isUnresolved(stack.region)) {
      throw new Error(`${where}: the stack ${stack.stackName} needs an explicit region (env: { region }), since the source stack names this bucket's key `
        + 'by an ARN of that region and S3 must know where to replicate; got an environment-agnostic region');
    }
    if (props.keyAlias !== undefined && !Token.isUnresolved(props.keyAlias)
      && (!ALIAS_PATTERN.test(props.keyAlias) || props.keyAlias.startsWith('alias/aws/'))) {
      throw new Error(`${where}: keyAlias must be "alias/" followed by 1 to 250 letters, digits, "/", "_" or "-", and not start with "alias/aws/" `
        + `(reserved for AWS managed keys), got "${props.keyAlias}"`);
    }
    this.stackAccount = stack.account;
    this.stackRegion = stack.region;

    const keyArn = this.encryptionKey.keyArn;
    if (!Token.isUnresolved(keyArn)) {
      // an imported key (or alias) known by ARN: the source can name it as it is
      if (props.keyAlias !== undefined) {
        throw new Error(`${where}: keyAlias names a key this app creates or manages, but encryptionKey is imported by ARN (${keyArn}); remove keyAlias`);
      }
      this.replicaKmsKeyId = keyArn;
      this.keyAliasName = /:(alias\/.+)$/.exec(keyArn)?.[1];
    } else {
      this.keyAliasName = props.keyAlias ?? `alias/replica/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`;
      new kms.Alias(this, 'KeyAlias', { aliasName: this.keyAliasName, targetKey: this.encryptionKey });
      this.replicaKmsKeyId = stack.formatArn({ service: 'kms', resource: this.keyAliasName });
    }

    if (props.denyWritesExceptReplication ?? true) {
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'DenyWritesExceptReplication',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: OBJECT_WRITE_ACTIONS,
        resources: [this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...this.sourceRoles.keys()] }) } },
      }));
    }
    this.node.addValidation({
      validate: () => (this.sourceRoles.size > 0 ? [] : [`${where}: no ReplicatedBucket replicates to this destination; `
        + 'name it in a ReplicatedBucket\'s replicationRules, or use a SecureBucket']),
    });
    acknowledge(this.bucket, inComplianceFrameworks('S3BucketReplicationEnabled',
      'This bucket is the replica: it receives the cross-region copy of a ReplicatedBucket, and replicating the replica onward would copy the same data again'));
  }

  /**
   * The ARN of the key that encrypts the replicas, for policies of the source account: the key ARN
   * when it is known, otherwise every key of the destination's account and region, which the
   * replication policy narrows down by encryption context.
   *
   * @internal
   */
  public _replicaKeyArnForPolicy(): string {
    if (!Token.isUnresolved(this.replicaKmsKeyId) && !/:alias\//.test(this.replicaKmsKeyId)) return this.replicaKmsKeyId;
    return Stack.of(this).formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
  }

  /** @internal The destination's account and region as the source compares them. */
  public get _environment(): { account: string; region: string } {
    return { account: this.stackAccount, region: this.stackRegion };
  }

  /**
   * Lets the replication role of a source bucket in: for a source in another account, a bucket-policy
   * and key-policy statement that name the account and, by `aws:PrincipalArn`, the role; in every case
   * an exemption from `denyWritesExceptReplication`. The role is named by a condition rather than as
   * the principal so that this stack deploys first: S3 and KMS reject a policy whose principal does not exist yet.
   *
   * @internal
   */
  public _allowReplicationFrom(role: iam.IRole, sourceAccount: string, crossAccount: boolean): void {
    const roleArn = role.roleArn;
    const stack = Stack.of(this);
    // one statement per source role; the role's ARN resolves to a generated name in this stack
    const index = this.sourceRoles.size;
    this.sourceRoles.set(roleArn, { role, sourceAccount, crossAccount });
    if (!crossAccount) return;
    const onlyTheRole = { ArnEquals: { 'aws:PrincipalArn': roleArn } };
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: `AllowReplicationFromSource${index}`,
      principals: [new iam.AccountPrincipal(sourceAccount)],
      actions: REPLICATE_ACTIONS,
      resources: [this.bucket.arnForObjects('*')],
      conditions: onlyTheRole,
    }));
    const keyStatement = new iam.PolicyStatement({
      sid: `EncryptReplicasFromSource${index}`,
      principals: [new iam.AccountPrincipal(sourceAccount)],
      actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        ...onlyTheRole,
        StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [this.bucketArnLiteral, `${this.bucketArnLiteral}/*`] },
      },
    });
    if (!this.encryptionKey.addToResourcePolicy(keyStatement).statementAdded) {
      Annotations.of(this).addWarningV2('cdk-security-patterns:storage:replica-key-policy',
        `ReplicaDestination ${this.node.path}: the policy of the replica key ${this.replicaKmsKeyId} is not managed by this app; let account ${sourceAccount} `
        + `(aws:PrincipalArn of the replication role) use kms:Encrypt and kms:GenerateDataKey through s3.${stack.region}.amazonaws.com, or replication fails`);
    }
  }
}

/** S3 bucket names: lower case, at most 63 characters. */
function generatedBucketName(scope: Construct, id: string): string {
  return fixedName(scope, id, { maxLength: 63, lowerCase: true });
}
