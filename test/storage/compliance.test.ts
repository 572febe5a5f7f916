import { Duration } from 'aws-cdk-lib';
import { SecureBucket } from '../../lib/storage';
import { FLAG_SETS, testStack } from '../support/app';
import { complianceFindings } from '../support/compliance';
import { replication } from './helpers';

/** cdk-nag 2 and 3 (four packs each) and the Control Tower guard rules: defaults clean, relaxations reported. */
describe.each(FLAG_SETS)('compliance with %s feature flags', (featureFlags) => {
  test('SecureBuckets with defaults, and with lifecycle rules and a pre-signed URL limit, have no findings', () => {
    const stack = testStack('Test', { featureFlags });
    new SecureBucket(stack, 'Data');
    new SecureBucket(stack, 'Tiered', {
      maxPresignedUrlAge: Duration.minutes(10),
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
    });
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('replication to another account with every rule option leaves no findings in either stack', () => {
    const env = replication({
      featureFlags,
      rules: [
        { prefix: 'critical/', priority: 2, replicationTimeControl: true, deleteMarkerReplication: true },
        { tags: { class: 'backup' }, priority: 1, metrics: true },
        { priority: 0 },
      ],
    });
    expect(complianceFindings(env.sourceStack)).toEqual([]);
    expect(complianceFindings(env.destinationStack)).toEqual([]);
  });
});

describe('relaxations are reported', () => {
  test('no versioning and no EventBridge events are findings the user must answer', () => {
    const stack = testStack('Test');
    new SecureBucket(stack, 'Data', { versioned: false, eventBridgeEnabled: false });
    const rules = new Set(complianceFindings(stack).map((f) => f.rule));
    expect(rules).toEqual(new Set([
      's3_bucket_versioning_enabled_check', 's3_event_notifications_enabled_check',
      'NIST.800.53.R5-S3BucketVersioningEnabled', 'HIPAA.Security-S3BucketVersioningEnabled', 'PCI.DSS.321-S3BucketVersioningEnabled',
    ]));
  });
});
