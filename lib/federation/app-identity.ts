import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../private/acknowledge';
import { ExternalIdentityProvider } from './external-identity-provider';
import { RoleSelection } from './role-selection';

/** A user pool group: a role for its members, handed out by precedence. */
export interface AppIdentityGroup {
  /** The group's name, as it appears in the `cognito:groups` claim. */
  readonly groupName: string;

  /**
   * The group's precedence, a whole number from 0: for a user in several groups the role of the
   * group with the lowest value becomes `cognito:preferred_role`. Unique within an `AppIdentity`
   * (Cognito sets no preferred role when two groups tie).
   */
  readonly precedence: number;

  /**
   * What the group is for.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Managed policies of the group's role.
   *
   * @default - none; grant with `groupRole(name)` or `grantUserPrefix`
   */
  readonly managedPolicies?: iam.IManagedPolicy[];
}

/** Properties of an `AppIdentity`. */
export interface AppIdentityProps {
  /**
   * The user pool's name.
   *
   * @default - a name CloudFormation generates
   */
  readonly userPoolName?: string;

  /**
   * Whether users must set up a second factor (TOTP authenticator apps; SMS is not offered).
   * `Mfa.OPTIONAL` lets users choose (a relaxation the compliance packs report); `Mfa.OFF` is refused.
   *
   * @default cognito.Mfa.REQUIRED
   */
  readonly mfa?: cognito.Mfa;

  /**
   * The user pool's feature plan. Threat protection (compromised-credential and adaptive
   * authentication checks) needs `PLUS`; `ESSENTIALS` and `LITE` are relaxations the compliance packs report.
   *
   * @default cognito.FeaturePlan.PLUS
   */
  readonly featurePlan?: cognito.FeaturePlan;

  /**
   * The threat protection mode of standard authentication. Needs `FeaturePlan.PLUS`.
   *
   * @default - StandardThreatProtectionMode.FULL_FUNCTION on the PLUS plan, none otherwise
   */
  readonly threatProtection?: cognito.StandardThreatProtectionMode;

  /**
   * The shortest password, 8 to 99 characters. Passwords also need upper and lower case letters,
   * digits and symbols, and may not repeat the last 24 (not on the LITE plan).
   *
   * @default 14
   */
  readonly minPasswordLength?: number;

  /**
   * Whether people may sign themselves up. Without it, administrators invite users.
   *
   * @default false
   */
  readonly selfSignUpEnabled?: boolean;

  /**
   * Custom attributes (`custom:<name>`). The app client may read them but never write them, so only
   * administrators set them; declare those that role rules test with `mutable: false`.
   *
   * @default - none
   */
  readonly customAttributes?: Record<string, cognito.ICustomAttribute>;

  /**
   * How the user pool sends email (verification codes, invitations).
   *
   * @default - Cognito's own email (a low daily quota; use `UserPoolEmail.withSES` in production)
   */
  readonly email?: cognito.UserPoolEmail;

  /**
   * Whether the user pool is protected from deletion.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * What happens to the user pool and the identity pool when they leave the stack. The identity
   * pool holds the identity ids that name each user's data (`grantUserPrefix`): a new pool means new ids.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The prefix of the managed login domain, `<prefix>.auth.<region>.amazoncognito.com`: lower-case
   * letters, digits and hyphens, without `aws`, `amazon` or `cognito`. Needed for external identity
   * providers and the authorization code flow.
   *
   * @default - no domain; the app signs users in with the SRP API flow only
   */
  readonly domainPrefix?: string;

  /**
   * Where managed login may return users after sign-in (authorization codes go there): `https` URLs,
   * or `http://localhost` for development. Required with `domainPrefix`.
   *
   * @default - none
   */
  readonly callbackUrls?: string[];

  /**
   * Where managed login may return users after sign-out.
   *
   * @default - none
   */
  readonly logoutUrls?: string[];

  /**
   * External identity providers users may sign in with through managed login. Needs `domainPrefix`.
   *
   * @default - user pool accounts only
   */
  readonly identityProviders?: ExternalIdentityProvider[];

  /**
   * How long access and ID tokens last, 5 minutes to 1 day.
   *
   * @default Duration.hours(1)
   */
  readonly accessTokenValidity?: Duration;

