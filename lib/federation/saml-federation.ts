import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';

/** A group of the corporate directory and the role its members receive in this account. */
export interface DirectoryGroupRole {
  /**
   * The directory group (e.g. the Active Directory group `AWS-Prod-Admins`). The IdP sends its members
   * this role (`roleAttributeValue(groupName)`); it also names the role unless `roleName` is set.
   */
  readonly groupName: string;

  /**
   * The role's name: up to 64 letters, digits and `+=,.@_-`.
   *
   * @default - the group name
   */
  readonly roleName?: string;

  /**
   * What the role is for.
   *
   * @default - "Members of the directory group <groupName>"
   */
  readonly description?: string;

  /**
   * The role's managed policies.
   *
   * @default - none
   */
  readonly managedPolicies?: iam.IManagedPolicy[];

  /**
   * The role's permissions boundary.
   *
   * @default - none
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * The longest console or CLI session, 1 to 12 hours; the IdP's `SessionDuration` attribute can only shorten it.
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;

  /**
   * Whether members must have signed in with MFA at the IdP: the IdP's session tag `mfaSessionTag` must be `true`.
   *
   * @default - true when the federation has an `mfaSessionTag`, else false
   */
  readonly requireMfa?: boolean;
}

/** Properties of a `SamlFederation`. */
export interface SamlFederationProps {
  /**
   * The IdP's SAML metadata document (AD FS: `https://<host>/FederationMetadata/2007-06/FederationMetadata.xml`),
   * for a new IAM SAML provider: 1,000 to 10,000,000 characters. Give this or `existingProvider`.
   *
   * @default - none; `existingProvider` is used
   */
  readonly metadataDocument?: iam.SamlMetadataDocument;

  /**
   * An IAM SAML provider that exists already. Give this or `metadataDocument`.
   *
   * @default - a new provider from `metadataDocument`
   */
  readonly existingProvider?: iam.ISamlProvider;

  /**
   * The new SAML provider's name (part of the ARN the IdP sends), e.g. `ADFS`.
   *
   * @default - a name CloudFormation generates
   */
  readonly providerName?: string;

  /** The directory groups, one role each. At least one. */
  readonly directoryGroups: DirectoryGroupRole[];

  /**
   * The session tag in which the IdP reports a sign-in with MFA (the SAML attribute
   * `https://aws.amazon.com/SAML/Attributes/PrincipalTag:<key>` with the value `true`). With it, every
   * role requires the tag unless its `requireMfa` is false.
   *
   * @default - the IdP sends no MFA context; roles cannot require MFA
   */
  readonly mfaSessionTag?: string;

  /**
   * Other session tags the IdP may pass (`PrincipalTag:<key>` attributes), e.g. `department` for
   * attribute-based access control.
   *
   * @default - none besides `mfaSessionTag`
   */
  readonly sessionTagKeys?: string[];
}

const MAX_SESSION_TAGS = 50;

/**
 * Console (and CLI) federation for a corporate directory, the AD FS / SAML 2.0 pattern: an IAM SAML
 * provider made from the IdP's metadata and one role per directory group. Each role trusts only
 * that provider (`sts:AssumeRoleWithSAML`), only for assertions addressed to the AWS sign-in endpoint
 * (`SAML:aud`), optionally only after MFA at the IdP (a session tag), with a bounded session length.
 * The IdP sends members of a group the value of `roleAttributeValue(groupName)` in the
 * `https://aws.amazon.com/SAML/Attributes/Role` attribute.
 */
export class SamlFederation extends Construct {
  /** The SAML provider every role trusts. */
  public readonly provider: iam.ISamlProvider;
  /** The roles, in the order of `directoryGroups`. */
  public readonly roles: iam.Role[];
  /** The `SAML:aud` the roles require: the AWS sign-in endpoint of the stack's partition. */
  public readonly audience: string;

  private readonly byGroup = new Map<string, iam.Role>();

