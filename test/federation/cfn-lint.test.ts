import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { RoleMappingMatchType } from 'aws-cdk-lib/aws-cognito-identitypool';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AppIdentity, ExternalIdentityProvider, RoleSelection, SamlFederation } from '../../lib/federation';
import { testStack } from '../support/app';

/**
 * cfn-lint (on the machine image) over a stack that uses every option of the federation constructs:
 * the CloudFormation registry schemas catch property names, types and patterns the CDK does not check.
 */
test('a stack using every federation option passes cfn-lint', () => {
  const stack: Stack = testStack('Lint');
  const identity = new AppIdentity(stack, 'Identity', {
    groups: [{ groupName: 'finance', precedence: 1 }, { groupName: 'staff', precedence: 2 }],
    customAttributes: { department: new cognito.StringAttribute({ mutable: false }) },
    roleSelection: RoleSelection.rules([
      { claim: 'custom:department', value: 'finance', groupName: 'finance' },
      { claim: 'cognito:groups', value: 'staff', matchType: RoleMappingMatchType.CONTAINS, groupName: 'staff' },
    ], { denyUnmatched: true }),
    allowGuestAccess: true,
    identityPoolName: 'lint pool',
    domainPrefix: 'lint-app',
    callbackUrls: ['https://app.example.com/callback'],
    logoutUrls: ['https://app.example.com/'],
    identityProviders: [
      ExternalIdentityProvider.oidc({ name: 'Corporate', issuerUrl: 'https://login.example.com', clientId: 'c', clientSecret: SecretValue.secretsManager('oidc') }),
      ExternalIdentityProvider.saml({ name: 'ADFS', metadata: cognito.UserPoolIdentityProviderSamlMetadata.url('https://adfs.example.com/FederationMetadata/2007-06/FederationMetadata.xml') }),
      ExternalIdentityProvider.google({ clientId: 'g', clientSecret: SecretValue.secretsManager('google') }),
      ExternalIdentityProvider.facebook({ clientId: 'f', clientSecret: SecretValue.secretsManager('facebook') }),
      ExternalIdentityProvider.amazon({ clientId: 'a', clientSecret: SecretValue.secretsManager('amazon') }),
      ExternalIdentityProvider.apple({ servicesId: 'com.example', teamId: 'TEAM', keyId: 'KEY', privateKey: SecretValue.secretsManager('apple') }),
    ],
  });
  identity.grantUserPrefix(new s3.Bucket(stack, 'Data', { enforceSSL: true }));
  new SamlFederation(stack, 'Directory', {
    metadataDocument: iam.SamlMetadataDocument.fromFile(join(__dirname, 'fixtures', 'adfs-metadata.xml')),
    providerName: 'ADFS',
    mfaSessionTag: 'mfa',
    sessionTagKeys: ['department'],
    directoryGroups: [{ groupName: 'AWS-Admins' }, { groupName: 'AWS Readers', roleName: 'AWS-Readers', requireMfa: false }],
  });
  const file = join(mkdtempSync(join(tmpdir(), 'federation-lint-')), 'Lint.template.json');
  writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON()));
  // exits non-zero with the findings on stdout
  const lint = spawnSync('cfn-lint', [file], { encoding: 'utf8' });
  expect({ status: lint.status, findings: lint.stdout.trim(), error: lint.error?.message }).toEqual({ status: 0, findings: '', error: undefined });
});
