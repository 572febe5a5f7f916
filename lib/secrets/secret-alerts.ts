import { Annotations, ArnFormat, Duration, Fn, Lazy, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { SecureKey } from '../common/secure-key';
import { allowCloudWatchLogs } from '../private/cloudwatch-logs-key';
import { RotatingSecret } from './rotating-secret';

/** Properties of `SecretAlerts`. */
export interface SecretAlertsProps {
  /**
   * Email addresses subscribed to the alert topic (each confirms its subscription).
   * @default - no subscriptions: subscribe to `topic` yourself
   */
  readonly emailAddresses?: string[];

  /**
   * The key that encrypts the alert topic (and the trail, if created). Its policy must let
   * events.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey*) without an aws:SourceAccount or
   * aws:SourceArn condition: EventBridge sends neither when it publishes to an encrypted topic.
   * @default - a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Create a CloudTrail trail for this region, so the API calls the rules match are recorded. Leave
   * it off where an organization or account trail already exists.
   * @default false
   */
  readonly createTrail?: boolean;

  /**
   * The rotated secrets whose rotation to guard (more with `watch()`): their values written by anyone
   * but their rotation functions, their rotation handed to another function, changes to the policy,
   * grants or rotation of their keys, and code or configuration changes of their rotation functions
   * alert.
   * @default - none: every PutSecretValue and UpdateSecret in the account and region alerts, and the
   * key and rotation-function rules stay disabled until a secret is watched
   */
  readonly secrets?: RotatingSecret[];
}

const SECRETS_SOURCE = 'secretsmanager.amazonaws.com';

/** The cdk-nag packs whose rules are named `<pack>-<rule>` alike. */
const NAG_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

const KMS_SOURCE = 'kms.amazonaws.com';
const LAMBDA_SOURCE = 'lambda.amazonaws.com';
const API_CALL = ['AWS API Call via CloudTrail'];

/**
 * CloudTrail's names of the Lambda API calls that replace what a function runs or how it runs
 * (code, layers, environment, role, handler), including deleting it and creating another under its
 * name. Lambda records them with its API version appended.
 */
const FUNCTION_CHANGES = ['UpdateFunctionCode20150331v2', 'UpdateFunctionConfiguration20150331v2', 'DeleteFunction20150331', 'CreateFunction20150331'];

/**
 * Alerts on the events that put secrets at risk, in this account and region: a secret deleted or
 * scheduled for deletion, a secret's resource policy changed or removed, a rotation failed or
 * abandoned, and a KMS key scheduled for deletion or disabled. For the secrets it watches (`secrets`,
 * `watch()`) also what an attack on their rotation needs: a value written by anyone but the rotation
 * function, rotation handed to another function or cancelled, their keys' policy, grants or rotation
 * changed, and the rotation functions' code or configuration changed. Each goes to one encrypted
 * SNS topic.
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
  /**
   * PutSecretValue or UpdateSecret on any secret by anyone but the watched secrets' rotation
   * functions (their roles' sessions): a value an attacker writes is what the next rotation trusts.
   */
  public readonly secretValueWriteRule: events.Rule;
  /** RotateSecret that names a rotation function other than those of the watched secrets. */
  public readonly rotationFunctionChangeRule: events.Rule;
  /** CancelRotateSecret: a secret's rotation was turned off. */
  public readonly rotationCancelRule: events.Rule;
  /**
   * PutKeyPolicy, DisableKeyRotation, or a CreateGrant made directly (not by an AWS service for its
   * resource) on the watched secrets' keys. Disabled while no watched secret has a key of this app.
   */
  public readonly keyAccessChangeRule: events.Rule;
  /**
   * Code or configuration of a watched secret's rotation function changed (or the function deleted
   * or created again under its name). Disabled while no secret is watched.
   */
  public readonly rotationFunctionCodeChangeRule: events.Rule;
  /** The trail, if `createTrail`. */
  public readonly trail?: cloudtrail.Trail;

  private readonly rotationRoleArns: string[] = [];
  private readonly rotationFunctions: lambda.IFunction[] = [];
  private readonly keyArns: string[] = [];
  private readonly watched = new Set<RotatingSecret>();

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
      // EventBridge publishes to the encrypted topic, so it must be able to use the key. No
      // aws:SourceAccount or aws:SourceArn here: EventBridge sends neither on the KMS call behind a
      // publish to an encrypted topic ("not supported for EventBridge-to-encrypted topics", SNS
      // developer guide, Key management), so with either condition no alert would ever arrive. Which
      // rules may publish is decided by the topic policy below (aws:SourceArn names our rules, and a
      // deny keeps every other rule out): another account's rule cannot publish to the topic at all.
      key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowEventBridgeToPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
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

    const stack = Stack.of(this);
    this.secretValueWriteRule = this.ruleFor('SecretValueWrite', 'A secret\'s value was written by someone other than its rotation function', {
      source: ['aws.secretsmanager'],
      detailType: API_CALL,
      detail: {
        eventSource: [SECRETS_SOURCE],
        eventName: ['PutSecretValue', 'UpdateSecret'],
        // role sessions other than the rotation functions', and every caller that is no role session (users, root)
        $or: Lazy.any({
          produce: () => (this.rotationRoleArns.length === 0 ? undefined : [
            { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': this.rotationRoleArns }] } } } },
            { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ exists: false }] } } } },
          ]),
        }),
      },
    });
    this.rotationFunctionChangeRule = this.ruleFor('RotationFunctionChange', 'A secret\'s rotation was handed to another function', {
      source: ['aws.secretsmanager'],
      detailType: API_CALL,
      detail: {
        eventSource: [SECRETS_SOURCE],
        eventName: ['RotateSecret'],
        requestParameters: {
          rotationLambdaARN: Lazy.any({
            produce: () => (this.rotationFunctions.length === 0 ? [{ exists: true }] : [{ 'anything-but': this.rotationFunctions.map((f) => f.functionArn) }]),
          }),
        },
      },
    });
    this.rotationCancelRule = this.rule('RotationCancel', 'A secret\'s rotation was turned off',
      'aws.secretsmanager', SECRETS_SOURCE, API_CALL, ['CancelRotateSecret']);
    this.keyAccessChangeRule = this.ruleFor('KeyAccessChange', 'The policy, grants or rotation of a secret\'s key changed', {
      source: ['aws.kms'],
      detailType: API_CALL,
      detail: {
        eventSource: [KMS_SOURCE],
        resources: Lazy.any({ produce: () => (this.keyArns.length === 0 ? undefined : { ARN: this.keyArns }) }),
        $or: [
          { eventName: ['PutKeyPolicy', 'DisableKeyRotation'] },
          // a grant an AWS service makes for its own resource (an RDS instance's storage) is no alert
          { eventName: ['CreateGrant'], userIdentity: { invokedBy: [{ exists: false }] } },
        ],
      },
    }, () => this.keyArns.length > 0);
    this.rotationFunctionCodeChangeRule = this.ruleFor('RotationFunctionCodeChange', 'A rotation function\'s code or configuration changed', {
      source: ['aws.lambda'],
      detailType: API_CALL,
      detail: {
        eventSource: [LAMBDA_SOURCE],
        eventName: FUNCTION_CHANGES,
        // callers name a function by name, ARN or partial ARN; the response names its ARN
        $or: Lazy.any({
          produce: () => {
            const arns = this.rotationFunctions.map((f) => f.functionArn);
            const names = this.rotationFunctions.flatMap((f) => [f.functionName, Fn.join(':', [stack.account, 'function', f.functionName])]);
            return arns.length === 0 ? undefined : [
              { requestParameters: { functionName: [...arns, ...names] } },
              { responseElements: { functionArn: arns } },
            ];
          },
        }),
      },
    }, () => this.rotationFunctions.length > 0);

    for (const secret of props.secrets ?? []) this.watch(secret);

    // EventBridge may publish for these rules only (aws:SourceArn, aws:SourceAccount): aws-cdk-lib's
    // SnsTopic target would add an unconditioned statement for every rule of every account. The deny
    // keeps publishing for other rules out even if someone adds such a statement later.
    const rules = [this.secretDeletionRule, this.resourcePolicyChangeRule, this.rotationFailureRule, this.keyDeletionRule,
      this.secretValueWriteRule, this.rotationFunctionChangeRule, this.rotationCancelRule, this.keyAccessChangeRule, this.rotationFunctionCodeChangeRule];
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

  /**
   * Guard `secret`'s rotation too: its rotation function's role may write its value (and no other
   * principal may unnoticed), and its key and rotation function are watched. Secrets whose key is
   * named by alias, or that use the AWS managed key, add no key; a custom rotation function without
   * a role in this app adds no role, so its writes alert.
   */
  public watch(secret: RotatingSecret): void {
    if (this.watched.has(secret)) return;
    this.watched.add(secret);
    const fn = secret.rotationFunction;
    if (!this.rotationFunctions.includes(fn)) this.rotationFunctions.push(fn);
    const role = fn.role;
    if (role && !this.rotationRoleArns.includes(role.roleArn)) this.rotationRoleArns.push(role.roleArn);
    if (!role) {
      Annotations.of(this).addWarningV2('cdk-security-patterns:alerts-unknown-rotation-role',
        `The rotation function of ${secret.node.path} has no role in this app, so its own writes of the secret's value alert too; pass the function with its role`);
    }
    const key = secret.encryptionKey;
    if (key) {
      const arn = key.keyArn;
      if (!Token.isUnresolved(arn) && arn.includes(':alias/')) {
        Annotations.of(this).addWarningV2('cdk-security-patterns:alerts-key-alias',
          `The key of ${secret.node.path} is named by alias (${arn}); CloudTrail names keys by key ARN, so changes to it are not watched: pass the key by key ARN`);
      } else if (!this.keyArns.includes(arn)) {
        this.keyArns.push(arn);
      }
    }
  }

  private rule(id: string, description: string, source: string, eventSource: string, detailType: string[], eventNames: string[]): events.Rule {
    return this.ruleFor(id, description, {
      source: [source],
      detailType,
      detail: { eventSource: [eventSource], eventName: eventNames },
    });
  }

  /** A rule to the topic; `enabled` is asked at synthesis (a rule with nothing to watch yet stays off). */
  private ruleFor(id: string, description: string, eventPattern: events.EventPattern, enabled?: () => boolean): events.Rule {
    const rule = new events.Rule(this, id, { description, eventPattern });
    rule.addTarget(new AlertTopicTarget(this.topic));
    if (enabled) {
      (rule.node.defaultChild as events.CfnRule).state = Lazy.string({ produce: () => (enabled() ? 'ENABLED' : 'DISABLED') });
    }
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
    // The role CloudTrail assumes to write to the log group keeps aws-cdk-lib's trust, cloudtrail.amazonaws.com
    // with no condition: CloudTrail does not send aws:SourceArn or aws:SourceAccount when it assumes
    // the role for CloudWatch Logs delivery, so a trust conditioned on them ends delivery to the log
    // group. What keeps other trails out: naming a role for a trail takes iam:PassRole on it, which
    // no other account can be given, and the role may write to this one log group only.
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
