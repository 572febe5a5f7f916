import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, inComplianceFrameworks } from '../../private/acknowledge';

/** The construct id of the stack's shared log bucket, at the stack's root. */
const ID = 'SecureBucketAccessLogs';
/** How long access logs are kept: a year, what PCI DSS 10.7 asks of audit trails. */
export const ACCESS_LOG_RETENTION = Duration.days(365);
/** How long an overwritten or deleted log stays recoverable. */
const NONCURRENT_LOG_RETENTION = Duration.days(90);
/** The service that delivers server access logs. */
export const LOG_DELIVERY_SERVICE = 'logging.s3.amazonaws.com';

/**
 * The server-access-log bucket the `SecureBucket`s of one stack share (one per stack, created on
 * first use). S3 delivers server access logs only to buckets encrypted with SSE-S3, in the same
 * region, and never to a bucket with an Object Lock default retention: those three decide its
 * encryption and its compliance acknowledgements. Only the log delivery service may write or delete
 * a log version; people and roles cannot forge or erase the trail.
 */
export class AccessLogsBucket extends Construct {
  /** The stack's log bucket, created on first use. */
  public static of(scope: Construct): AccessLogsBucket {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ID);
    if (existing && !(existing instanceof AccessLogsBucket)) {
      throw new Error(`SecureBucket ${scope.node.path}: the stack's access-log bucket goes at ${stack.node.path}/${ID}, but another construct has that id; `
        + 'rename it or give serverAccessLogsBucket');
    }
    return existing ?? new AccessLogsBucket(stack, ID);
  }

  public readonly bucket: s3.Bucket;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Resource', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{
        id: 'ExpireAccessLogs',
        expiration: ACCESS_LOG_RETENTION,
        noncurrentVersionExpiration: NONCURRENT_LOG_RETENTION,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
    });
    // Whatever identity policies say, no person or role writes or permanently deletes a log: only
    // the delivery service (an AWS service principal) adds objects, and lifecycle expires them.
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyLogWritesExceptLogDelivery',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject', 's3:DeleteObjectVersion'],
      resources: [this.bucket.arnForObjects('*')],
      conditions: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
    }));

    const selfLogging = 'This is the server-access-log bucket: logging it into itself would log every delivery in a loop, and into another '
      + 'bucket would need that bucket logged too; record reads of the logs with CloudTrail data events where that matters';
    const sseS3 = 'S3 delivers server access logs only to buckets encrypted with SSE-S3 (AES256); SSE-KMS is not supported for the log bucket';
    const notReplicated = 'Access logs of this region stay in this region; copy them to a log archive account with your organization\'s log pipeline';
    acknowledge(this.bucket, [
      { id: 'AwsSolutions-S1', reason: selfLogging },
      ...inComplianceFrameworks('S3BucketLoggingEnabled', selfLogging),
      { id: 's3_bucket_logging_enabled_check', reason: selfLogging },
      ...inComplianceFrameworks('S3DefaultEncryptionKMS', sseS3),
      { id: 's3_bucket_default_encryption_kms_check', reason: sseS3 },
      ...inComplianceFrameworks('S3BucketReplicationEnabled', notReplicated),
      {
        id: 's3_bucket_object_lock_enabled_check',
        reason: 'S3 does not deliver server access logs to a bucket with an Object Lock default retention; the bucket policy denies log writes and '
          + 'version deletes to everyone but the log delivery service instead',
      },
      {
        id: 's3_event_notifications_enabled_check',
        reason: 'Every delivered log file would be an event nobody acts on; the bucket policy already keeps everyone but the log delivery service from writing',
      },
    ]);
  }

  /** Lets S3 deliver the access logs of `source` (a bucket of this account) under `prefix`. */
  public allowLogDelivery(source: s3.IBucket, prefix: string): void {
    this.bucket.addToResourcePolicy(logDeliveryStatement(this.bucket, source, prefix));
  }
}

/**
 * The statement S3 documents for bucket-policy log delivery: the logging service may put objects under
 * `prefix`, only for `source` of its account (aws:SourceArn, aws:SourceAccount).
 */
export function logDeliveryStatement(logBucket: s3.IBucket, source: s3.IBucket, prefix: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(LOG_DELIVERY_SERVICE)],
    actions: ['s3:PutObject'],
    resources: [logBucket.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': source.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(source).account },
    },
  });
}
