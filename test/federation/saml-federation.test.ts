import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SamlFederation, SamlFederationProps } from '../../lib/federation';
import { AccessModel } from '../support/access-model';
import { FLAG_SETS, FeatureFlags, testApp, testStack } from '../support/app';

/** SamlFederation: the trust of each directory group's role, proven with AccessModel, and every failure message. */
const METADATA = iam.SamlMetadataDocument.fromFile(join(__dirname, 'fixtures', 'adfs-metadata.xml'));
const SIGN_IN = 'https://signin.aws.amazon.com/saml';

function build(props: Partial<SamlFederationProps> = {}, featureFlags: FeatureFlags = 'recommended') {
  const stack = testStack('Corp', { featureFlags });
  const readOnly = new iam.ManagedPolicy(stack, 'ReadReports', {
    statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] })],
  });
  const federation = new SamlFederation(stack, 'Directory', {
    metadataDocument: METADATA,
    providerName: 'ADFS',
    mfaSessionTag: 'mfa',
    directoryGroups: [
      { groupName: 'AWS-Admins', managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] },
      { groupName: 'AWS-Readers', managedPolicies: [readOnly], maxSessionDuration: Duration.hours(8), requireMfa: false },
    ],
    ...props,
  });
  const other = new iam.SamlProvider(stack, 'Other', { metadataDocument: METADATA, name: 'Attacker' });
  const admin = new iam.Role(stack, 'AccountAdmin', {
    assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
  });
  return { stack, federation, other, admin };
}

describe.each(FLAG_SETS)('who may assume a directory group\'s role, %s feature flags', (flags) => {
  const t = build({}, flags);
  const model = new AccessModel([t.stack]);
  const provider = model.arnOf(t.federation.provider);
  const assume = (role: iam.IRole, context: Record<string, string | null>, principal = provider) =>
    model.check({ principal, action: 'sts:AssumeRoleWithSAML', resource: role, context });
  const admins = () => t.federation.role('AWS-Admins');
  const readers = () => t.federation.role('AWS-Readers');

  test('the provider is the one made from the metadata', () => {
    expect(provider).toBe('arn:aws:iam::111111111111:saml-provider/ADFS');
  });

  test('an assertion of the provider for the AWS sign-in endpoint, after MFA, gets the admins role', () => {
    expect(assume(admins(), { 'SAML:aud': SIGN_IN, 'aws:RequestTag/mfa': 'true' })).toBe('Allowed');
  });

  test('... not without MFA context, nor with mfa=false', () => {
    expect(assume(admins(), { 'SAML:aud': SIGN_IN })).toBe('ImplicitlyDenied');
    expect(assume(admins(), { 'SAML:aud': SIGN_IN, 'aws:RequestTag/mfa': 'false' })).toBe('ImplicitlyDenied');
  });

  test('... not an assertion addressed to another service provider (replayed to AWS)', () => {
    expect(assume(admins(), { 'SAML:aud': 'https://wiki.example.com/saml/acs', 'aws:RequestTag/mfa': 'true' })).toBe('ImplicitlyDenied');
  });

  test('the readers role does not require MFA (requireMfa: false) but still the audience', () => {
    expect(assume(readers(), { 'SAML:aud': SIGN_IN })).toBe('Allowed');
    expect(assume(readers(), { 'SAML:aud': 'https://wiki.example.com/saml/acs' })).toBe('ImplicitlyDenied');
  });

  test('the IdP may pass the MFA session tag and no other', () => {
    const tag = (keys: string[]) => model.check({ principal: provider, action: 'sts:TagSession', resource: admins(), context: { 'SAML:aud': SIGN_IN, 'aws:TagKeys': keys } });
    expect(tag(['mfa'])).toBe('Allowed');
    expect(tag(['mfa', 'admin'])).toBe('ImplicitlyDenied');
  });

  test('an attacker holding iam:CreateSAMLProvider: assertions of their own provider get no role', () => {
    for (const role of [admins(), readers()]) {
      expect(assume(role, { 'SAML:aud': SIGN_IN, 'aws:RequestTag/mfa': 'true' }, model.arnOf(t.other))).toBe('ImplicitlyDenied');
    }
  });

  test('no principal of the account can assume the roles with sts:AssumeRole, not even an administrator', () => {
    expect(model.check({ principal: t.admin, action: 'sts:AssumeRole', resource: admins() })).toBe('ImplicitlyDenied');
  });
});