  constructor(scope: Construct, id: string, props: SamlFederationProps) {
    super(scope, id);
    const where = `SamlFederation ${this.node.path}`;
    if (props.metadataDocument && props.existingProvider) {
      throw new Error(`${where}: metadataDocument and existingProvider exclude each other, got both; pass metadataDocument for a new provider or existingProvider to reuse one`);
    }
    if (!props.metadataDocument && !props.existingProvider) {
      throw new Error(`${where}: needs the IdP's metadataDocument (e.g. SamlMetadataDocument.fromFile('FederationMetadata.xml')) or an existingProvider, got neither`);
    }
    if (props.existingProvider && props.providerName !== undefined) {
      throw new Error(`${where}: providerName names a new provider, got it with existingProvider; drop providerName`);
    }
    if (!props.directoryGroups || props.directoryGroups.length === 0) {
      throw new Error(`${where}: directoryGroups must list at least one directory group, got none; e.g. [{ groupName: 'AWS-Prod-ReadOnly', managedPolicies: [...] }]`);
    }
    if (props.providerName !== undefined && !Token.isUnresolved(props.providerName) && !/^[\w.-]{1,128}$/.test(props.providerName)) {
      throw new Error(`${where}: providerName must be 1 to 128 letters, digits and ._-, got "${props.providerName}"`);
    }
    const xml = props.metadataDocument?.xml;
    if (xml !== undefined && !Token.isUnresolved(xml) && (xml.length < 1000 || xml.length > 10_000_000)) {
      throw new Error(`${where}: the metadata document must have 1,000 to 10,000,000 characters (IAM's limits), got ${xml.length}; `
        + 'pass the IdP\'s whole federation metadata (with its signing certificate), e.g. SamlMetadataDocument.fromFile(\'FederationMetadata.xml\')');
    }
    const tagKeys = [...(props.mfaSessionTag !== undefined ? [props.mfaSessionTag] : []), ...(props.sessionTagKeys ?? [])];
    validateSessionTagKeys(where, tagKeys);

    this.provider = props.existingProvider ?? new iam.SamlProvider(this, 'Resource', {
      name: props.providerName,
      metadataDocument: props.metadataDocument!,
    });
    const region = Stack.of(this).region;
    this.audience = (Token.isUnresolved(region) ? undefined : RegionInfo.get(region).samlSignOnUrl) ?? 'https://signin.aws.amazon.com/saml';

    const roleNames = new Set<string>();
    this.roles = props.directoryGroups.map((group) => {
      if (this.byGroup.has(group.groupName)) {
        throw new Error(`${where}: the directory group "${group.groupName}" is listed twice; list each group once`);
      }
      const roleName = group.roleName ?? group.groupName;
      if (!Token.isUnresolved(roleName) && !/^[\w+=,.@-]{1,64}$/.test(roleName)) {
        throw new Error(`${where}: the role name of directory group "${group.groupName}" must be 1 to 64 letters, digits and +=,.@_-, got "${roleName}"; `
          + 'set roleName for groups whose names have other characters');
      }
      if (roleNames.has(roleName.toLowerCase())) {
        throw new Error(`${where}: two directory groups would get the role name "${roleName}" (IAM role names ignore case); set roleName on one of them`);
      }
      roleNames.add(roleName.toLowerCase());
      const maxSession = group.maxSessionDuration ?? Duration.hours(1);
      if (!maxSession.isUnresolved() && (maxSession.toSeconds() < 3600 || maxSession.toSeconds() > 12 * 3600)) {
        throw new Error(`${where}: maxSessionDuration of directory group "${group.groupName}" must be between 1 and 12 hours (the limits of IAM), got ${maxSession.toHumanString()}`);
      }
      if (group.requireMfa && props.mfaSessionTag === undefined) {
        throw new Error(`${where}: directory group "${group.groupName}" requires MFA, but the federation has no mfaSessionTag, so there is no MFA context to check; `
          + 'set mfaSessionTag to the session tag your IdP sets to "true" after MFA (e.g. "mfa")');
      }
      const requireMfa = group.requireMfa ?? props.mfaSessionTag !== undefined;
      const role = new iam.Role(this, group.groupName.replace(/\//g, '-'), {
        roleName,
        description: group.description ?? `Members of the directory group ${group.groupName}`,
        assumedBy: new SamlTrust(this.provider, this.audience, requireMfa ? props.mfaSessionTag : undefined, tagKeys),
        managedPolicies: group.managedPolicies,
        permissionsBoundary: group.permissionsBoundary,
        maxSessionDuration: maxSession,
      });
      this.byGroup.set(group.groupName, role);
      return role;
    });
  }

