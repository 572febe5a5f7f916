import { Annotations, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** Options of an OpenID Connect identity provider (a corporate IdP such as Entra ID, Okta or Auth0). */
export interface OidcIdentityProviderOptions {
  /** The provider's name in the user pool, 3 to 32 characters without spaces (shown on the sign-in page). */
  readonly name: string;
  /** The issuer URL (`https://...`); Cognito discovers the endpoints from it. */
  readonly issuerUrl: string;
  /** The client id the IdP issued to the user pool. */
  readonly clientId: string;
  /** The client secret, e.g. `SecretValue.secretsManager('idp/client-secret')`; never a plain string in the template. */
  readonly clientSecret: SecretValue;
  /**
   * The OAuth scopes to request.
   *
   * @default ['openid', 'email', 'profile']
   */
  readonly scopes?: string[];
  /**
   * How the IdP's claims fill user pool attributes.
   *
   * @default - only `sub` (as the username)
   */
  readonly attributeMapping?: cognito.AttributeMapping;
}

/** Options of a SAML 2.0 identity provider (AD FS, Entra ID, Okta...) for the user pool. */
export interface SamlIdentityProviderOptions {
  /** The provider's name in the user pool, 3 to 32 characters without spaces. */
  readonly name: string;
  /** The IdP's metadata (document or URL). */
  readonly metadata: cognito.UserPoolIdentityProviderSamlMetadata;
  /**
   * How the assertion's attributes fill user pool attributes.
   *
   * @default - only the NameID (as the username)
   */
  readonly attributeMapping?: cognito.AttributeMapping;
  /**
   * Whether signing out of the app also signs the user out of the IdP (SAML single logout).
   *
   * @default false
   */
  readonly idpSignout?: boolean;
}

/** Options of a social identity provider (Google, Facebook, Login with Amazon). */
export interface SocialIdentityProviderOptions {
  /** The client (app) id the provider issued. */
  readonly clientId: string;
  /** The client (app) secret, e.g. `SecretValue.secretsManager('google/client-secret')`. */
  readonly clientSecret: SecretValue;
  /**
   * The scopes to request.
   *
   * @default - the provider's default of aws-cdk-lib (`profile` for Google and Amazon, `public_profile` for Facebook)
   */
  readonly scopes?: string[];
  /**
   * How the provider's profile fills user pool attributes. The user controls their social profile:
   * never map it into a custom attribute that a role rule tests.
   *
   * @default - only the provider's user id (as the username)
   */
  readonly attributeMapping?: cognito.AttributeMapping;
}

/** Options of Sign in with Apple. */
export interface AppleIdentityProviderOptions {
  /** The Apple services id. */
  readonly servicesId: string;
  /** The Apple developer team id. */
  readonly teamId: string;
  /** The id of the private key. */
  readonly keyId: string;
  /** The private key, e.g. `SecretValue.secretsManager('apple/sign-in-key')`. */
  readonly privateKey: SecretValue;
  /**
   * The scopes to request.
   *
   * @default ['name', 'email']
   */
  readonly scopes?: string[];
  /**
   * How Apple's claims fill user pool attributes.
   *
   * @default - only Apple's user id (as the username)
   */
  readonly attributeMapping?: cognito.AttributeMapping;
}

/**
 * An external identity provider users sign in with through the user pool's managed login: a
 * corporate IdP (OIDC or SAML 2.0) or a social one. The identity pool trusts only the user pool, so
 * every identity, federated or not, has a user pool profile, groups and the user pool's MFA and
 * threat protection.
 */
export class ExternalIdentityProvider {
  /** An OpenID Connect provider. */
  public static oidc(options: OidcIdentityProviderOptions): ExternalIdentityProvider {
    validateName('oidc', options.name);
    if (!Token.isUnresolved(options.issuerUrl) && !/^https:\/\/[^\s/]+/.test(options.issuerUrl)) {
      throw new Error(`ExternalIdentityProvider.oidc: issuerUrl must be an https URL, got "${options.issuerUrl}"`);
    }
    return new ExternalIdentityProvider(options.name, false, options.attributeMapping, (scope, userPool) => {
      warnIfPlainText(scope, 'oidc', options.clientSecret);
      return new cognito.UserPoolIdentityProviderOidc(scope, `Oidc${options.name}`, {
        userPool,
        name: options.name,
        issuerUrl: options.issuerUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret.unsafeUnwrap(),
        scopes: options.scopes ?? ['openid', 'email', 'profile'],
        attributeMapping: options.attributeMapping,
      });
    });
  }

  /**
   * A SAML 2.0 provider. Cognito signs its authentication requests (RSA-SHA256) and accepts only
   * SP-initiated sign-in, so an assertion pushed unasked to the user pool (IdP-initiated) is refused.
   */
  public static saml(options: SamlIdentityProviderOptions): ExternalIdentityProvider {
    validateName('saml', options.name);
    return new ExternalIdentityProvider(options.name, false, options.attributeMapping, (scope, userPool) =>
      new cognito.UserPoolIdentityProviderSaml(scope, `Saml${options.name}`, {
        userPool,
        name: options.name,
        metadata: options.metadata,
        attributeMapping: options.attributeMapping,
        idpSignout: options.idpSignout ?? false,
        requestSigningAlgorithm: cognito.SigningAlgorithm.RSA_SHA256,
        idpInitiated: false,
      }));
  }

  /** Sign in with Google. */
  public static google(options: SocialIdentityProviderOptions): ExternalIdentityProvider {
    return new ExternalIdentityProvider('Google', true, options.attributeMapping, (scope, userPool) => {
      warnIfPlainText(scope, 'google', options.clientSecret);
      return new cognito.UserPoolIdentityProviderGoogle(scope, 'Google', {
        userPool, clientId: options.clientId, clientSecretValue: options.clientSecret, scopes: options.scopes, attributeMapping: options.attributeMapping,
      });
    });
  }

  /** Facebook Login. */
  public static facebook(options: SocialIdentityProviderOptions): ExternalIdentityProvider {
    return new ExternalIdentityProvider('Facebook', true, options.attributeMapping, (scope, userPool) => {
      warnIfPlainText(scope, 'facebook', options.clientSecret);
      return new cognito.UserPoolIdentityProviderFacebook(scope, 'Facebook', {
        userPool, clientId: options.clientId, clientSecret: options.clientSecret.unsafeUnwrap(), scopes: options.scopes, attributeMapping: options.attributeMapping,
      });
    });
  }

  /** Login with Amazon. */
  public static amazon(options: SocialIdentityProviderOptions): ExternalIdentityProvider {
    return new ExternalIdentityProvider('LoginWithAmazon', true, options.attributeMapping, (scope, userPool) => {
      warnIfPlainText(scope, 'amazon', options.clientSecret);
      return new cognito.UserPoolIdentityProviderAmazon(scope, 'Amazon', {
        userPool, clientId: options.clientId, clientSecret: options.clientSecret.unsafeUnwrap(), scopes: options.scopes, attributeMapping: options.attributeMapping,
      });
    });
  }

  /** Sign in with Apple. */
  public static apple(options: AppleIdentityProviderOptions): ExternalIdentityProvider {
    return new ExternalIdentityProvider('SignInWithApple', true, options.attributeMapping, (scope, userPool) => {
      warnIfPlainText(scope, 'apple', options.privateKey);
      return new cognito.UserPoolIdentityProviderApple(scope, 'Apple', {
        userPool,
        clientId: options.servicesId,
        teamId: options.teamId,
        keyId: options.keyId,
        privateKeyValue: options.privateKey,
        scopes: options.scopes ?? ['name', 'email'],
        attributeMapping: options.attributeMapping,
      });
    });
  }

  /** The provider's name in the user pool (`Google`, `Facebook`, `LoginWithAmazon`, `SignInWithApple`, or the given name). */
  public readonly providerName: string;

  /** @internal whether the user controls the profile the provider sends */
  public readonly _social: boolean;
  /** @internal */
  public readonly _attributeMapping?: cognito.AttributeMapping;

  private constructor(
    providerName: string,
    social: boolean,
    attributeMapping: cognito.AttributeMapping | undefined,
    private readonly create: (scope: Construct, userPool: cognito.IUserPool) => cognito.IUserPoolIdentityProvider,
  ) {
    this.providerName = providerName;
    this._social = social;
    this._attributeMapping = attributeMapping;
  }

  /** @internal Adds the provider to `userPool`. */
  public _bind(scope: Construct, userPool: cognito.IUserPool): cognito.IUserPoolIdentityProvider {
    return this.create(scope, userPool);
  }
}

/** The names Cognito reserves for its own and the social providers. */
const RESERVED_NAMES = ['cognito', 'google', 'facebook', 'loginwithamazon', 'signinwithapple'];

function validateName(kind: string, name: string): void {
  if (Token.isUnresolved(name)) return;
  if (name.length < 3 || name.length > 32 || /\s/.test(name) || name.startsWith('_')) {
    throw new Error(`ExternalIdentityProvider.${kind}: name must have 3 to 32 characters without spaces and not start with "_", got "${name}"`);
  }
  if (RESERVED_NAMES.includes(name.toLowerCase())) {
    throw new Error(`ExternalIdentityProvider.${kind}: name "${name}" is reserved for Cognito's own providers; choose another name, e.g. "Corporate"`);
  }
}

/**
 * A secret from `SecretValue.unsafePlainText` lands in the template (and the cloud assembly) as
 * written; one from Secrets Manager or SSM is a dynamic reference resolved at deploy time.
 */
function warnIfPlainText(scope: Construct, kind: string, secret: SecretValue): void {
  const resolved = Stack.of(scope).resolve(secret.unsafeUnwrap());
  if (typeof resolved === 'string' && !resolved.startsWith('{{resolve:')) {
    Annotations.of(scope).addWarningV2('cdk-security-patterns:federation:plain-text-secret',
      `The ${kind} identity provider's secret is plain text in the template; pass SecretValue.secretsManager(...) or SecretValue.ssmSecure(...) instead.`);
  }
}
