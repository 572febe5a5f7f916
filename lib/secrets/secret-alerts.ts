import { ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { SecureKey } from '../common/secure-key';
import { allowCloudWatchLogs } from '../private/cloudwatch-logs-key';

/** Properties of `SecretAlerts`. */
export interface SecretAlertsProps {
  /**
   * Email addresses subscribed to the alert topic (each confirms its subscription).
   * @default - no subscriptions: subscribe to `topic` yourself
   */
  readonly emailAddresses?: string[];

  /**
   * The key that encrypts the alert topic (and the trail, if created). Its policy must let
   * events.amazonaws.com use it.
   * @default - a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Create a CloudTrail trail for this region, so the API calls the rules match are recorded. Leave
   * it off where an organization or account trail already exists.
   * @default false
   */
  readonly createTrail?: boolean;
}

const SECRETS_SOURCE = 'secretsmanager.amazonaws.com';

/** The cdk-nag packs whose rules are named `<pack>-<rule>` alike. */
const NAG_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/**
 * Alerts on the events that put secrets at risk, in this account and region: a secret deleted or
 * scheduled for deletion, a secret's resource policy changed or removed, a rotation failed or
 * abandoned, and a KMS key scheduled for deletion or disabled. Each goes to one encrypted SNS topic.
 */
export class SecretAlerts extends Construct {
  /** The topic the alerts are published to. */
  public readonly topic: sns.Topic;
  /** The key that encrypts the topic. */
  public readonly encryptionKey: kms.IKey;
  /** DeleteSecret: a secret was deleted or scheduled for deletion. */
  public readonly secretDeletionRule: events.Rule;
  /** PutResourcePolicy or DeleteResourcePolicy on a secret. */
  public readonly resourcePolicyChangeRule: events.Rule;
  /** RotationFailed or RotationAbandoned. */
  public readonly rotationFailureRule: events.Rule;
  /** ScheduleKeyDeletion or DisableKey on a KMS key. */
  public readonly keyDeletionRule: events.Rule;
  /** The trail, if `createTrail`. */
  public readonly trail?: cloudtrail.Trail;

  constructor(scope: Construct, id: string, props: SecretAlertsProps = {}) {
    super(scope, id);
    for (const address of props.emailAddresses ?? []) {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
        throw new Error(`SecretAlerts: emailAddresses must be email addresses, got "${address}"`);
      }
    }
    if (props.encryptionKey) {
      this.encryptionKey = props.encryptionKey;
    } else {
      const key = new SecureKey(this, 'Key', { description: `Encrypts the secret alerts of ${this.node.path}` });
      // EventBridge publishes to the encrypted topic, so it must be able to use the key
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }));
      this.encryptionKey = key;
    }

    this.topic = new sns.Topic(this, 'Resource', {
      displayName: 'Secrets Manager alerts',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    for (const address of props.emailAddresses ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }

    this.secretDeletionRule = this.rule('SecretDeletion', 'A secret was deleted or scheduled for deletion',
      'aws.secretsmanager', SECRETS_SOURCE, ['AWS API Call via CloudTrail'], ['DeleteSecret']);
    this.resourcePolicyChangeRule = this.rule('ResourcePolicyChange', 'A secret\'s resource policy was changed or removed',
      'aws.secretsmanager', SECRETS_SOURCE, ['AWS API Call via CloudTrail'], ['PutResourcePolicy', 'DeleteResourcePolicy']);
    this.rotationFailureRule = this.rule('RotationFailure', 'A secret rotation failed or was abandoned',
      'aws.secretsmanager', SECRETS_SOURCE, ['AWS Service Event via CloudTrail'], ['RotationFailed', 'RotationAbandoned']);
    this.keyDeletionRule = this.rule('KeyDeletion', 'A KMS key was scheduled for deletion or disabled',
      'aws.kms', 'kms.amazonaws.com', ['AWS API Call via CloudTrail'], ['ScheduleKeyDeletion', 'DisableKey']);

    // EventBridge may publish for these rules only (aws:SourceArn, aws:SourceAccount): aws-cdk-lib's
    // SnsTopic target would add an unconditioned statement for every rule of every account. The deny
    // keeps publishing for other rules out even if someone adds such a statement later.
    const rules = [this.secretDeletionRule, this.resourcePolicyChangeRule, this.rotationFailureRule, this.keyDeletionRule];
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowPublishFromAlertRules',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        ArnEquals: { 'aws:SourceArn': rules.map((r) => r.ruleArn) },
        StringEquals: { 'aws:SourceAccount': stack.account },
      },
    }));
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyPublishFromOtherRules',
      effect: iam.Effect.DENY,
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: { ArnNotEquals: { 'aws:SourceArn': rules.map((r) => r.ruleArn) } },
    }));

    if (props.createTrail) {
      this.trail = this.createTrail();
    }
  }

  private rule(id: string, description: string, source: string, eventSource: string, detailType: string[], eventNames: string[]): events.Rule {
    const rule = new events.Rule(this, id, {
      description,
      eventPattern: {
        source: [source],
        detailType,
        detail: { eventSource: [eventSource], eventName: eventNames },
      },
    });
    rule.addTarget(new AlertTopicTarget(this.topic));
    return rule;
  }

  private createTrail(): cloudtrail.Trail {
    const stack = Stack.of(this);
    // A name fixed at synthesis, so the key, bucket and role policies can name the trail's ARN
    // (aws:SourceArn) without a reference to the trail, which references them.
    const trailName = Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const bucket = new TrailBucket(this, 'TrailBucket', trailArn, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      // No S3 Bucket Key: KMS then sees CloudTrail's own encryption context (the trail's ARN) on
      // every delivery, which the key policy below requires; a trail writes a few objects an hour.
      bucketKeyEnabled: false,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(365) }],
    });
    const bucketReason = 'The bucket receives only CloudTrail\'s deliveries, whose signed digest files (log file validation) reveal any change or deletion';
    const noAccessLogs = `${bucketReason}; server access logs would need another bucket, which cannot use the KMS key`;
    acknowledge(bucket, [
      { id: 'AwsSolutions-S1', reason: noAccessLogs },
      ...NAG_PACKS.map((pack) => ({ id: `${pack}-S3BucketLoggingEnabled`, reason: noAccessLogs })),
      { id: 's3_bucket_logging_enabled_check', reason: noAccessLogs },
      ...NAG_PACKS.map((pack) => ({
        id: `${pack}-S3BucketReplicationEnabled`,
        reason: 'A regional trail for this region\'s alerts; the durable cross-region copy belongs to the organization trail of the log archive account',
      })),
      {
        id: 's3_bucket_object_lock_enabled_check',
        reason: `${bucketReason}; WORM retention is decided for the organization trail in the log archive account, not per alerting stack`,
      },
      {
        id: 's3_event_notifications_enabled_check',
        reason: 'Nothing consumes object-created events of trail deliveries: the alerts come from EventBridge rules on the API events themselves',
      },
    ]);

    let logGroup: logs.LogGroup | undefined;
    if (this.encryptionKey instanceof kms.Key) {
      // What CloudTrail needs of the key (its "Configure AWS KMS key policies" page), for this trail
      // only: aws:SourceArn names the trail and the encryption context an account's trail, so
      // CloudTrail cannot be made to use the key for anybody else's trail (confused deputy).
      const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
      this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncryptThisTrail',
        principals: [cloudTrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': trailArn },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
        },
      }));
      this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudTrailToDescribeKeyForThisTrail',
        principals: [cloudTrail],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }));
      allowCloudWatchLogs(this.encryptionKey);
      logGroup = new logs.LogGroup(this, 'TrailLogGroup', {
        retention: logs.RetentionDays.ONE_YEAR,
        encryptionKey: this.encryptionKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    const trail = new cloudtrail.Trail(this, 'Trail', {
      trailName,
      bucket,
      encryptionKey: this.encryptionKey,
      enableFileValidation: true,
      includeGlobalServiceEvents: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: logGroup,
      cloudWatchLogsRetention: logGroup ? undefined : logs.RetentionDays.ONE_YEAR,
    });
    // The role CloudTrail assumes to write to the log group: for this trail of this account only.
    const logsRole = trail.node.tryFindChild('LogsRole')?.node.defaultChild;
    if (logsRole instanceof iam.CfnRole) {
      logsRole.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
        StringEquals: { 'aws:SourceArn': trailArn, 'aws:SourceAccount': stack.account },
      });
    }
    const logsPolicy = trail.node.tryFindChild('LogsRole')?.node.tryFindChild('DefaultPolicy');
    if (logsPolicy) {
      const reason = 'The role CloudTrail assumes to write to this trail\'s log group; aws-cdk-lib\'s Trail writes its policy (CreateLogStream and '
        + 'PutLogEvents on that one log group) inline and takes no role of ours';
      acknowledge(logsPolicy, NAG_PACKS.map((pack) => ({ id: `${pack}-IAMNoInlinePolicy`, reason })));
    }
    return trail;
  }
}

/** An SNS topic as a rule target without a topic-policy statement of its own: SecretAlerts writes one that names its rules. */
class AlertTopicTarget implements events.IRuleTarget {
  constructor(private readonly topic: sns.ITopic) {}

  public bind(): events.RuleTargetConfig {
    return { arn: this.topic.topicArn, targetResource: this.topic };
  }
}

/**
 * The trail's bucket: aws-cdk-lib's Trail adds statements for cloudtrail.amazonaws.com to its policy
 * (GetBucketAcl, PutObject) without naming the trail; here each of them is for this trail only.
 */
class TrailBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, private readonly trailArn: string, props: s3.BucketProps) {
    super(scope, id, props);
  }

  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    const forCloudTrail = statement.effect === iam.Effect.ALLOW
      && statement.principals.some((p) => p instanceof iam.ServicePrincipal && p.service === 'cloudtrail.amazonaws.com');
    if (forCloudTrail) {
      statement.addCondition('StringEquals', { 'aws:SourceArn': this.trailArn });
    }
    return super.addToResourcePolicy(statement);
  }
}