  /** The role of directory group `groupName`. */
  public role(groupName: string): iam.Role {
    const role = this.byGroup.get(groupName);
    if (!role) {
      throw new Error(`SamlFederation ${this.node.path}: there is no directory group "${groupName}"; the groups are ${[...this.byGroup.keys()].map((g) => `"${g}"`).join(', ')}`);
    }
    return role;
  }

  /**
   * The value the IdP sends members of `groupName` in the SAML attribute
   * `https://aws.amazon.com/SAML/Attributes/Role`: `<role ARN>,<provider ARN>`.
   */
  public roleAttributeValue(groupName: string): string {
    return `${this.role(groupName).roleArn},${this.provider.samlProviderArn}`;
  }
}

/**
 * The trust of a directory group's role: `sts:AssumeRoleWithSAML` from the provider for the sign-in
 * audience (with the MFA tag when required), and `sts:TagSession` for the listed tag keys only.
 */
class SamlTrust extends iam.SamlPrincipal {
  constructor(provider: iam.ISamlProvider, private readonly audience: string, private readonly mfaTag: string | undefined, private readonly tagKeys: string[]) {
    super(provider, {});
  }

  public addToAssumeRolePolicy(doc: iam.PolicyDocument): void {
    const principal = new iam.FederatedPrincipal(this.federated, {});
    doc.addStatements(new iam.PolicyStatement({
      actions: ['sts:AssumeRoleWithSAML'],
      principals: [principal],
      conditions: {
        StringEquals: {
          'SAML:aud': this.audience,
          ...(this.mfaTag !== undefined ? { [`aws:RequestTag/${this.mfaTag}`]: 'true' } : {}),
        },
      },
    }));
    if (this.tagKeys.length > 0) {
      doc.addStatements(new iam.PolicyStatement({
        actions: ['sts:TagSession'],
        principals: [principal],
        conditions: {
          'StringEquals': { 'SAML:aud': this.audience },
          'ForAllValues:StringEquals': { 'aws:TagKeys': this.tagKeys },
        },
      }));
    }
  }
}

function validateSessionTagKeys(where: string, keys: string[]): void {
  if (keys.length > MAX_SESSION_TAGS) {
    throw new Error(`${where}: at most ${MAX_SESSION_TAGS} session tag keys (the session-tag limit of STS), got ${keys.length}`);
  }
  const seen = new Set<string>();
  for (const key of keys) {
    if (Token.isUnresolved(key)) continue;
    if (key.length < 1 || key.length > 128 || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u.test(key)) {
      throw new Error(`${where}: session tag key "${key}" is not valid; keys are 1 to 128 letters, digits, spaces and _.:/=+-@`);
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw new Error(`${where}: session tag key "${key}" uses the reserved prefix "aws:"; choose another key`);
    }
    // STS compares session-tag keys without regard to case
    if (seen.has(key.toLowerCase())) {
      throw new Error(`${where}: session tag key "${key}" is given twice (mfaSessionTag counts too; keys are case-insensitive); give each key once`);
    }
    seen.add(key.toLowerCase());
  }
}
