import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { RoleMappingMatchType } from 'aws-cdk-lib/aws-cognito-identitypool';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AppIdentity, AppIdentityProps, ExternalIdentityProvider, RoleSelection } from '../../lib/federation';
import { FLAG_SETS, FeatureFlags, testStack } from '../support/app';

/** Template-level behaviour of AppIdentity and every message for bad props. Access is proven in access.test.ts. */
function build(props: AppIdentityProps = {}, featureFlags: FeatureFlags = 'recommended') {
  const stack = testStack('App', { featureFlags });
  const identity = new AppIdentity(stack, 'Identity', props);
  return { stack, identity, template: Template.fromStack(stack) };
}

const HOSTED = { domainPrefix: 'example-app', callbackUrls: ['https://app.example.com/callback'], logoutUrls: ['https://app.example.com/'] };
const corporate = () => ExternalIdentityProvider.oidc({
  name: 'Corporate', issuerUrl: 'https://login.example.com', clientId: 'client', clientSecret: SecretValue.secretsManager('idp/client-secret'),
});

describe.each(FLAG_SETS)('secure defaults, %s feature flags', (flags) => {
  const { template } = build({}, flags);

  test('the user pool requires TOTP MFA (no SMS), a strong password, a verified email, and is on the PLUS plan with threat protection enforced', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: {
        MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true,
        PasswordHistorySize: 24, TemporaryPasswordValidityDays: 3,
      } },
      AutoVerifiedAttributes: ['email'],
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    template.resourceCountIs('AWS::IAM::Role', 1); // no SMS role: only the authenticated role
  });

  test('the user pool and the identity pool are retained', () => {
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::Cognito::IdentityPool', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('the app client is public, uses SRP without managed login, hides whether users exist, and may write no custom attribute', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlows: Match.absent(),
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AccessTokenValidity: 60, IdTokenValidity: 60, RefreshTokenValidity: 1440,
      WriteAttributes: ['email', 'family_name', 'given_name', 'locale', 'name', 'nickname', 'picture', 'zoneinfo'],
    });
  });

  test('the identity pool trusts only this user pool\'s client, checks tokens with the user pool, has no guests and no basic flow', () => {
    template.hasResourceProperties('AWS::Cognito::IdentityPool', {
      AllowUnauthenticatedIdentities: false,
      AllowClassicFlow: false,
      CognitoIdentityProviders: [{ ClientId: { Ref: Match.stringLikeRegexp('^IdentityClient') }, ProviderName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Identity'), 'ProviderName'] }, ServerSideTokenCheck: true }],
      SupportedLoginProviders: Match.absent(),
    });
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      Roles: { authenticated: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IdentityAuthenticatedRole'), 'Arn'] }, unauthenticated: Match.absent() },
      RoleMappings: Match.absent(),
    });
  });
});

