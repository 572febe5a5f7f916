import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Acknowledgements, SamlFederation } from '../lib';
import { Example } from './example';

/**
 * The signing certificate of a sample AD FS (self-signed, no private key anywhere): `cdk synth` works
 * out of the box. Deploy with your IdP's metadata instead: `-c saml-metadata-file=FederationMetadata.xml`.
 */
const SAMPLE_CERTIFICATE = ''
  + 'MIIDNTCCAh2gAwIBAgIUfJcja8n0oZAJmxSxrHMTZrzK1MAwDQYJKoZIhvcNAQELBQAwKjEoMCYGA1UEAwwfQURGUyBTaWduaW5n'
  + 'IC0gYWRmcy5leGFtcGxlLmNvbTAeFw0yNjEyMDEwNzE1MDlaFw0zNjExMjgwNzE1MDlaMCoxKDAmBgNVBAMMH0FERlMgU2lnbmlu'
  + 'ZyAtIGFkZnMuZXhhbXBsZS5jb20wggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDFiCW6E/evSYabclHHpqcdwtLWayB8'
  + '4oAbumIv6/NACeZGnEI8zmqxj3xC/1lLs8BryguzI5i+9BiR6wKq/XS+njRJDns3nIb1P69ukFQokBjriq2sCf2R8MLX1M+rdkFE'
  + 'h9PVJWN8g746k1tyCYX+8VWimWHpmdhuQO1zp12Fp/aFMfo7zhnCvjk8c8iJXCpMyObV9yqxQ+MDSqcwmPl6xiTzSEkC+NECoD50'
  + 'tCxxuti4U1pe0m1qkMUH2XLYSGUE2on9vM7ktHim/2CqcWXV3btHjIEBIor63YXZHtIlP/VTaI+B3t1amy2GazJi9UjSmprCDi5p'
  + 'a4704RXstTOvAgMBAAGjUzBRMB0GA1UdDgQWBBRGpq3jUtrCg9fX8T7KzJ63EEBjEjAfBgNVHSMEGDAWgBRGpq3jUtrCg9fX8T7K'
  + 'zJ63EEBjEjAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQAxkqHRk3wMh1TF3DYSV1K2j2J4wQ/lVVtG2su/tw+D'
  + 'rnf6Rz+q3n90wJwFbi6XNpK1Duq2WLl+PfsRga2cKh2R/XD/FyBU8hMxEomCk11X+JhF4V247iEkDnY/uQbcChMtmRwarWMWCSlC'
  + '0w2fS5JID96cby2jvQOpUmbi3mmtcA0f/c3TZi7O2H3beXOsDiNqRFO2Gyu2i0D6PvQkftbVOoF6hH1rSavg2TZOdjufaK5ETd1/'
  + 'x72ZtJ9ohDj7aefNc3s5IJs0aT9nswVNnNXoqUrkmK8eTkEFEOlHxldcenUnMqctBwT0K9Ul24f7etLvWDSiMX6d2j/sIj2gF8uu';
const SAMPLE_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://adfs.example.com/adfs/services/trust">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing">
      <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${SAMPLE_CERTIFICATE}</X509Certificate></X509Data></KeyInfo>
    </KeyDescriptor>
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</NameIDFormat>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://adfs.example.com/adfs/ls/"/>
  </IDPSSODescriptor>
</EntityDescriptor>
`;

/**
 * AWS console access for a corporate directory (AD FS or any SAML 2.0 IdP): an IAM SAML provider
 * from the IdP's metadata and one role per directory group. Members of `AWS-Administrators` need MFA
 * at the IdP (AD FS sends the session tag `mfa` = `true` after MFA) and get 1-hour sessions;
 * `AWS-ReadOnly` and `AWS-Billing` get 8 hours. Each role trusts only this provider and only
 * assertions addressed to the AWS sign-in endpoint.
 *
 * On the IdP, send each group's members the SAML attribute `https://aws.amazon.com/SAML/Attributes/Role`
 * with the value the stack outputs for the group (`<role ARN>,<provider ARN>`), `RoleSessionName`
 * (e.g. the user's email), and `PrincipalTag:mfa` = `true` when the user signed in with MFA.
 *
 * Context: `account` (default 111111111111), `saml-metadata-file` (your IdP's metadata; default a
 * sample AD FS). Deploy with `cdk deploy SamlConsoleAccess -c account=... -c saml-metadata-file=...`.
 */
export const samlConsoleAccess: Example = {
  name: 'saml-console-access',
  description: 'console federation for a corporate directory: a SAML provider and one role per directory group, MFA from the IdP',
  build(scope: Construct) {
    const account = String(scope.node.tryGetContext('account') ?? '111111111111');
    const metadataFile: string | undefined = scope.node.tryGetContext('saml-metadata-file');
    if (!/^\d{12}$/.test(account)) {
      throw new Error(`saml-console-access: context account must be a 12-digit AWS account id, got "${account}"`);
    }
    const stack = new Stack(scope, 'SamlConsoleAccess', {
      env: { account, region: 'us-east-1' },
      description: 'cdk-security-patterns saml-console-access example: console federation for a corporate directory',
    });

    const administrator = iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess');
    const readOnly = iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess');
    const billing = iam.ManagedPolicy.fromAwsManagedPolicyName('job-function/Billing');
    const federation = new SamlFederation(stack, 'CorporateDirectory', {
      metadataDocument: metadataFile ? iam.SamlMetadataDocument.fromFile(metadataFile) : iam.SamlMetadataDocument.fromXml(SAMPLE_METADATA),
      providerName: 'CorporateDirectory',
      mfaSessionTag: 'mfa',
      directoryGroups: [
        { groupName: 'AWS-Administrators', managedPolicies: [administrator], maxSessionDuration: Duration.hours(1) },
        { groupName: 'AWS-ReadOnly', managedPolicies: [readOnly], maxSessionDuration: Duration.hours(8), requireMfa: false },
        { groupName: 'AWS-Billing', managedPolicies: [billing], maxSessionDuration: Duration.hours(8), requireMfa: false },
      ],
    });
    const jobFunctions: [string, iam.IManagedPolicy][] = [['AWS-Administrators', administrator], ['AWS-ReadOnly', readOnly], ['AWS-Billing', billing]];
    for (const [group, policy] of jobFunctions) {
      Acknowledgements.of(federation.role(group)).add({
        id: 'AwsSolutions-IAM4',
        reason: `The AWS managed job-function policy of the directory group ${group}: AWS keeps it current as services are added`,
        appliesTo: [`Policy::${policy.managedPolicyArn}`],
      });
      new CfnOutput(stack, `${group.replace(/-/g, '')}RoleAttribute`, {
        description: `The SAML Role attribute value the IdP sends members of ${group}`,
        value: federation.roleAttributeValue(group),
      });
    }
    return [stack];
  },
};
