import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { createSecureKey } from '../private/secure-key';

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
      const key = createSecureKey(this, 'Key', { description: `Encrypts the secret alerts of ${this.node.path}` });
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
    rule.addTarget(new targets.SnsTopic(this.topic));
    return rule;
  }

  private createTrail(): cloudtrail.Trail {
    const bucket = new s3.Bucket(this, 'TrailBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(365) }],
    });
    if (this.encryptionKey instanceof kms.Key) {
      this.encryptionKey.grantEncryptDecrypt(new iam.ServicePrincipal('cloudtrail.amazonaws.com'));
    }
    return new cloudtrail.Trail(this, 'Trail', {
      bucket,
      encryptionKey: this.encryptionKey,
      enableFileValidation: true,
      includeGlobalServiceEvents: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogsRetention: logs.RetentionDays.ONE_YEAR,
    });
  }
}