describe('options', () => {
  test('mfa OPTIONAL still offers TOTP only', () => {
    build({ mfa: cognito.Mfa.OPTIONAL }).template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
  });

  test('the ESSENTIALS plan has no threat protection but keeps the password history; LITE has neither', () => {
    build({ featurePlan: cognito.FeaturePlan.ESSENTIALS }).template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS', UserPoolAddOns: Match.absent(), Policies: { PasswordPolicy: Match.objectLike({ PasswordHistorySize: 24 }) },
    });
    build({ featurePlan: cognito.FeaturePlan.LITE }).template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'LITE', Policies: { PasswordPolicy: Match.objectLike({ PasswordHistorySize: Match.absent() }) },
    });
  });

  test('threat protection in audit mode, a longer password, self sign-up and no deletion protection when asked', () => {
    build({
      threatProtection: cognito.StandardThreatProtectionMode.AUDIT_ONLY, minPasswordLength: 20, selfSignUpEnabled: true, deletionProtection: false, removalPolicy: RemovalPolicy.DESTROY,
    }).template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' }, DeletionProtection: 'INACTIVE',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false }, Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 20 }) },
      }),
    });
  });

  test('a managed login domain enables the authorization code flow (no implicit flow) with the given URLs, and a managed login style', () => {
    const { template } = build(HOSTED);
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'example-app', ManagedLoginVersion: 2 });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: ['https://app.example.com/callback'], LogoutURLs: ['https://app.example.com/'], SupportedIdentityProviders: ['COGNITO'],
    });
    template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true });
  });

  test('http is accepted for localhost only', () => {
    expect(() => build({ ...HOSTED, callbackUrls: ['http://localhost:3000/callback', 'http://127.0.0.1/cb'] })).not.toThrow();
  });

  test('external identity providers are added to the user pool and offered by the client', () => {
    const { template } = build({
      ...HOSTED,
      identityProviders: [
        corporate(),
        ExternalIdentityProvider.saml({ name: 'ADFS', metadata: cognito.UserPoolIdentityProviderSamlMetadata.url('https://adfs.example.com/FederationMetadata/2007-06/FederationMetadata.xml') }),
        ExternalIdentityProvider.google({ clientId: 'google-client', clientSecret: SecretValue.secretsManager('google/client-secret') }),
      ],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { SupportedIdentityProviders: ['COGNITO', 'Corporate', 'ADFS', 'Google'] });
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'Corporate', ProviderType: 'OIDC',
      ProviderDetails: Match.objectLike({ client_secret: '{{resolve:secretsmanager:idp/client-secret:SecretString:::}}', oidc_issuer: 'https://login.example.com', authorize_scopes: 'openid email profile' }),
    });
    // signed authentication requests, no IdP-initiated sign-in
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'ADFS', ProviderType: 'SAML', ProviderDetails: Match.objectLike({ RequestSigningAlgorithm: 'rsa-sha256', IDPInit: false }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', { ProviderName: 'Google', ProviderType: 'Google' });
    // the client refers to providers by name: they must exist first
    const clients = template.findResources('AWS::Cognito::UserPoolClient');
    expect(Object.values(clients)[0].DependsOn).toHaveLength(3);
  });

  test('a plain-text client secret gets a warning', () => {
    const { stack } = build({ ...HOSTED, identityProviders: [ExternalIdentityProvider.facebook({ clientId: 'fb', clientSecret: SecretValue.unsafePlainText('s3cr3t') })] });
    Annotations.fromStack(stack).hasWarning('/App/Identity', Match.stringLikeRegexp('facebook identity provider\'s secret is plain text'));
  });

  test('a secret from Secrets Manager gets no warning', () => {
    const { stack } = build({ ...HOSTED, identityProviders: [ExternalIdentityProvider.amazon({ clientId: 'lwa', clientSecret: SecretValue.secretsManager('lwa') })] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('plain text'));
  });

  test('Sign in with Apple and Login with Amazon', () => {
    const { template } = build({
      ...HOSTED,
      identityProviders: [
        ExternalIdentityProvider.apple({ servicesId: 'com.example.app', teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: SecretValue.secretsManager('apple/key') }),
        ExternalIdentityProvider.amazon({ clientId: 'lwa', clientSecret: SecretValue.secretsManager('lwa') }),
      ],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { SupportedIdentityProviders: ['COGNITO', 'SignInWithApple', 'LoginWithAmazon'] });
  });

  test('groups get a role each, trusted by the identity pool for signed-in identities, and the preferred role decides by default', () => {
    const { template, identity } = build({ groups: [{ groupName: 'admins', precedence: 0, description: 'Administrators' }, { groupName: 'staff', precedence: 10 }] });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: 'admins', Precedence: 0, Description: 'Administrators', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IdentityGroupsadminsRole'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      RoleMappings: { UserPool: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole', IdentityProvider: Match.anyValue() } },
    });
    expect(identity.signedInRoles.map((r) => r.node.id)).toEqual(['AuthenticatedRole', 'adminsRole', 'staffRole']);
    expect(identity.group('staff').node.id).toBe('staff');
  });

  test('rule-based selection maps claims to group roles; unmatched users can be denied', () => {
    const { template, identity } = build({
      groups: [{ groupName: 'finance', precedence: 1 }],
      customAttributes: { department: new cognito.StringAttribute({ mutable: false }) },
      roleSelection: RoleSelection.rules([
        { claim: 'custom:department', value: 'finance', groupName: 'finance' },
        { claim: 'cognito:groups', value: 'finance', matchType: RoleMappingMatchType.CONTAINS, groupName: 'finance' },
      ], { denyUnmatched: true }),
    });
    const financeRole = Stack.of(identity).resolve(identity.groupRole('finance').roleArn);
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      RoleMappings: { UserPool: {
        Type: 'Rules', AmbiguousRoleResolution: 'Deny',
        RulesConfiguration: { Rules: [
          { Claim: 'custom:department', MatchType: 'Equals', Value: 'finance', RoleARN: financeRole },
          { Claim: 'cognito:groups', MatchType: 'Contains', Value: 'finance', RoleARN: financeRole },
        ] },
      } },
    });
  });

  test('RoleSelection.authenticatedRole() keeps group roles out of the identity pool', () => {
    build({ groups: [{ groupName: 'staff', precedence: 1 }], roleSelection: RoleSelection.authenticatedRole() })
      .template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', { RoleMappings: Match.absent() });
  });

  test('guest access adds a guest role trusted for unauthenticated identities only', () => {
    const { template } = build({ allowGuestAccess: true });
    template.hasResourceProperties('AWS::Cognito::IdentityPool', { AllowUnauthenticatedIdentities: true });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.objectLike({ 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' } }) })] },
    });
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      Roles: { authenticated: Match.anyValue(), unauthenticated: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IdentityGuestRole'), 'Arn'] } },
    });
  });

  test('grantUserPrefix puts one managed policy on every signed-in role, never on the guest role', () => {
    const stack = testStack('App');
    const identity = new AppIdentity(stack, 'Identity', { groups: [{ groupName: 'staff', precedence: 1 }], allowGuestAccess: true });
    identity.grantUserPrefix(s3.Bucket.fromBucketName(stack, 'Data', 'user-data'));
    identity.grantUserPrefix(s3.Bucket.fromBucketName(stack, 'Photos', 'photos'), { prefix: 'users/photos' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(stack.resolve(policy.Properties.Roles)).toEqual([
      { Ref: stack.resolve((identity.authenticatedRole.node.defaultChild as iam.CfnRole).logicalId) },
      { Ref: stack.resolve((identity.groupRole('staff').node.defaultChild as iam.CfnRole).logicalId) },
    ]);
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('arn:aws:s3:::photos/users/photos/${cognito-identity.amazonaws.com:sub}/*');
  });
});

