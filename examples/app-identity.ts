import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Acknowledgements, AppIdentity, ExternalIdentityProvider, SecureKey } from '../lib';
import { Example } from './example';

const NAG_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/**
 * Sign-in and per-user storage for a web app. A Cognito user pool (TOTP MFA required, strong
 * passwords, threat protection on the PLUS plan, managed login with the authorization code flow) and
 * an identity pool that turns sign-ins into AWS credentials: members of `admins` and `editors` get
 * their group's role (`cognito:preferred_role`), everyone else the authenticated role. Each signed-in
 * identity reads and writes only `private/<its identity id>/` of the user-data bucket; guests (not
 * signed in) read only `public/`.
 *
 * Context: `account` (default 111111111111), `region` (default us-east-1), `app-url` (the web app's
 * origin, default https://app.example.com), `domain-prefix` (the managed login domain, globally
 * unique per region; default `app-identity-<account>`), and optionally `oidc-issuer`, `oidc-client-id`
 * and `oidc-secret-name` (a Secrets Manager secret holding the client secret) to add the company's
 * OpenID Connect IdP. Deploy with `cdk deploy AppIdentity -c account=123456789012`.
 */
export const appIdentity: Example = {
  name: 'app-identity',
  description: 'a Cognito user pool with MFA, groups with roles, an identity pool and a per-user S3 folder for each identity',
  build(scope: Construct) {
    const context = (key: string): string | undefined => scope.node.tryGetContext(key);
    const account = context('account') ?? '111111111111';
    const region = context('region') ?? 'us-east-1';
    const appUrl = (context('app-url') ?? 'https://app.example.com').replace(/\/$/, '');
    const domainPrefix = context('domain-prefix') ?? `app-identity-${account}`;
    const oidcIssuer = context('oidc-issuer');
    if (!/^\d{12}$/.test(account)) {
      throw new Error(`app-identity: context account must be a 12-digit AWS account id, got "${account}"`);
    }

    const stack = new Stack(scope, 'AppIdentity', {
      env: { account, region },
      description: 'cdk-security-patterns app-identity example: Cognito user and identity pools with per-user S3 folders',
    });

    const key = new SecureKey(stack, 'DataKey', { description: 'Encrypts the app\'s user data' });
    const data = new s3.Bucket(stack, 'UserData', {
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      // overwritten and deleted files stay recoverable for 90 days; abandoned uploads go after a week
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
      // the browser uploads and downloads with the identity's credentials
      cors: [{
        allowedOrigins: [appUrl],
        allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.PUT, s3.HttpMethods.DELETE, s3.HttpMethods.HEAD],
        allowedHeaders: ['*'],
        exposedHeaders: ['ETag'],
        maxAge: 3000,
      }],
    });
    const auditReason = 'Each object access is made with a Cognito identity\'s own credentials and recorded by CloudTrail S3 data events of the '
      + 'organization trail; server access logs would need a second, SSE-S3 bucket';
    Acknowledgements.of(data).add(
      { id: 'AwsSolutions-S1', reason: auditReason },
      ...NAG_PACKS.map((pack) => ({ id: `${pack}-S3BucketLoggingEnabled`, reason: auditReason })),
      { id: 's3_bucket_logging_enabled_check', reason: auditReason },
      ...NAG_PACKS.map((pack) => ({ id: `${pack}-S3BucketReplicationEnabled`, reason: 'Versioning keeps overwritten and deleted objects; cross-region copies are a decision for the production app, not this example' })),
      { id: 's3_bucket_object_lock_enabled_check', reason: 'Users delete their own files: WORM retention would contradict the app\'s deletion promise' },
      { id: 's3_event_notifications_enabled_check', reason: 'Nothing reacts to uploads in this example; the app reads the folders directly' },
    );

    // what guests may do: read the public catalogue
    const publicRead = new iam.ManagedPolicy(stack, 'PublicCatalogueRead', {
      description: 'Guests of the app read the public catalogue',
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [data.arnForObjects('public/*')] }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
        }),
      ],
    });
    Acknowledgements.of(publicRead).add({
      id: 'AwsSolutions-IAM5', reason: 'The public catalogue is every object under public/ and nothing else', appliesTo: [`Resource::${data.arnForObjects('public/*')}`],
    });

    const identity = new AppIdentity(stack, 'Identity', {
      domainPrefix,
      callbackUrls: [`${appUrl}/callback`],
      logoutUrls: [`${appUrl}/`],
      identityProviders: oidcIssuer === undefined ? [] : [ExternalIdentityProvider.oidc({
        name: 'Corporate',
        issuerUrl: oidcIssuer,
        clientId: context('oidc-client-id') ?? 'app-identity',
        clientSecret: SecretValue.secretsManager(context('oidc-secret-name') ?? 'app-identity/oidc-client-secret'),
      })],
      groups: [
        { groupName: 'admins', precedence: 0, description: 'Administrators of the app' },
        { groupName: 'editors', precedence: 10, description: 'Edit the public catalogue' },
      ],
      allowGuestAccess: true,
      guestManagedPolicies: [publicRead],
    });
    Acknowledgements.of(identity.identityPool).add({
      id: 'AwsSolutions-COG7',
      reason: 'Visitors browse the public catalogue before signing in; the guest role reads public/ only and cannot reach user folders',
    });

    identity.grantUserPrefix(data);
    // editors also maintain the catalogue
    const editCatalogue = new iam.ManagedPolicy(stack, 'EditCatalogue', {
      description: 'Editors maintain the public catalogue',
      roles: [identity.groupRole('editors')],
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [data.arnForObjects('public/*')] }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn], conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
        }),
      ],
    });
    Acknowledgements.of(editCatalogue).add({
      id: 'AwsSolutions-IAM5', reason: 'Editors own the public catalogue: every object under public/ and nothing else', appliesTo: [`Resource::${data.arnForObjects('public/*')}`],
    });
    return [stack];
  },
};
