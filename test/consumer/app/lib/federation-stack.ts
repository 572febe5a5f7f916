import * as cdk from 'aws-cdk-lib/core';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  AppIdentity, ExternalIdentityProvider, RoleSelection, SamlFederation, SecureBucket, UserDataAccess,
} from 'cdk-security-patterns';

/** A sample AD FS metadata document (self-signed certificate). */
const ADFS_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://adfs.example.com/adfs/services/trust">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing">
      <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">
        <X509Data>
          <X509Certificate>MIIDNTCCAh2gAwIBAgIUfJcja8n0oZAJmxSxrHMTZrzK1MAwDQYJKoZIhvcNAQELBQAwKjEoMCYGA1UEAwwfQURGUyBTaWduaW5nIC0gYWRmcy5leGFtcGxlLmNvbTAeFw0yNjEyMDEwNzE1MDlaFw0zNjExMjgwNzE1MDlaMCoxKDAmBgNVBAMMH0FERlMgU2lnbmluZyAtIGFkZnMuZXhhbXBsZS5jb20wggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDFiCW6E/evSYabclHHpqcdwtLWayB84oAbumIv6/NACeZGnEI8zmqxj3xC/1lLs8BryguzI5i+9BiR6wKq/XS+njRJDns3nIb1P69ukFQokBjriq2sCf2R8MLX1M+rdkFEh9PVJWN8g746k1tyCYX+8VWimWHpmdhuQO1zp12Fp/aFMfo7zhnCvjk8c8iJXCpMyObV9yqxQ+MDSqcwmPl6xiTzSEkC+NECoD50tCxxuti4U1pe0m1qkMUH2XLYSGUE2on9vM7ktHim/2CqcWXV3btHjIEBIor63YXZHtIlP/VTaI+B3t1amy2GazJi9UjSmprCDi5pa4704RXstTOvAgMBAAGjUzBRMB0GA1UdDgQWBBRGpq3jUtrCg9fX8T7KzJ63EEBjEjAfBgNVHSMEGDAWgBRGpq3jUtrCg9fX8T7KzJ63EEBjEjAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQAxkqHRk3wMh1TF3DYSV1K2j2J4wQ/lVVtG2su/tw+Drnf6Rz+q3n90wJwFbi6XNpK1Duq2WLl+PfsRga2cKh2R/XD/FyBU8hMxEomCk11X+JhF4V247iEkDnY/uQbcChMtmRwarWMWCSlC0w2fS5JID96cby2jvQOpUmbi3mmtcA0f/c3TZi7O2H3beXOsDiNqRFO2Gyu2i0D6PvQkftbVOoF6hH1rSavg2TZOdjufaK5ETd1/x72ZtJ9ohDj7aefNc3s5IJs0aT9nswVNnNXoqUrkmK8eTkEFEOlHxldcenUnMqctBwT0K9Ul24f7etLvWDSiMX6d2j/sIj2gF8uu</X509Certificate>
        </X509Data>
      </KeyInfo>
    </KeyDescriptor>
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</NameIDFormat>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.example.com/adfs/ls/"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://adfs.example.com/adfs/ls/"/>
  </IDPSSODescriptor>
</EntityDescriptor>`;

/** Area: federation. New federation constructs go here. */
export class FederationStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: cdk.StackProps) {
    super(scope, id, props);

    const secret = (name: string) => cdk.SecretValue.secretsManager(`consumer/${name}`);
    const identity = new AppIdentity(this, 'Customers', {
      domainPrefix: 'consumer-app-111111111111',
      callbackUrls: ['https://app.example.com/callback'],
      logoutUrls: ['https://app.example.com/'],
      identityProviders: [
        ExternalIdentityProvider.oidc({ name: 'Corporate', issuerUrl: 'https://login.example.com', clientId: 'consumer-app', clientSecret: secret('oidc') }),
        ExternalIdentityProvider.saml({ name: 'Partners', metadata: cognito.UserPoolIdentityProviderSamlMetadata.url('https://idp.partner.example.com/metadata') }),
        ExternalIdentityProvider.google({ clientId: 'google-client', clientSecret: secret('google') }),
        ExternalIdentityProvider.facebook({ clientId: 'facebook-app', clientSecret: secret('facebook') }),
        ExternalIdentityProvider.amazon({ clientId: 'amazon-client', clientSecret: secret('amazon') }),
        ExternalIdentityProvider.apple({ servicesId: 'com.example.app', teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: secret('apple') }),
      ],
      groups: [
        { groupName: 'admins', precedence: 0, description: 'Administrators of the app' },
        { groupName: 'editors', precedence: 10, description: 'Edit the catalogue' },
      ],
      customAttributes: { department: new cognito.StringAttribute({ mutable: false }) },
      roleSelection: RoleSelection.rules([{ claim: 'custom:department', value: 'editorial', groupName: 'editors' }]),
    });
    const userData = new SecureBucket(this, 'UserData');
    identity.grantUserPrefix(userData.bucket, { access: UserDataAccess.READ_WRITE });

    new SamlFederation(this, 'CorporateDirectory', {
      metadataDocument: iam.SamlMetadataDocument.fromXml(ADFS_METADATA),
      providerName: 'CorporateDirectory',
      mfaSessionTag: 'mfa',
      directoryGroups: [
        { groupName: 'AWS-Administrators', managedPolicies: [iam.ManagedPolicy.fromManagedPolicyName(this, 'Admin', 'corporate-administrator')], maxSessionDuration: cdk.Duration.hours(1) },
        { groupName: 'AWS-ReadOnly', managedPolicies: [iam.ManagedPolicy.fromManagedPolicyName(this, 'ReadOnly', 'corporate-read-only')], requireMfa: false },
      ],
    });
  }
}
