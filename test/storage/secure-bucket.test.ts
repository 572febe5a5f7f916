import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SecureBucket, SecureBucketProps } from '../../lib/storage';
import { FLAG_SETS, testStack } from '../support/app';

/** Template shape of SecureBucket and its log bucket; the access they give is proven in access.test.ts. */
describe.each(FLAG_SETS)('SecureBucket with %s feature flags', (featureFlags) => {
  const build = (props: SecureBucketProps = {}) => {
    const stack = testStack('Test', { featureFlags });
    const data = new SecureBucket(stack, 'Data', props);
    return { stack, data, template: Template.fromStack(stack) };
  };
  const byDefault = build();
  const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.resolve((construct.node.defaultChild as s3.CfnBucket).logicalId);

  test('encrypts with its own rotated key and an S3 Bucket Key', () => {
    const { template, data, stack } = byDefault;
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(stack, data.encryptionKey), 'Arn'] } },
        }],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('blocks public access, disables ACLs and keeps versions', () => {
    byDefault.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.objectLike({ ServerSideEncryptionConfiguration: [Match.objectLike({ BucketKeyEnabled: true })] }),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  test('retains the bucket and its key by default, and follows removalPolicy', () => {
    const kept = byDefault.template;
    expect(Object.values(kept.findResources('AWS::S3::Bucket')).every((r) => r.DeletionPolicy === 'Retain')).toBe(true);
    expect(Object.values(kept.findResources('AWS::KMS::Key')).map((r) => r.DeletionPolicy)).toEqual(['Retain']);
    const { template, data, stack } = build({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::S3::Bucket', { Properties: Match.objectLike({ BucketEncryption: Match.anyValue() }), DeletionPolicy: 'Delete' });
    expect(template.toJSON().Resources[logicalId(stack, data.encryptionKey)].DeletionPolicy).toBe('Delete');
  });

  test('has no lifecycle rule by default, so the root user can turn on MFA delete', () => {
    const { template, stack, data } = byDefault;
    const bucket = template.toJSON().Resources[logicalId(stack, data.bucket)];
    expect(bucket.Properties.LifecycleConfiguration).toBeUndefined();
    // the template never sets MFA delete: a stack update would otherwise fight the root user's setting
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  test('sends its events to EventBridge unless told not to', () => {
    byDefault.template.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
    const { template, stack, data } = build({ eventBridgeEnabled: false });
    expect(template.toJSON().Resources[logicalId(stack, data.bucket)].Properties.NotificationConfiguration).toBeUndefined();
  });

  test('logs access into the stack\'s log bucket under its own path, through a bucket policy (no ACL under any flags)', () => {
    const { template, stack, data } = byDefault;
    const logs = logicalId(stack, data.serverAccessLogsBucket);
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: logs }, LogFilePrefix: 'Data/' } });
    const logBucket = template.toJSON().Resources[logs];
    expect(logBucket.Properties.AccessControl).toBeUndefined();
    expect(logBucket.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(logBucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(logBucket.Properties.LifecycleConfiguration.Rules).toEqual([expect.objectContaining({ ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' })]);
    expect(logBucket.DeletionPolicy).toBe('Retain');
  });

  test('the SecureBuckets of a stack share one log bucket, with one delivery statement each', () => {
    const stack = testStack('Test', { featureFlags });
    const a = new SecureBucket(stack, 'A');
    const b = new SecureBucket(stack, 'B', { serverAccessLogsPrefix: 'custom/b/' });
    expect(a.serverAccessLogsBucket).toBe(b.serverAccessLogsBucket);
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::S3::Bucket'))).toHaveLength(3);
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy'))
      .find((p) => p.Properties.Bucket.Ref === logicalId(stack, a.serverAccessLogsBucket))!;
    const deliveries = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Principal?.Service === 'logging.s3.amazonaws.com');
    expect(deliveries.map((s: any) => [JSON.stringify(s.Resource), s.Condition.ArnLike['aws:SourceArn'], s.Condition.StringEquals['aws:SourceAccount']])).toEqual([
      [expect.stringContaining('"/A/*"'), { 'Fn::GetAtt': [logicalId(stack, a.bucket), 'Arn'] }, '111111111111'],
      [expect.stringContaining('"/custom/b/*"'), { 'Fn::GetAtt': [logicalId(stack, b.bucket), 'Arn'] }, '111111111111'],
    ]);
  });

  test('denies SigV2 requests by default, and not when allowed', () => {
    const sigV2 = (template: Template) => JSON.stringify(template.findResources('AWS::S3::BucketPolicy')).includes('"s3:signatureversion":"AWS"');
    expect(sigV2(byDefault.template)).toBe(true);
    expect(sigV2(build({ denySignatureV2: false }).template)).toBe(false);
  });

  test('limits pre-signed URLs to the given age in milliseconds, query-string requests only', () => {
    const { template } = build({ maxPresignedUrlAge: Duration.minutes(10) });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'DenyOldPresignedUrls',
          Effect: 'Deny',
          Condition: { StringEquals: { 's3:authType': 'REST-QUERY-STRING' }, NumericGreaterThan: { 's3:signatureAge': 600000 } },
        })]),
      },
    });
    expect(JSON.stringify(byDefault.template.toJSON())).not.toContain('s3:signatureAge');
  });

  test('uses a given key and creates none', () => {
    const stack = testStack('Test', { featureFlags });
    const key = new kms.Key(stack, 'Given', { enableKeyRotation: true });
    const data = new SecureBucket(stack, 'Data', { encryptionKey: key });
    expect(data.encryptionKey).toBe(key);
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::KMS::Key'))).toEqual([stack.resolve((key.node.defaultChild as kms.CfnKey).logicalId)]);
  });

  test('lets a log bucket of the app receive its logs, and warns about one it cannot change', () => {
    const stack = testStack('Test', { featureFlags });
    const own = new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.S3_MANAGED });
    new SecureBucket(stack, 'Data', { serverAccessLogsBucket: own });
    const imported = s3.Bucket.fromBucketName(stack, 'Central', 'central-access-logs');
    new SecureBucket(stack, 'Other', { serverAccessLogsBucket: imported });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: stack.resolve(own.node.defaultChild && (own.node.defaultChild as s3.CfnBucket).logicalId) },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
    // no shared log bucket when every SecureBucket names its own
    expect(Object.keys(template.findResources('AWS::S3::Bucket'))).toHaveLength(3);
    Annotations.fromStack(stack).hasWarning('/Test/Other', Match.stringLikeRegexp('the policy of the log bucket central-access-logs is not managed by this app; allow logging.s3.amazonaws.com'));
  });

  test('grants delegate to the bucket: read includes decrypting with its key', () => {
    const stack = testStack('Test', { featureFlags });
    const data = new SecureBucket(stack, 'Data');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    data.grantRead(reader, 'reports/*');
    const statements = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(statements).toContain('s3:GetObject*');
    expect(statements).toContain('kms:Decrypt');
    expect(statements).toContain('/reports/*');
  });
});