describe('fails when', () => {
  test('MFA is off', () => {
    expect(() => build({ mfa: cognito.Mfa.OFF })).toThrow(
      'AppIdentity App/Identity: mfa must be Mfa.REQUIRED or Mfa.OPTIONAL (TOTP), got Mfa.OFF; passwords alone are phished and reused, so keep a second factor, at least optional');
  });

  test('threat protection is asked for on a plan without it', () => {
    expect(() => build({ featurePlan: cognito.FeaturePlan.ESSENTIALS, threatProtection: cognito.StandardThreatProtectionMode.FULL_FUNCTION })).toThrow(
      'AppIdentity App/Identity: threatProtection needs FeaturePlan.PLUS, got featurePlan ESSENTIALS; choose FeaturePlan.PLUS or drop threatProtection');
  });

  test('the password length is under 8 or not a whole number', () => {
    expect(() => build({ minPasswordLength: 6 })).toThrow('AppIdentity App/Identity: minPasswordLength must be a whole number from 8 to 99, got 6');
    expect(() => build({ minPasswordLength: 12.5 })).toThrow('AppIdentity App/Identity: minPasswordLength must be a whole number from 8 to 99, got 12.5');
  });

  test('the identity pool name has other characters', () => {
    expect(() => build({ identityPoolName: 'my-app' })).toThrow('AppIdentity App/Identity: identityPoolName must be 1 to 128 letters, digits, underscores and spaces, got "my-app"');
    expect(() => build({ identityPoolName: 'my app_1' })).not.toThrow();
  });

  test('two groups have the same precedence', () => {
    expect(() => build({ groups: [{ groupName: 'admins', precedence: 1 }, { groupName: 'staff', precedence: 1 }] })).toThrow(
      'AppIdentity App/Identity: groups "admins" and "staff" both have precedence 1; Cognito then sets no cognito:preferred_role for users in both, '
      + 'so give each group its own precedence (lower wins)');
  });

  test('a group is listed twice', () => {
    expect(() => build({ groups: [{ groupName: 'admins', precedence: 1 }, { groupName: 'admins', precedence: 2 }] })).toThrow(
      'AppIdentity App/Identity: the group "admins" is listed twice; list each group once');
  });

  test('a precedence is negative or fractional', () => {
    expect(() => build({ groups: [{ groupName: 'admins', precedence: -1 }] })).toThrow(
      'AppIdentity App/Identity: the precedence of group "admins" must be a whole number from 0 to 2147483647, got -1');
    expect(() => build({ groups: [{ groupName: 'admins', precedence: 1.5 }] })).toThrow(/got 1.5$/);
  });

  test('a group name is empty or has whitespace', () => {
    expect(() => build({ groups: [{ groupName: 'team a', precedence: 1 }] })).toThrow(
      'AppIdentity App/Identity: group names must have 1 to 128 characters without whitespace, got "team a"');
  });

  test('guest policies are given without guest access', () => {
    const stack = testStack('App');
    const policy = new iam.ManagedPolicy(stack, 'Public', { statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::public/*'] })] });
    expect(() => new AppIdentity(stack, 'Identity', { guestManagedPolicies: [policy] })).toThrow(
      'AppIdentity App/Identity: guestManagedPolicies are set but allowGuestAccess is not, so no guest would ever use them; '
      + 'set allowGuestAccess: true (and acknowledge AwsSolutions-COG7 with the reason) or drop guestManagedPolicies');
  });

  test('the domain prefix has invalid characters or a reserved word', () => {
    expect(() => build({ ...HOSTED, domainPrefix: 'My_App' })).toThrow(
      'AppIdentity App/Identity: domainPrefix must be 1 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, got "My_App"');
    expect(() => build({ ...HOSTED, domainPrefix: 'my-cognito-app' })).toThrow(
      'AppIdentity App/Identity: domainPrefix may not contain "cognito" (Cognito reserves aws, amazon and cognito), got "my-cognito-app"');
  });

  test('a domain has no callback URLs', () => {
    expect(() => build({ domainPrefix: 'example-app' })).toThrow(
      'AppIdentity App/Identity: domainPrefix needs callbackUrls, the app\'s pages managed login returns users to with the authorization code, got none; e.g. ["https://app.example.com/callback"]');
  });

  test('callback URLs are given without a domain', () => {
    expect(() => build({ callbackUrls: ['https://app.example.com/callback'] })).toThrow(
      'AppIdentity App/Identity: callbackUrls and logoutUrls are used by managed login, which needs domainPrefix, got no domainPrefix; set domainPrefix or drop the URLs');
  });

  test('a callback URL is plain http, has a wildcard or a fragment', () => {
    for (const url of ['http://app.example.com/callback', 'https://*.example.com/callback', 'https://app.example.com/#/callback']) {
      expect(() => build({ ...HOSTED, callbackUrls: [url] })).toThrow(
        `AppIdentity App/Identity: callbackUrls must be https URLs without wildcards or fragments (http only for localhost), got "${url}"; authorization codes sent over plain http can be intercepted`);
    }
    expect(() => build({ ...HOSTED, logoutUrls: ['http://app.example.com/'] })).toThrow(/logoutUrls must be https URLs/);
  });

  test('identity providers are given without a domain', () => {
    expect(() => build({ identityProviders: [corporate()] })).toThrow(
      'AppIdentity App/Identity: identityProviders (Corporate) sign users in through managed login, which needs domainPrefix; set domainPrefix');
  });

  test('an identity provider is listed twice', () => {
    expect(() => build({ ...HOSTED, identityProviders: [corporate(), corporate()] })).toThrow(
      'AppIdentity App/Identity: the identity provider "Corporate" is listed twice; give each provider its own name');
  });

  test('token lifetimes are out of range, or refresh tokens do not outlive access tokens', () => {
    expect(() => build({ accessTokenValidity: Duration.minutes(2) })).toThrow('AppIdentity App/Identity: accessTokenValidity must be between 5 minutes and 1 day, got 2 minutes');
    expect(() => build({ refreshTokenValidity: Duration.minutes(30) })).toThrow('AppIdentity App/Identity: refreshTokenValidity must be between 1 hour and 10 years, got 30 minutes');
    expect(() => build({ accessTokenValidity: Duration.hours(2), refreshTokenValidity: Duration.hours(2) })).toThrow(
      'AppIdentity App/Identity: refreshTokenValidity (2 hours) must be longer than accessTokenValidity (2 hours)');
  });

  test('preferred-role selection has no groups to take roles from', () => {
    expect(() => build({ roleSelection: RoleSelection.preferredRole() })).toThrow(
      'AppIdentity App/Identity: RoleSelection.preferredRole() picks the role of the user\'s group (cognito:preferred_role), but there are no groups; '
      + 'add groups or use RoleSelection.authenticatedRole()');
  });

  test('a role rule names a group that does not exist', () => {
    expect(() => build({
      groups: [{ groupName: 'staff', precedence: 1 }],
      roleSelection: RoleSelection.rules([{ claim: 'cognito:groups', value: 'x', matchType: RoleMappingMatchType.CONTAINS, groupName: 'admins' }]),
    })).toThrow('AppIdentity App/Identity: a role rule on cognito:groups names the group "admins", which is not in groups ("staff"); add the group or fix the name');
  });

  test('a role rule tests a claim the user can change through the app client', () => {
    expect(() => build({
      groups: [{ groupName: 'staff', precedence: 1 }],
      roleSelection: RoleSelection.rules([{ claim: 'email', value: '@example.com', matchType: RoleMappingMatchType.CONTAINS, groupName: 'staff' }]),
    })).toThrow('AppIdentity App/Identity: a role rule tests the claim "email", which every user can change through the app client (UpdateUserAttributes) '
      + 'to take the role; test cognito:groups or an immutable custom attribute instead');
  });

  test('a role rule tests a mutable custom attribute (cognito-idp:AdminUpdateUserAttributes would choose the role)', () => {
    expect(() => build({
      groups: [{ groupName: 'finance', precedence: 1 }],
      customAttributes: { department: new cognito.StringAttribute({ mutable: true }) },
      roleSelection: RoleSelection.rules([{ claim: 'custom:department', value: 'finance', groupName: 'finance' }]),
    })).toThrow('AppIdentity App/Identity: a role rule tests custom:department, a mutable attribute: anyone allowed cognito-idp:AdminUpdateUserAttributes could set it '
      + 'on their own user and take the role; declare it with mutable: false (set once, when the user is created) or test cognito:groups');
  });

  test('a role rule tests an undeclared custom attribute', () => {
    expect(() => build({
      groups: [{ groupName: 'finance', precedence: 1 }],
      roleSelection: RoleSelection.rules([{ claim: 'custom:dept', value: 'finance', groupName: 'finance' }]),
    })).toThrow('AppIdentity App/Identity: a role rule tests custom:dept, which is not in customAttributes; declare it with mutable: false');
  });

  test('a role rule tests a claim a social provider fills from a profile its users edit', () => {
    expect(() => build({
      ...HOSTED,
      groups: [{ groupName: 'staff', precedence: 1 }],
      identityProviders: [ExternalIdentityProvider.google({
        clientId: 'g', clientSecret: SecretValue.secretsManager('g'),
        attributeMapping: { preferredUsername: cognito.ProviderAttribute.GOOGLE_NAME },
      })],
      roleSelection: RoleSelection.rules([{ claim: 'preferred_username', value: 'boss', groupName: 'staff' }]),
    })).toThrow('AppIdentity App/Identity: a role rule tests the claim "preferred_username", which the social identity provider Google fills from a profile '
      + 'its users edit themselves; test cognito:groups instead');
  });

  test('an identity provider maps into an immutable or undeclared custom attribute', () => {
    const mapping = { custom: { 'custom:department': cognito.ProviderAttribute.other('department') } };
    expect(() => build({
      ...HOSTED,
      customAttributes: { department: new cognito.StringAttribute({ mutable: false }) },
      identityProviders: [ExternalIdentityProvider.oidc({ name: 'Corporate', issuerUrl: 'https://login.example.com', clientId: 'c', clientSecret: SecretValue.secretsManager('c'), attributeMapping: mapping })],
    })).toThrow('AppIdentity App/Identity: the identity provider "Corporate" maps into custom:department, which is immutable; Cognito updates mapped attributes '
      + 'at every sign-in and fails on immutable ones, so declare it with mutable: true (and do not test it in role rules)');
    expect(() => build({
      ...HOSTED,
      identityProviders: [ExternalIdentityProvider.oidc({ name: 'Corporate', issuerUrl: 'https://login.example.com', clientId: 'c', clientSecret: SecretValue.secretsManager('c'), attributeMapping: mapping })],
    })).toThrow('AppIdentity App/Identity: the identity provider "Corporate" maps into custom:department, which is not in customAttributes; declare it (mutable: true)');
  });

  test('grantUserPrefix gets a prefix with a slash at either end, a wildcard or a policy variable', () => {
    for (const prefix of ['/private', 'private/', 'pri*vate', 'users/${aws:username}', '']) {
      const { stack, identity } = build();
      expect(() => identity.grantUserPrefix(s3.Bucket.fromBucketName(stack, 'Data', 'user-data'), { prefix })).toThrow(
        'AppIdentity App/Identity: grantUserPrefix needs a prefix of folder names separated by "/" (letters, digits and !_.\'()-), '
        + `without leading or trailing "/", wildcards or policy variables, got "${prefix}"; e.g. "private" or "users/photos"`);
    }
  });

  test('grantUserPrefix is called twice for the same bucket and prefix', () => {
    const { stack, identity } = build();
    const bucket = s3.Bucket.fromBucketName(stack, 'Data', 'user-data');
    identity.grantUserPrefix(bucket);
    expect(() => identity.grantUserPrefix(bucket)).toThrow(
      'AppIdentity App/Identity: grantUserPrefix was already called for App/Data and prefix "private"; call it once per bucket and prefix');
  });

  test('a group that does not exist is asked for', () => {
    const { identity } = build({ groups: [{ groupName: 'staff', precedence: 1 }] });
    expect(() => identity.groupRole('admins')).toThrow('AppIdentity App/Identity: there is no group "admins"; the groups are "staff"');
    expect(() => build().identity.group('admins')).toThrow('AppIdentity App/Identity: there is no group "admins"; the groups are none');
  });
});

describe('RoleSelection and ExternalIdentityProvider fail when', () => {
  test('rules are empty or more than 25', () => {
    expect(() => RoleSelection.rules([])).toThrow('RoleSelection.rules: give 1 to 25 rules (the identity pool\'s limit), got 0');
    const rule = { claim: 'cognito:groups', value: 'a', groupName: 'a' };
    expect(() => RoleSelection.rules(Array(26).fill(rule))).toThrow('RoleSelection.rules: give 1 to 25 rules (the identity pool\'s limit), got 26');
  });

  test('a rule lacks its claim, value or group', () => {
    expect(() => RoleSelection.rules([{ claim: '', value: 'a', groupName: 'a' }])).toThrow(
      'RoleSelection.rules: every rule needs a claim, a value and a groupName, got {"claim":"","value":"a","groupName":"a"}');
  });

  test('a provider name is too short, has spaces or is reserved', () => {
    const options = { issuerUrl: 'https://login.example.com', clientId: 'c', clientSecret: SecretValue.secretsManager('c') };
    expect(() => ExternalIdentityProvider.oidc({ name: 'AD', ...options })).toThrow(
      'ExternalIdentityProvider.oidc: name must have 3 to 32 characters without spaces and not start with "_", got "AD"');
    expect(() => ExternalIdentityProvider.oidc({ name: 'My IdP', ...options })).toThrow(/got "My IdP"$/);
    expect(() => ExternalIdentityProvider.saml({ name: 'Google', metadata: cognito.UserPoolIdentityProviderSamlMetadata.url('https://x.example.com/m') })).toThrow(
      'ExternalIdentityProvider.saml: name "Google" is reserved for Cognito\'s own providers; choose another name, e.g. "Corporate"');
  });

  test('the OIDC issuer is not https', () => {
    expect(() => ExternalIdentityProvider.oidc({ name: 'Corporate', issuerUrl: 'http://login.example.com', clientId: 'c', clientSecret: SecretValue.secretsManager('c') })).toThrow(
      'ExternalIdentityProvider.oidc: issuerUrl must be an https URL, got "http://login.example.com"');
  });
});