  /**
   * How long refresh tokens last, 1 hour to 10 years and longer than access tokens.
   *
   * @default Duration.days(1)
   */
  readonly refreshTokenValidity?: Duration;

  /**
   * User pool groups, each with a role of its own.
   *
   * @default - none
   */
  readonly groups?: AppIdentityGroup[];

  /**
   * How the identity pool chooses a signed-in user's role.
   *
   * @default - RoleSelection.preferredRole() when there are groups, else RoleSelection.authenticatedRole()
   */
  readonly roleSelection?: RoleSelection;

  /**
   * Whether the identity pool gives credentials to visitors who have not signed in (guest
   * identities, `amr` unauthenticated). A relaxation that the compliance packs report (AwsSolutions-COG7):
   * acknowledge it on `identityPool` with the reason.
   *
   * @default false
   */
  readonly allowGuestAccess?: boolean;

  /**
   * Managed policies of the guest role. Needs `allowGuestAccess`.
   *
   * @default - none: guests get credentials that can do nothing until you grant the guest role something
   */
  readonly guestManagedPolicies?: iam.IManagedPolicy[];

  /**
   * Managed policies of the authenticated role (every signed-in user without another role).
   *
   * @default - none; see `grantUserPrefix`
   */
  readonly authenticatedManagedPolicies?: iam.IManagedPolicy[];

  /**
   * The identity pool's name.
   *
   * @default - a name CloudFormation generates
   */
  readonly identityPoolName?: string;
}

/** What `grantUserPrefix` lets each identity do in its own folder. */
export enum UserDataAccess {
  /** List and read. */
  READ = 'READ',
  /** List, read, write and delete. */
  READ_WRITE = 'READ_WRITE',
}

/** Options of `grantUserPrefix`. */
export interface UserPrefixOptions {
  /**
   * The folder under which each identity gets `<prefix>/<identity id>/`: no leading or trailing
   * slash, no wildcards or policy variables.
   *
   * @default 'private'
   */
  readonly prefix?: string;

  /**
   * What each identity may do there.
   *
   * @default UserDataAccess.READ_WRITE
   */
  readonly access?: UserDataAccess;
}

/** The policy variable IAM fills with the session's identity id (`<region>:<uuid>`). */
const IDENTITY_ID = '${cognito-identity.amazonaws.com:sub}';
const COGNITO_IDENTITY = 'cognito-identity.amazonaws.com';

/** Standard attributes the app client may write, by their claim names (what role rules see). */
const CLIENT_WRITABLE_CLAIMS = ['email', 'name', 'given_name', 'family_name', 'nickname', 'locale', 'zoneinfo', 'picture'];
const CLIENT_WRITABLE: cognito.StandardAttributesMask = {
  email: true, fullname: true, givenName: true, familyName: true, nickname: true, locale: true, timezone: true, profilePicture: true,
};

/** aws-cdk-lib's `AttributeMapping` keys -> the claims they fill. */
const MAPPED_CLAIMS: Record<string, string> = {
  address: 'address', birthdate: 'birthdate', email: 'email', emailVerified: 'email_verified', familyName: 'family_name', gender: 'gender',
  givenName: 'given_name', locale: 'locale', middleName: 'middle_name', fullname: 'name', nickname: 'nickname', phoneNumber: 'phone_number',
  profilePicture: 'picture', preferredUsername: 'preferred_username', profilePage: 'profile', timezone: 'zoneinfo', lastUpdateTime: 'updated_at', website: 'website',
};

/**
 * Sign-in and AWS credentials for the users of an app: a Cognito user pool with secure defaults
 * (TOTP MFA required, a strong password policy, verified email, threat protection, deletion
 * protection, retained), a public web app client (authorization code flow for PKCE, no secret,
 * token revocation), optional managed login domain and external identity providers, groups with a
 * role each, and an identity pool that turns user pool sign-ins into AWS credentials of the
 * authenticated role, a group's role (`cognito:preferred_role` or rules) or, if allowed, a guest role.
 * Every role trusts only this identity pool and only the right kind of identity (`amr`).
 * `grantUserPrefix` gives each identity a folder of its own in a bucket.
 */