describe('roles and trust', () => {
  test('each role is named after its group, with the session length, and trusts only the provider for the sign-in audience', () => {
    const { stack, federation } = build();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::SAMLProvider', { Name: 'ADFS' });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'AWS-Readers',
      MaxSessionDuration: 8 * 3600,
      Description: 'Members of the directory group AWS-Readers',
      AssumeRolePolicyDocument: { Statement: [
        { Action: 'sts:AssumeRoleWithSAML', Effect: 'Allow', Principal: { Federated: { Ref: Match.stringLikeRegexp('^Directory') } }, Condition: { StringEquals: { 'SAML:aud': SIGN_IN } } },
        {
          Action: 'sts:TagSession', Effect: 'Allow', Principal: { Federated: { Ref: Match.stringLikeRegexp('^Directory') } },
          Condition: { 'StringEquals': { 'SAML:aud': SIGN_IN }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['mfa'] } },
        },
      ] },
    });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'AWS-Admins', MaxSessionDuration: 3600 });
    expect(federation.roles.map((r) => r.node.id)).toEqual(['AWS-Admins', 'AWS-Readers']);
    expect(federation.audience).toBe(SIGN_IN);
  });

  test('roleAttributeValue is the "role ARN,provider ARN" pair the IdP sends', () => {
    const { stack, federation } = build();
    expect(stack.resolve(federation.roleAttributeValue('AWS-Readers'))).toEqual({ 'Fn::Join': ['', [
      { 'Fn::GetAtt': [stack.resolve((federation.role('AWS-Readers').node.defaultChild as iam.CfnRole).logicalId), 'Arn'] },
      ',',
      { Ref: stack.resolve((federation.provider.node.defaultChild as iam.CfnSAMLProvider).logicalId) },
    ] ] });
  });

  test('without session tags, the trust has no TagSession statement', () => {
    const stack = testStack('Corp');
    new SamlFederation(stack, 'Directory', { metadataDocument: METADATA, directoryGroups: [{ groupName: 'AWS-Readers' }] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': SIGN_IN } } })] },
    });
  });

  test('an existing provider is trusted as it is', () => {
    const stack = testStack('Corp');
    const existing = iam.SamlProvider.fromSamlProviderArn(stack, 'Existing', 'arn:aws:iam::111111111111:saml-provider/Okta');
    const federation = new SamlFederation(stack, 'Directory', { existingProvider: existing, directoryGroups: [{ groupName: 'AWS-Readers' }] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::SAMLProvider', 0);
    const model = new AccessModel([stack]);
    expect(model.check({ principal: existing.samlProviderArn, action: 'sts:AssumeRoleWithSAML', resource: federation.role('AWS-Readers'), context: { 'SAML:aud': SIGN_IN } })).toBe('Allowed');
  });

  test('the audience follows the partition (China, GovCloud)', () => {
    const aud = (region: string) => new SamlFederation(new Stack(testApp(), 'S', { env: { account: '111111111111', region } }), 'D',
      { metadataDocument: METADATA, directoryGroups: [{ groupName: 'G1' }] }).audience;
    expect(aud('cn-north-1')).toBe('https://signin.amazonaws.cn/saml');
    expect(aud('us-gov-west-1')).toBe('https://signin.amazonaws-us-gov.com/saml');
    expect(new SamlFederation(new Stack(testApp(), 'Agnostic'), 'D', { metadataDocument: METADATA, directoryGroups: [{ groupName: 'G1' }] }).audience).toBe(SIGN_IN);
  });
});

