import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { appIdentity } from '../../examples/app-identity';
import { samlConsoleAccess } from '../../examples/saml-console-access';
import { AppIdentity, SamlFederation } from '../../lib/federation';
import { AccessModel } from '../support/access-model';
import { testApp } from '../support/app';

/** The federation examples as deployed: who reaches what, checked with AccessModel over their stacks. */
const ALICE = 'us-east-1:0f8fad5b-d9cb-469f-a165-70867728950e';
const BOB = 'us-east-1:7c9e6679-7425-40de-944b-e07fc1f90ae7';
const GUEST = 'us-east-1:9d2a1b44-1c3e-4f5a-8b6c-7d8e9f0a1b2c';
const SUB = 'cognito-identity.amazonaws.com:sub';

describe('the app-identity example', () => {
  const [stack] = appIdentity.build(testApp());
  const identity = stack.node.findChild('Identity') as AppIdentity;
  const data = stack.node.findChild('UserData') as s3.Bucket;
  const key = stack.node.findChild('DataKey') as kms.Key;
  const model = new AccessModel([stack]);
  const object = (role: iam.IRole, action: string, objectKey: string, sub: string, context: Record<string, string | number> = {}) =>
    model.check({ principal: role, action, resource: data, resourceSuffix: `/${objectKey}`, context: { [SUB]: sub, ...context } });
  const editors = () => identity.groupRole('editors');
  const admins = () => identity.groupRole('admins');

  test('every signed-in identity reads and writes its own folder and not another\'s', () => {
    for (const role of identity.signedInRoles) {
      expect(object(role, 's3:PutObject', `private/${ALICE}/notes.txt`, ALICE)).toBe('Allowed');
      expect(object(role, 's3:GetObject', `private/${ALICE}/notes.txt`, ALICE)).toBe('Allowed');
      expect(object(role, 's3:GetObject', `private/${BOB}/notes.txt`, ALICE)).toBe('ImplicitlyDenied');
    }
  });

  test('the bucket policy still applies to the identity\'s own folder: no plain HTTP, no TLS 1.1', () => {
    expect(object(identity.authenticatedRole, 's3:GetObject', `private/${ALICE}/notes.txt`, ALICE, { 'aws:SecureTransport': 'false' })).toBe('ExplicitlyDenied');
    expect(object(identity.authenticatedRole, 's3:GetObject', `private/${ALICE}/notes.txt`, ALICE, { 's3:TlsVersion': 1.1 })).toBe('ExplicitlyDenied');
  });

  test('guests read the public catalogue and nothing else; they cannot write it', () => {
    const guest = identity.guestRole!;
    expect(object(guest, 's3:GetObject', 'public/catalogue.json', GUEST)).toBe('Allowed');
    expect(object(guest, 's3:PutObject', 'public/catalogue.json', GUEST)).toBe('ImplicitlyDenied');
    expect(object(guest, 's3:GetObject', `private/${ALICE}/notes.txt`, GUEST)).toBe('ImplicitlyDenied');
    expect(object(guest, 's3:GetObject', `private/${GUEST}/notes.txt`, GUEST)).toBe('ImplicitlyDenied');
  });

  test('editors write the catalogue; admins and other signed-in users only their folders', () => {
    expect(object(editors(), 's3:PutObject', 'public/catalogue.json', ALICE)).toBe('Allowed');
    expect(object(admins(), 's3:PutObject', 'public/catalogue.json', ALICE)).toBe('ImplicitlyDenied');
    expect(object(identity.authenticatedRole, 's3:PutObject', 'public/catalogue.json', ALICE)).toBe('ImplicitlyDenied');
  });

  test('the data key decrypts for signed-in identities and guests only through S3', () => {
    for (const role of [identity.authenticatedRole, identity.guestRole!]) {
      expect(model.check({ principal: role, action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', [SUB]: ALICE } })).toBe('Allowed');
      expect(model.check({ principal: role, action: 'kms:Decrypt', resource: key, context: { [SUB]: ALICE } })).toBe('ImplicitlyDenied');
    }
  });

  test('managed login returns codes to the app only, over https', () => {
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'], CallbackURLs: ['https://app.example.com/callback'], LogoutURLs: ['https://app.example.com/'],
    });
  });

  test('context adds the company\'s OIDC provider and moves the app URL', () => {
    const [withIdp] = appIdentity.build(testApp({ context: { 'oidc-issuer': 'https://login.example.com', 'app-url': 'https://portal.example.org/', 'domain-prefix': 'portal' } }));
    const template = Template.fromStack(withIdp);
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', { ProviderName: 'Corporate', ProviderType: 'OIDC' });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: ['https://portal.example.org/callback'], SupportedIdentityProviders: ['COGNITO', 'Corporate'] });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'portal' });
  });

  test('fails when the account context is not an account id', () => {
    expect(() => appIdentity.build(testApp({ context: { account: '1234' } }))).toThrow('app-identity: context account must be a 12-digit AWS account id, got "1234"');
  });
});

describe('the saml-console-access example', () => {
  const [stack] = samlConsoleAccess.build(testApp());
  const federation = stack.node.findChild('CorporateDirectory') as SamlFederation;
  // job-function/Billing is not in the model's table; only trust decisions are checked for it
  const model = new AccessModel([stack], { ignoreUnknownAwsManagedPolicies: true });
  const provider = model.arnOf(federation.provider);
  const assume = (group: string, context: Record<string, string>) =>
    model.check({ principal: provider, action: 'sts:AssumeRoleWithSAML', resource: federation.role(group), context });
  const signIn = 'https://signin.aws.amazon.com/saml';

  test('administrators need MFA at the IdP; read-only and billing users do not', () => {
    expect(assume('AWS-Administrators', { 'SAML:aud': signIn, 'aws:RequestTag/mfa': 'true' })).toBe('Allowed');
    expect(assume('AWS-Administrators', { 'SAML:aud': signIn })).toBe('ImplicitlyDenied');
    expect(assume('AWS-ReadOnly', { 'SAML:aud': signIn })).toBe('Allowed');
    expect(assume('AWS-Billing', { 'SAML:aud': signIn })).toBe('Allowed');
  });

  test('no role accepts an assertion for another audience', () => {
    for (const group of ['AWS-Administrators', 'AWS-ReadOnly', 'AWS-Billing']) {
      expect(assume(group, { 'SAML:aud': 'https://intranet.example.com/saml', 'aws:RequestTag/mfa': 'true' })).toBe('ImplicitlyDenied');
    }
  });

  test('the read-only role reads but does not write (control: the administrators role writes)', () => {
    const write = (group: string) => model.check({ principal: federation.role(group), action: 's3:PutObject', resource: 'arn:aws:s3:::reports/a.csv', resourceAccount: '111111111111' });
    expect(model.check({ principal: federation.role('AWS-ReadOnly'), action: 's3:GetObject', resource: 'arn:aws:s3:::reports/a.csv', resourceAccount: '111111111111' })).toBe('Allowed');
    expect(write('AWS-ReadOnly')).toBe('ImplicitlyDenied');
    expect(write('AWS-Administrators')).toBe('Allowed');
  });

  test('sessions last 1 hour for administrators, 8 for the others; each group\'s Role attribute is an output', () => {
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'AWS-Administrators', MaxSessionDuration: 3600 });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'AWS-ReadOnly', MaxSessionDuration: 8 * 3600 });
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['AWSAdministratorsRoleAttribute', 'AWSBillingRoleAttribute', 'AWSReadOnlyRoleAttribute']);
  });

  test('the provider is made from the sample AD FS metadata, or from the file given as context', () => {
    const metadata = (app: ReturnType<typeof testApp>) => {
      const template = Template.fromStack(samlConsoleAccess.build(app)[0]);
      return Object.values(template.findResources('AWS::IAM::SAMLProvider'))[0].Properties.SamlMetadataDocument as string;
    };
    expect(metadata(testApp())).toMatch(/entityID="http:\/\/adfs.example.com\/adfs\/services\/trust"[\s\S]*<X509Certificate>MII[A-Za-z0-9+/=]+<\/X509Certificate>/);
    const file = join(mkdtempSync(join(tmpdir(), 'federation-')), 'FederationMetadata.xml');
    const own = readFileSync(join(__dirname, 'fixtures', 'adfs-metadata.xml'), 'utf8').replace('http://adfs.example.com/adfs/services/trust', 'https://idp.example.org');
    writeFileSync(file, own);
    expect(metadata(testApp({ context: { 'saml-metadata-file': file } }))).toBe(own);
  });
});
