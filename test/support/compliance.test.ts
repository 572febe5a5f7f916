import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { acknowledge } from '../../lib/private/acknowledge';
import { createSecureKey } from '../../lib/private/secure-key';
import { complianceAcknowledgements, complianceFindings } from './compliance';

function stack(): Stack {
  return new Stack(new App(), 'Subject', { env: { account: '111111111111', region: 'us-east-1' } });
}

test('a key from createSecureKey has no findings', () => {
  const s = stack();
  createSecureKey(s, 'Key');
  expect(complianceFindings(s)).toEqual([]);
});

test('a plain rotating key lacks the Control Tower grant restriction', () => {
  const s = stack();
  new kms.Key(s, 'Key', { enableKeyRotation: true });
  expect(complianceFindings(s)).toEqual([
    expect.objectContaining({ pack: 'ControlTower', rule: 'kms_create_grant_aws_service_check', path: 'Subject/Key/Resource' }),
  ]);
});

test('a key without rotation is found by several nag packs', () => {
  const s = stack();
  new kms.Key(s, 'Key', { enableKeyRotation: false });
  const rules = complianceFindings(s).map((f) => f.rule);
  expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-KMS5', 'NIST.800.53.R5-KMSBackingKeyRotationEnabled', 'PCI.DSS.321-KMSBackingKeyRotationEnabled']));
});

test('a plain bucket is found by cdk-nag and by the Control Tower guard rules', () => {
  const s = stack();
  new s3.CfnBucket(s, 'Bucket');
  const findings = complianceFindings(s);
  expect(findings.map((f) => f.pack)).toEqual(expect.arrayContaining(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'ControlTower']));
  expect(findings).toContainEqual(expect.objectContaining({ pack: 'ControlTower', rule: 's3_bucket_level_public_access_prohibited_check' }));
});

test('acknowledged findings are not reported, and are listed with their reason', () => {
  const s = stack();
  const topic = new sns.Topic(s, 'Topic');
  const findingsBefore = complianceFindings(s).filter((f) => f.path.includes('Topic')).map((f) => f.rule);
  expect(findingsBefore).toEqual(expect.arrayContaining(['AwsSolutions-SNS3', 'NIST.800.53.R5-SNSEncryptedKMS']));

  const s2 = stack();
  const topic2 = new sns.Topic(s2, 'Topic');
  acknowledge(topic2, findingsBefore.map((id) => ({ id, reason: 'test topic that never carries data, only exists for this test' })));
  expect(complianceFindings(s2).filter((f) => f.path.includes('Topic'))).toEqual([]);
  expect(complianceAcknowledgements(s2).map((a) => a.rule).sort()).toEqual([...findingsBefore].sort());
  expect(topic).toBeDefined();
});

test('a cfn-guard finding can be acknowledged by rule name', () => {
  const s = stack();
  const bucket = new s3.CfnBucket(s, 'Bucket');
  acknowledge(bucket, [{ id: 's3_bucket_level_public_access_prohibited_check', reason: 'account-level block public access covers this test bucket' }]);
  const guard = complianceFindings(s).filter((f) => f.pack === 'ControlTower').map((f) => f.rule);
  expect(guard).not.toContain('s3_bucket_level_public_access_prohibited_check');
  expect(complianceAcknowledgements(s)).toContainEqual(expect.objectContaining({
    rule: 's3_bucket_level_public_access_prohibited_check', reason: 'account-level block public access covers this test bucket',
  }));
});

test('fails when an acknowledgement gives no real reason', () => {
  const s = stack();
  const topic = new sns.Topic(s, 'Topic');
  expect(() => acknowledge(topic, [{ id: 'AwsSolutions-SNS3', reason: 'ok' }])).toThrow(/reason for AwsSolutions-SNS3 on Subject\/Topic must say why in at least 20 characters, got "ok"/);
});
