import { join } from 'node:path';
import { SecretValue, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Acknowledgements } from '../../lib/common';
import { AppIdentity, AppIdentityProps, ExternalIdentityProvider, SamlFederation } from '../../lib/federation';
import { ComplianceFinding, complianceFindings } from '../support/compliance';
import { FLAG_SETS, FeatureFlags, testApp } from '../support/app';

/**
 * Each federation construct on its own: the secure defaults and the options that add resources have no
 * unacknowledged findings; the relaxations (optional MFA, a cheaper plan, guests) are reported until
 * the app acknowledges them.
 */
function stack(featureFlags: FeatureFlags = 'recommended'): Stack {
  return new Stack(testApp({ featureFlags }), 'Subject', { env: { account: '111111111111', region: 'us-east-1' } });
}

const rules = (findings: ComplianceFinding[]) => [...new Set(findings.map((f) => f.rule))].sort();

describe.each(FLAG_SETS)('%s feature flags', (flags) => {
  test('an AppIdentity with groups, managed login, external providers and per-user folders has no findings', () => {
    const s = stack(flags);
    const identity = new AppIdentity(s, 'Identity', {
      groups: [{ groupName: 'admins', precedence: 0 }, { groupName: 'staff', precedence: 1 }],
      domainPrefix: 'example-app',
      callbackUrls: ['https://app.example.com/callback'],
      identityProviders: [
        ExternalIdentityProvider.oidc({ name: 'Corporate', issuerUrl: 'https://login.example.com', clientId: 'c', clientSecret: SecretValue.secretsManager('idp') }),
        ExternalIdentityProvider.google({ clientId: 'g', clientSecret: SecretValue.secretsManager('google') }),
      ],
    });
    identity.grantUserPrefix(s3.Bucket.fromBucketName(s, 'Data', 'user-data'));
    identity.grantUserPrefix(s3.Bucket.fromBucketName(s, 'Photos', 'photos'), { prefix: 'users/photos' });
    expect(complianceFindings(s)).toEqual([]);
  });

  test('a SamlFederation with MFA context and customer managed policies has no findings', () => {
    const s = stack(flags);
    const read = new iam.ManagedPolicy(s, 'ReadReports', { statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/report.csv'] })] });
    new SamlFederation(s, 'Directory', {
      metadataDocument: iam.SamlMetadataDocument.fromFile(join(__dirname, 'fixtures', 'adfs-metadata.xml')),
      mfaSessionTag: 'mfa',
      directoryGroups: [{ groupName: 'AWS-Readers', managedPolicies: [read] }, { groupName: 'AWS-Auditors', requireMfa: false }],
    });
    expect(complianceFindings(s)).toEqual([]);
  });
});

describe('relaxations are reported until acknowledged', () => {
  const relaxed = (s: Stack, props: AppIdentityProps) => new AppIdentity(s, 'Identity', props);

  test('optional MFA (AwsSolutions-COG2), the ESSENTIALS plan (AwsSolutions-COG8) and guest access (AwsSolutions-COG7)', () => {
    const s = stack();
    relaxed(s, { mfa: cognito.Mfa.OPTIONAL, featurePlan: cognito.FeaturePlan.ESSENTIALS, allowGuestAccess: true });
    const findings = complianceFindings(s);
    expect(rules(findings)).toEqual(['AwsSolutions-COG2', 'AwsSolutions-COG7', 'AwsSolutions-COG8']);
    expect(new Set(findings.map((f) => f.tool))).toEqual(new Set(['cdk-nag 2', 'cdk-nag 3']));
  });

  test('the app acknowledges them with its reasons', () => {
    const s = stack();
    const identity = relaxed(s, { mfa: cognito.Mfa.OPTIONAL, featurePlan: cognito.FeaturePlan.ESSENTIALS, allowGuestAccess: true });
    Acknowledgements.of(identity.userPool).add(
      { id: 'AwsSolutions-COG2', reason: 'A consumer app: users opt in to TOTP; threat protection would be the compensating control' },
      { id: 'AwsSolutions-COG8', reason: 'Cost decision for the pilot, reviewed before general availability' },
    );
    Acknowledgements.of(identity.identityPool).add({ id: 'AwsSolutions-COG7', reason: 'Visitors browse the public catalogue before signing in' });
    expect(complianceFindings(s)).toEqual([]);
  });
});