describe('fails when', () => {
  const group = [{ groupName: 'AWS-Readers' }];
  const make = (props: Partial<SamlFederationProps>) => () => new SamlFederation(testStack('Corp'), 'Directory', { directoryGroups: group, ...props } as SamlFederationProps);

  test('both metadata and an existing provider are given', () => {
    const stack = testStack('Corp');
    const existing = iam.SamlProvider.fromSamlProviderArn(stack, 'Existing', 'arn:aws:iam::111111111111:saml-provider/Okta');
    expect(() => new SamlFederation(stack, 'Directory', { metadataDocument: METADATA, existingProvider: existing, directoryGroups: group })).toThrow(
      'SamlFederation Corp/Directory: metadataDocument and existingProvider exclude each other, got both; pass metadataDocument for a new provider or existingProvider to reuse one');
  });

  test('neither metadata nor an existing provider is given', () => {
    expect(make({})).toThrow(
      'SamlFederation Corp/Directory: needs the IdP\'s metadataDocument (e.g. SamlMetadataDocument.fromFile(\'FederationMetadata.xml\')) or an existingProvider, got neither');
  });

  test('a provider name is given with an existing provider', () => {
    const stack = testStack('Corp');
    const existing = iam.SamlProvider.fromSamlProviderArn(stack, 'Existing', 'arn:aws:iam::111111111111:saml-provider/Okta');
    expect(() => new SamlFederation(stack, 'Directory', { existingProvider: existing, providerName: 'ADFS', directoryGroups: group })).toThrow(
      'SamlFederation Corp/Directory: providerName names a new provider, got it with existingProvider; drop providerName');
  });

  test('the metadata document is too short to be an IdP\'s metadata', () => {
    expect(make({ metadataDocument: iam.SamlMetadataDocument.fromXml('<EntityDescriptor/>') })).toThrow(
      'SamlFederation Corp/Directory: the metadata document must have 1,000 to 10,000,000 characters (IAM\'s limits), got 19; '
      + 'pass the IdP\'s whole federation metadata (with its signing certificate), e.g. SamlMetadataDocument.fromFile(\'FederationMetadata.xml\')');
  });

  test('the provider name has other characters', () => {
    expect(make({ metadataDocument: METADATA, providerName: 'AD FS' })).toThrow('SamlFederation Corp/Directory: providerName must be 1 to 128 letters, digits and ._-, got "AD FS"');
  });

  test('no directory group is given', () => {
    expect(make({ metadataDocument: METADATA, directoryGroups: [] })).toThrow(
      'SamlFederation Corp/Directory: directoryGroups must list at least one directory group, got none; e.g. [{ groupName: \'AWS-Prod-ReadOnly\', managedPolicies: [...] }]');
  });

  test('a directory group is listed twice', () => {
    expect(make({ metadataDocument: METADATA, directoryGroups: [{ groupName: 'AWS-Readers' }, { groupName: 'AWS-Readers' }] })).toThrow(
      'SamlFederation Corp/Directory: the directory group "AWS-Readers" is listed twice; list each group once');
  });

  test('a group name cannot be a role name and no roleName is given', () => {
    expect(make({ metadataDocument: METADATA, directoryGroups: [{ groupName: 'AWS Prod Admins' }] })).toThrow(
      'SamlFederation Corp/Directory: the role name of directory group "AWS Prod Admins" must be 1 to 64 letters, digits and +=,.@_-, got "AWS Prod Admins"; '
      + 'set roleName for groups whose names have other characters');
  });

  test('two groups would get the same role name', () => {
    expect(make({ metadataDocument: METADATA, directoryGroups: [{ groupName: 'AWS-Readers' }, { groupName: 'Readers', roleName: 'aws-readers' }] })).toThrow(
      'SamlFederation Corp/Directory: two directory groups would get the role name "aws-readers" (IAM role names ignore case); set roleName on one of them');
  });

  test('the session length is outside 1 to 12 hours', () => {
    expect(make({ metadataDocument: METADATA, directoryGroups: [{ groupName: 'AWS-Readers', maxSessionDuration: Duration.minutes(30) }] })).toThrow(
      'SamlFederation Corp/Directory: maxSessionDuration of directory group "AWS-Readers" must be between 1 and 12 hours (the limits of IAM), got 30 minutes');
    expect(make({ metadataDocument: METADATA, directoryGroups: [{ groupName: 'AWS-Readers', maxSessionDuration: Duration.hours(13) }] })).toThrow(/got 13 hours$/);
  });

  test('a group requires MFA but the IdP sends no MFA context', () => {
    expect(make({ metadataDocument: METADATA, directoryGroups: [{ groupName: 'AWS-Admins', requireMfa: true }] })).toThrow(
      'SamlFederation Corp/Directory: directory group "AWS-Admins" requires MFA, but the federation has no mfaSessionTag, so there is no MFA context to check; '
      + 'set mfaSessionTag to the session tag your IdP sets to "true" after MFA (e.g. "mfa")');
  });

  test('a session tag key is reserved, invalid or given twice', () => {
    expect(make({ metadataDocument: METADATA, mfaSessionTag: 'aws:mfa' })).toThrow(
      'SamlFederation Corp/Directory: session tag key "aws:mfa" uses the reserved prefix "aws:"; choose another key');
    expect(make({ metadataDocument: METADATA, sessionTagKeys: ['team*'] })).toThrow(
      'SamlFederation Corp/Directory: session tag key "team*" is not valid; keys are 1 to 128 letters, digits, spaces and _.:/=+-@');
    expect(make({ metadataDocument: METADATA, mfaSessionTag: 'mfa', sessionTagKeys: ['MFA'] })).toThrow(
      'SamlFederation Corp/Directory: session tag key "MFA" is given twice (mfaSessionTag counts too; keys are case-insensitive); give each key once');
  });

  test('a role of a group that does not exist is asked for', () => {
    const { federation } = build();
    expect(() => federation.role('AWS-Billing')).toThrow('SamlFederation Corp/Directory: there is no directory group "AWS-Billing"; the groups are "AWS-Admins", "AWS-Readers"');
  });
});
