import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { acknowledge } from '../../lib/private/acknowledge';
import { SecureKey } from '../../lib/common/secure-key';
import { ComplianceFinding, complianceAcknowledgements, complianceFindings } from './compliance';
import { testApp } from './app';

const testAppOf = (s: Stack) => s.node.root as App;

function stack(): Stack {
  return new Stack(testApp(), 'Subject', { env: { account: '111111111111', region: 'us-east-1' } });
}

test('a SecureKey has no findings', () => {
  const s = stack();
  new SecureKey(s, 'Key');
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

describe('acknowledgements honoured by cdk-nag 2, cdk-nag 3 and cfn-guard alike', () => {
  function wildcardRole(s: Stack): iam.Role {
    const role = new iam.Role(s, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const bucket = new s3.Bucket(s, 'Data', { enforceSSL: true });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:Get*'], resources: [bucket.arnForObjects('*')] }));
    return role;
  }
  const iam5 = (findings: ComplianceFinding[]) => findings.filter((f) => f.rule === 'AwsSolutions-IAM5').map((f) => `${f.tool} ${f.finding}`).sort();

  test('each cdk-nag major reports every IAM5 finding of an unacknowledged policy', () => {
    const s = stack();
    wildcardRole(s);
    const bucket = s.resolve((s.node.findChild('Data').node.defaultChild as CfnResource).logicalId);
    expect(iam5(complianceFindings(s))).toEqual([
      'cdk-nag 2 Action::s3:Get*', `cdk-nag 2 Resource::<${bucket}.Arn>/*`,
      'cdk-nag 3 Action::s3:Get*', `cdk-nag 3 Resource::<${bucket}.Arn>/*`,
    ]);
  });

  test('appliesTo with a token names the finding as cdk-nag does, for both majors', () => {
    const s = stack();
    const role = wildcardRole(s);
    const bucket = s.node.findChild('Data') as s3.Bucket;
    acknowledge(role.node.findChild('DefaultPolicy'), [
      { id: 'AwsSolutions-IAM5', reason: 'the reader gets every object of this one bucket', appliesTo: [`Resource::${bucket.arnForObjects('*')}`] },
    ]);
    expect(iam5(complianceFindings(s))).toEqual(['cdk-nag 2 Action::s3:Get*', 'cdk-nag 3 Action::s3:Get*']);
  });

  test('appliesTo with a policy variable names it as cdk-nag does (<cognito-identity.amazonaws.com:sub>), in a literal ARN or a token', () => {
    const s = stack();
    const role = new iam.Role(s, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const own = new s3.Bucket(s, 'Data', { enforceSSL: true });
    const imported = s3.Bucket.fromBucketName(s, 'Imported', 'user-data');
    const perUser = (b: s3.IBucket) => b.arnForObjects('private/${cognito-identity.amazonaws.com:sub}/*');
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [perUser(own), perUser(imported)] }));
    expect(iam5(complianceFindings(s))).toHaveLength(4);

    const acknowledged = stack();
    const role2 = new iam.Role(acknowledged, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const own2 = new s3.Bucket(acknowledged, 'Data', { enforceSSL: true });
    const imported2 = s3.Bucket.fromBucketName(acknowledged, 'Imported', 'user-data');
    role2.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [perUser(own2), perUser(imported2)] }));
    acknowledge(role2.node.findChild('DefaultPolicy'), [
      { id: 'AwsSolutions-IAM5', reason: 'each identity reaches only its own folder', appliesTo: [`Resource::${perUser(own2)}`, `Resource::${perUser(imported2)}`] },
    ]);
    expect(iam5(complianceFindings(acknowledged))).toEqual([]);
  });

  test('IAM5 without appliesTo acknowledges, for cdk-nag 3, each finding the policy has at synthesis', () => {
    const s = stack();
    const role = wildcardRole(s);
    acknowledge(role.node.findChild('DefaultPolicy'), [{ id: 'AwsSolutions-IAM5', reason: 'a test policy whose wildcards are all intended' }]);
    // a statement added after the acknowledgement is covered too, as cdk-nag 2's rule-level suppression covers it
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:Send*'], resources: ['*'] }));
    expect(iam5(complianceFindings(s))).toEqual([]);
  });

  test('a finding id with "::" inside its brackets is recorded even where Validations.acknowledge rejects it (aws-cdk-lib before 2.262)', () => {
    const s = stack();
    const role = wildcardRole(s);
    const policy = role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    acknowledge(policy, [{ id: 'AwsSolutions-IAM5', reason: 'the reader gets every object of this one bucket', appliesTo: ['Resource::arn:aws:s3:::other/*'] }]);
    // per-finding acknowledgements are recorded when the app is validated, after references are resolved
    testAppOf(s).synth();
    const recorded = policy.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => Object.keys(m.data));
    expect(recorded.flat().map((id) => id.replace(/^annotation::/i, ''))).toContain('AwsSolutions-IAM5[Resource::arn:aws:s3:::other/*]');
  });

  test('a cfn-guard acknowledgement is also recorded for the CfnGuardValidator plugin', () => {
    const s = stack();
    const bucket = new s3.CfnBucket(s, 'Bucket');
    acknowledge(bucket, [{ id: 's3_bucket_level_public_access_prohibited_check', reason: 'account-level block public access covers this test bucket' }]);
    const recorded = bucket.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.entries(m.data));
    expect(recorded).toContainEqual(['cdk-validator-cfnguard::s3_bucket_level_public_access_prohibited_check', 'account-level block public access covers this test bucket']);
  });

  test('cdk-nag 3 reports a rule-level finding that only cdk-nag 2 metadata would cover', () => {
    const s = stack();
    const topic = new sns.Topic(s, 'Topic');
    (topic.node.defaultChild as CfnResource).addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'AwsSolutions-SNS3', reason: 'written by hand as cdk-nag 2 metadata only' }] });
    const sns3 = complianceFindings(s).filter((f) => f.rule === 'AwsSolutions-SNS3').map((f) => f.tool);
    expect(sns3).toEqual(['cdk-nag 3']);
  });
});

test('an appliesTo naming another stack\'s resource matches the import cdk-nag 3 sees in the synthesized template', () => {
  const app = testApp();
  const env = { account: '111111111111', region: 'us-east-1' };
  const data = new Stack(app, 'Data', { env });
  const bucket = new s3.Bucket(data, 'Bucket', { enforceSSL: true });
  const team = new Stack(app, 'Team', { env });
  const reader = new iam.Role(team, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  reader.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
  acknowledge(reader.node.findChild('DefaultPolicy'), [
    { id: 'AwsSolutions-IAM5', reason: 'the reader gets every object of the data bucket', appliesTo: [`Resource::${bucket.arnForObjects('*')}`] },
  ]);
  const iam5 = complianceFindings(team).filter((f) => f.rule === 'AwsSolutions-IAM5');
  expect(iam5).toEqual([]);
});