export class AppIdentity extends Construct {
  /** The user pool. */
  public readonly userPool: cognito.UserPool;
  /** The web app client: public, authorization code flow (use PKCE), no secret. */
  public readonly userPoolClient: cognito.UserPoolClient;
  /** The managed login domain, with `domainPrefix`. */
  public readonly userPoolDomain?: cognito.UserPoolDomain;
  /** The identity pool. */
  public readonly identityPool: cognito.CfnIdentityPool;
  /** The identity pool's roles and role selection. */
  public readonly roleAttachment: cognito.CfnIdentityPoolRoleAttachment;
  /** The role of signed-in users for whom no other role is selected. */
  public readonly authenticatedRole: iam.Role;
  /** The role of guests, with `allowGuestAccess`. */
  public readonly guestRole?: iam.Role;
  /** The identity pool's id (`<region>:<uuid>`). */
  public readonly identityPoolId: string;

  private readonly groupRoles = new Map<string, iam.Role>();
  private readonly userGroups = new Map<string, cognito.UserPoolGroup>();
  private userDataPolicy?: iam.ManagedPolicy;
  private readonly userDataPrefixes = new Set<string>();

  constructor(scope: Construct, id: string, props: AppIdentityProps = {}) {
    super(scope, id);
    const where = `AppIdentity ${this.node.path}`;
    const plan = props.featurePlan ?? cognito.FeaturePlan.PLUS;
    const mfa = props.mfa ?? cognito.Mfa.REQUIRED;
    if (mfa === cognito.Mfa.OFF) {
      throw new Error(`${where}: mfa must be Mfa.REQUIRED or Mfa.OPTIONAL (TOTP), got Mfa.OFF; passwords alone are phished and reused, so keep a second factor, at least optional`);
    }
    if (props.threatProtection !== undefined && plan !== cognito.FeaturePlan.PLUS) {
      throw new Error(`${where}: threatProtection needs FeaturePlan.PLUS, got featurePlan ${plan}; choose FeaturePlan.PLUS or drop threatProtection`);
    }
    const minLength = props.minPasswordLength ?? 14;
    if (!Number.isInteger(minLength) || minLength < 8 || minLength > 99) {
      throw new Error(`${where}: minPasswordLength must be a whole number from 8 to 99, got ${minLength}`);
    }
    if (props.identityPoolName !== undefined && !Token.isUnresolved(props.identityPoolName) && !/^[\w ]{1,128}$/.test(props.identityPoolName)) {
      throw new Error(`${where}: identityPoolName must be 1 to 128 letters, digits, underscores and spaces, got "${props.identityPoolName}"`);
    }
    const groups = props.groups ?? [];
    validateGroups(where, groups);
    const guest = props.allowGuestAccess ?? false;
    if (!guest && props.guestManagedPolicies !== undefined) {
      throw new Error(`${where}: guestManagedPolicies are set but allowGuestAccess is not, so no guest would ever use them; `
        + 'set allowGuestAccess: true (and acknowledge AwsSolutions-COG7 with the reason) or drop guestManagedPolicies');
    }
    const selection = props.roleSelection ?? (groups.length > 0 ? RoleSelection.preferredRole() : RoleSelection.authenticatedRole());
    const idps = props.identityProviders ?? [];
    validateHostedUi(where, props, idps);
    const tokenValidity = props.accessTokenValidity ?? Duration.hours(1);
    const refreshValidity = props.refreshTokenValidity ?? Duration.days(1);
    validateTokenValidity(where, tokenValidity, refreshValidity);
    validateIdentityProviders(where, idps, props.customAttributes ?? {});
    validateSelection(where, selection, groups, props.customAttributes ?? {}, idps);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.userPool = new cognito.UserPool(this, 'Resource', {
      userPoolName: props.userPoolName,
      selfSignUpEnabled: props.selfSignUpEnabled ?? false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // a changed email address takes effect only once the user proves they own it
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: props.customAttributes,
      mfa,
      mfaSecondFactor: { otp: true, sms: false },
      enableSmsRole: false,
      passwordPolicy: {
        minLength,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: plan === cognito.FeaturePlan.LITE ? undefined : 24,
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      email: props.email,
      featurePlan: plan,
      standardThreatProtectionMode: plan === cognito.FeaturePlan.PLUS ? props.threatProtection ?? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
    });

    const providers = idps.map((idp) => idp._bind(this, this.userPool));
    const hostedUi = props.domainPrefix !== undefined;
    this.userPoolClient = this.userPool.addClient('Client', {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: !hostedUi,
      oAuth: hostedUi ? {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: props.callbackUrls,
        logoutUrls: props.logoutUrls,
      } : undefined,
      supportedIdentityProviders: [
        cognito.UserPoolClientIdentityProvider.COGNITO,
        ...idps.map((idp) => cognito.UserPoolClientIdentityProvider.custom(idp.providerName)),
      ],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: tokenValidity,
      idTokenValidity: tokenValidity,
      refreshTokenValidity: refreshValidity,
      // users edit their profile, never custom attributes: those carry authorization (role rules)
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes(CLIENT_WRITABLE),
    });
    providers.forEach((provider) => this.userPoolClient.node.addDependency(provider));

    if (hostedUi) {
      this.userPoolDomain = this.userPool.addDomain('Domain', {
        cognitoDomain: { domainPrefix: props.domainPrefix! },
        managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
      });
      // managed login shows no page for a client without a style
      new cognito.CfnManagedLoginBranding(this, 'Branding', {
        userPoolId: this.userPool.userPoolId,
        clientId: this.userPoolClient.userPoolClientId,
        useCognitoProvidedValues: true,
      });
    }

    this.identityPool = new cognito.CfnIdentityPool(this, 'IdentityPool', {
      identityPoolName: props.identityPoolName,
      allowUnauthenticatedIdentities: guest,
      // the basic flow lets a client pick any role that trusts the pool, bypassing role selection
      allowClassicFlow: false,
      cognitoIdentityProviders: [{
        clientId: this.userPoolClient.userPoolClientId,
        providerName: this.userPool.userPoolProviderName,
        // tokens revoked in the user pool (sign-out, token revocation) no longer get credentials
        serverSideTokenCheck: true,
      }],
    });
    this.identityPool.applyRemovalPolicy(removalPolicy);
    this.identityPoolId = this.identityPool.ref;

    this.authenticatedRole = this.identityRole('AuthenticatedRole', 'authenticated',
      'Signed-in users of the app without another role', props.authenticatedManagedPolicies);
    if (guest) {
      this.guestRole = this.identityRole('GuestRole', 'unauthenticated', 'Guests of the app (not signed in)', props.guestManagedPolicies);
    }

    const groupScope = groups.length > 0 ? new Construct(this, 'Groups') : undefined;
    for (const group of groups) {
      const groupId = group.groupName.replace(/\//g, '-');
      const role = this.identityRole(`${groupId}Role`, 'authenticated', `Members of the ${group.groupName} group`, group.managedPolicies, groupScope);
      const userGroup = new cognito.UserPoolGroup(groupScope!, groupId, {
        userPool: this.userPool,
        groupName: group.groupName,
        description: group.description,
        precedence: group.precedence,
        role,
      });
      this.groupRoles.set(group.groupName, role);
      this.userGroups.set(group.groupName, userGroup);
    }

    this.roleAttachment = new cognito.CfnIdentityPoolRoleAttachment(this, 'RoleAttachment', {
      identityPoolId: this.identityPoolId,
      roles: {
        authenticated: this.authenticatedRole.roleArn,
        ...(this.guestRole ? { unauthenticated: this.guestRole.roleArn } : {}),
      },
      roleMappings: selection._type === 'Default' ? undefined : {
        // a literal key: the provider name holds tokens, so it goes into IdentityProvider
        UserPool: {
          type: selection._type,
          identityProvider: `${this.userPool.userPoolProviderName}:${this.userPoolClient.userPoolClientId}`,
          ambiguousRoleResolution: selection._denyUnmatched ? 'Deny' : 'AuthenticatedRole',
          rulesConfiguration: selection._type === 'Rules' ? {
            rules: selection._rules.map((rule) => ({
              claim: rule.claim,
              matchType: rule.matchType ?? 'Equals',
              value: rule.value,
              roleArn: this.groupRoles.get(rule.groupName)!.roleArn,
            })),
          } : undefined,
        },
      },
    });
  }

  /** The role of the group `groupName`. */
  public groupRole(groupName: string): iam.Role {
    const role = this.groupRoles.get(groupName);
    if (!role) {
      throw new Error(`AppIdentity ${this.node.path}: there is no group "${groupName}"; the groups are ${this.listGroups()}`);
    }
    return role;
  }

  /** The user pool group `groupName`. */
  public group(groupName: string): cognito.UserPoolGroup {
    const group = this.userGroups.get(groupName);
    if (!group) {
      throw new Error(`AppIdentity ${this.node.path}: there is no group "${groupName}"; the groups are ${this.listGroups()}`);
    }
    return group;
  }

  /** Every role a signed-in user can receive: the authenticated role and each group's role. */
  public get signedInRoles(): iam.Role[] {
    return [this.authenticatedRole, ...this.groupRoles.values()];
  }

  /**
   * Gives every signed-in identity (the authenticated role and each group's role) its own folder of
   * `bucket`, `<prefix>/<identity id>/`, through the policy variable
   * `${cognito-identity.amazonaws.com:sub}`: objects under it, and listing only with an `s3:prefix`
   * inside it. With a KMS-encrypted bucket, also the key, through S3 only (`kms:ViaService`). Guests get nothing.
   */
  public grantUserPrefix(bucket: s3.IBucket, options: UserPrefixOptions = {}): void {
    const prefix = options.prefix ?? 'private';
    if (!Token.isUnresolved(prefix)) {
      if (!/^[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*$/.test(prefix)) {
        throw new Error(`AppIdentity ${this.node.path}: grantUserPrefix needs a prefix of folder names separated by "/" (letters, digits and !_.'()-), `
          + `without leading or trailing "/", wildcards or policy variables, got "${prefix}"; e.g. "private" or "users/photos"`);
      }
    }
    const key = `${bucket.node.path}|${prefix}`;
    if (this.userDataPrefixes.has(key)) {
      throw new Error(`AppIdentity ${this.node.path}: grantUserPrefix was already called for ${bucket.node.path} and prefix "${prefix}"; call it once per bucket and prefix`);
    }
    this.userDataPrefixes.add(key);
    const access = options.access ?? UserDataAccess.READ_WRITE;
    const write = access === UserDataAccess.READ_WRITE;
    const objects = bucket.arnForObjects(`${prefix}/${IDENTITY_ID}/*`);
    const policy = this.userDataPolicy ??= this.createUserDataPolicy();
    policy.addStatements(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}/${IDENTITY_ID}/`, `${prefix}/${IDENTITY_ID}/*`] } },
      }),
      new iam.PolicyStatement({
        actions: write ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'] : ['s3:GetObject'],
        resources: [objects],
      }),
    );
    if (bucket.encryptionKey) {
      policy.addStatements(new iam.PolicyStatement({
        actions: write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        resources: [bucket.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(bucket).region}.${Stack.of(bucket).urlSuffix}` } },
      }));
    }
    acknowledge(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Each identity\'s own folder: the policy variable ${cognito-identity.amazonaws.com:sub} makes the wildcard cover only objects under <prefix>/<identity id>/',
      appliesTo: [`Resource::${objects}`],
    }]);
  }

  private createUserDataPolicy(): iam.ManagedPolicy {
    return new iam.ManagedPolicy(this, 'UserDataPolicy', {
      description: 'Each signed-in identity reaches only its own folders (grantUserPrefix)',
      roles: this.signedInRoles,
    });
  }

  /** A role that only this identity pool may hand out, and only to identities of the given `amr`. */
  private identityRole(id: string, amr: 'authenticated' | 'unauthenticated', description: string, managedPolicies?: iam.IManagedPolicy[], scope: Construct = this): iam.Role {
    return new iam.Role(scope, id, {
      description,
      assumedBy: new iam.FederatedPrincipal(COGNITO_IDENTITY, {
        'StringEquals': { [`${COGNITO_IDENTITY}:aud`]: this.identityPool.ref },
        'ForAnyValue:StringLike': { [`${COGNITO_IDENTITY}:amr`]: amr },
      }, 'sts:AssumeRoleWithWebIdentity'),
      managedPolicies,
      maxSessionDuration: Duration.hours(1),
    });
  }

  private listGroups(): string {
    return this.groupRoles.size === 0 ? 'none' : [...this.groupRoles.keys()].map((g) => `"${g}"`).join(', ');
  }
}

function validateGroups(where: string, groups: AppIdentityGroup[]): void {
  const names = new Map<string, AppIdentityGroup>();
  const precedences = new Map<number, AppIdentityGroup>();
  for (const group of groups) {
    const name = group.groupName;
    if (!Token.isUnresolved(name) && (name.length < 1 || name.length > 128 || /\s/.test(name))) {
      throw new Error(`${where}: group names must have 1 to 128 characters without whitespace, got "${name}"`);
    }
    if (names.has(name)) {
      throw new Error(`${where}: the group "${name}" is listed twice; list each group once`);
    }
    names.set(name, group);
    const precedence = group.precedence;
    if (!Number.isInteger(precedence) || precedence < 0 || precedence > 2 ** 31 - 1) {
      throw new Error(`${where}: the precedence of group "${name}" must be a whole number from 0 to 2147483647, got ${precedence}`);
    }
    const other = precedences.get(precedence);
    if (other) {
      throw new Error(`${where}: groups "${other.groupName}" and "${name}" both have precedence ${precedence}; Cognito then sets no cognito:preferred_role `
        + 'for users in both, so give each group its own precedence (lower wins)');
    }
    precedences.set(precedence, group);
  }
}

function validateHostedUi(where: string, props: AppIdentityProps, idps: ExternalIdentityProvider[]): void {
  const prefix = props.domainPrefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix)) {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) {
      throw new Error(`${where}: domainPrefix must be 1 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, got "${prefix}"`);
    }
    const reserved = ['aws', 'amazon', 'cognito'].find((word) => prefix.includes(word));
    if (reserved) {
      throw new Error(`${where}: domainPrefix may not contain "${reserved}" (Cognito reserves aws, amazon and cognito), got "${prefix}"`);
    }
  }
  if (idps.length > 0 && prefix === undefined) {
    throw new Error(`${where}: identityProviders (${idps.map((i) => i.providerName).join(', ')}) sign users in through managed login, which needs domainPrefix; set domainPrefix`);
  }
  const names = idps.map((i) => i.providerName);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) {
    throw new Error(`${where}: the identity provider "${duplicate}" is listed twice; give each provider its own name`);
  }
  const callbacks = props.callbackUrls ?? [];
  if (prefix !== undefined && callbacks.length === 0) {
    throw new Error(`${where}: domainPrefix needs callbackUrls, the app's pages managed login returns users to with the authorization code, got none; e.g. ["https://app.example.com/callback"]`);
  }
  if (prefix === undefined && (callbacks.length > 0 || (props.logoutUrls ?? []).length > 0)) {
    throw new Error(`${where}: callbackUrls and logoutUrls are used by managed login, which needs domainPrefix, got no domainPrefix; set domainPrefix or drop the URLs`);
  }
  for (const [name, urls] of [['callbackUrls', callbacks], ['logoutUrls', props.logoutUrls ?? []]] as const) {
    for (const url of urls) {
      if (Token.isUnresolved(url)) continue;
      if (!/^https:\/\/[^\s/*#]+(\/[^\s*#]*)?$/.test(url) && !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/[^\s*#]*)?$/.test(url)) {
        throw new Error(`${where}: ${name} must be https URLs without wildcards or fragments (http only for localhost), got "${url}"; `
          + 'authorization codes sent over plain http can be intercepted');
      }
    }
  }
}

function validateTokenValidity(where: string, token: Duration, refresh: Duration): void {
  if (!token.isUnresolved()) {
    const minutes = token.toSeconds() / 60;
    if (minutes < 5 || minutes > 24 * 60) {
      throw new Error(`${where}: accessTokenValidity must be between 5 minutes and 1 day, got ${token.toHumanString()}`);
    }
  }
  if (!refresh.isUnresolved()) {
    const minutes = refresh.toSeconds() / 60;
    if (minutes < 60 || minutes > 3650 * 24 * 60) {
      throw new Error(`${where}: refreshTokenValidity must be between 1 hour and 10 years, got ${refresh.toHumanString()}`);
    }
    if (!token.isUnresolved() && refresh.toSeconds() <= token.toSeconds()) {
      throw new Error(`${where}: refreshTokenValidity (${refresh.toHumanString()}) must be longer than accessTokenValidity (${token.toHumanString()})`);
    }
  }
}

/** The user pool attributes an identity provider's mapping writes, as claim names. */
function mappedClaims(idp: ExternalIdentityProvider): string[] {
  const mapping = idp._attributeMapping ?? {};
  const claims: string[] = [];
  for (const [key, value] of Object.entries(mapping)) {
    if (value === undefined) continue;
    if (key === 'custom') {
      for (const name of Object.keys(value as Record<string, unknown>)) claims.push(name);
    } else {
      claims.push(MAPPED_CLAIMS[key] ?? key);
    }
  }
  return claims;
}

function customAttribute(attributes: Record<string, cognito.ICustomAttribute>, claim: string): cognito.CustomAttributeConfig | undefined {
  const name = claim.replace(/^custom:/, '');
  return attributes[name]?.bind();
}

function validateIdentityProviders(where: string, idps: ExternalIdentityProvider[], attributes: Record<string, cognito.ICustomAttribute>): void {
  for (const idp of idps) {
    for (const claim of mappedClaims(idp).filter((c) => c.startsWith('custom:'))) {
      const config = customAttribute(attributes, claim);
      if (!config) {
        throw new Error(`${where}: the identity provider "${idp.providerName}" maps into ${claim}, which is not in customAttributes; declare it (mutable: true)`);
      }
      if (!config.mutable) {
        throw new Error(`${where}: the identity provider "${idp.providerName}" maps into ${claim}, which is immutable; Cognito updates mapped attributes `
          + 'at every sign-in and fails on immutable ones, so declare it with mutable: true (and do not test it in role rules)');
      }
    }
  }
}

function validateSelection(where: string, selection: RoleSelection, groups: AppIdentityGroup[], attributes: Record<string, cognito.ICustomAttribute>, idps: ExternalIdentityProvider[]): void {
  if (selection._type === 'Token' && groups.length === 0) {
    throw new Error(`${where}: RoleSelection.preferredRole() picks the role of the user's group (cognito:preferred_role), but there are no groups; `
      + 'add groups or use RoleSelection.authenticatedRole()');
  }
  if (selection._type !== 'Rules') return;
  const names = groups.map((g) => g.groupName);
  for (const rule of selection._rules) {
    if (!names.includes(rule.groupName)) {
      throw new Error(`${where}: a role rule on ${rule.claim} names the group "${rule.groupName}", which is not in groups (${names.map((n) => `"${n}"`).join(', ') || 'none'}); add the group or fix the name`);
    }
    if (Token.isUnresolved(rule.claim)) continue;
    if (CLIENT_WRITABLE_CLAIMS.includes(rule.claim)) {
      throw new Error(`${where}: a role rule tests the claim "${rule.claim}", which every user can change through the app client (UpdateUserAttributes) `
        + 'to take the role; test cognito:groups or an immutable custom attribute instead');
    }
    const social = idps.find((idp) => idp._social && mappedClaims(idp).includes(rule.claim));
    if (social) {
      throw new Error(`${where}: a role rule tests the claim "${rule.claim}", which the social identity provider ${social.providerName} fills from a profile `
        + 'its users edit themselves; test cognito:groups instead');
    }
    if (rule.claim.startsWith('custom:')) {
      const config = customAttribute(attributes, rule.claim);
      if (!config) {
        throw new Error(`${where}: a role rule tests ${rule.claim}, which is not in customAttributes; declare it with mutable: false`);
      }
      if (config.mutable) {
        throw new Error(`${where}: a role rule tests ${rule.claim}, a mutable attribute: anyone allowed cognito-idp:AdminUpdateUserAttributes could set it `
          + 'on their own user and take the role; declare it with mutable: false (set once, when the user is created) or test cognito:groups');
      }
    }
  }
}
